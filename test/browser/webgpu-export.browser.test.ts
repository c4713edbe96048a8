/**
 * Tensors shared with WebGPU [webgpu]: createExportableTensor(), MLTensor.exportableToGPU and exportToGPU() on a
 * context made from the page's own GPUDevice (src/api/gpu-export.ts says what they do), and the chain WebGPU compute ->
 * WebNN graph -> exportToGPU() -> WebGPU compute with no read through the CPU in between. Values are checked against
 * float64 references computed here; WebGPU's own work is WGSL written here.
 */
import type { MLContext, MLGraph, MLTensor } from '../../src/index.js';
import { assertThrows } from '../util/harness.js';
import { ml, nearestHalf, newBuilder, newContext, readFloat32 } from '../api/api-util.js';
import { POSITIVE_HALVES } from '../types/half-reference.js';
import { later } from '../api/fault-util.js';
import { tensorSlots } from '../../src/api/internals.js';
import { tf } from '../../src/runtime/backends.js';
// The entry that carries the webgpu backend; createContext(gpuDevice) needs it.
import '../../src/webgpu.js';

type ExportingContext = MLContext & {
  createExportableTensor(descriptor: object, device: GPUDevice): Promise<MLTensor>;
  exportToGPU(tensor: MLTensor): GPUBuffer;
};
type ExportableTensor = MLTensor & { readonly exportableToGPU: boolean };

const N = 64;
const desc = { dataType: 'float32', shape: [N] } as const;

async function newDevice(): Promise<GPUDevice> {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() gave no adapter');
  return adapter.requestDevice();
}

/** Runs `code` (entry point main, workgroups of 64, one invocation per element) over `buffers`, bound in order. */
function runShader(device: GPUDevice, code: string, buffers: GPUBuffer[], count: number): void {
  const module = device.createShaderModule({ code });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.ceil(count / 64));
  pass.end();
  device.queue.submit([encoder.finish()]);
}

/** WebGPU reads `buffer` (float32 values) through a staging buffer of its own. */
async function readBuffer(device: GPUDevice, buffer: GPUBuffer, count: number): Promise<number[]> {
  const staging = device.createBuffer({ size: 4 * count, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, 4 * count);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const values = Array.from(new Float32Array(staging.getMappedRange()));
  staging.destroy();
  return values;
}

/** The first `count` 16-bit words of `buffer`, read by WebGPU through a staging buffer. */
async function readHalves(device: GPUDevice, buffer: GPUBuffer, count: number): Promise<number[]> {
  const size = buffer.size;
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const words = Array.from(new Uint16Array(staging.getMappedRange()).slice(0, count));
  staging.destroy();
  return words;
}

/** The float16 bits of `value`, which is a float16 value (NaN: the quiet NaN 0x7e00). */
function halfBits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return sign | 0x7c00;
  const bits = POSITIVE_HALVES.indexOf(magnitude);
  if (bits < 0) throw new Error(`${value} is no float16 value`);
  return sign | bits;
}

const hex = (words: readonly number[]) => words.map((w) => w.toString(16).padStart(4, '0')).join(' ');

/** Whether WebGPU refuses `buffer` as a copy source (a destroyed buffer is a validation error). */
async function isDestroyed(device: GPUDevice, buffer: GPUBuffer): Promise<boolean> {
  const other = device.createBuffer({ size: 4, usage: GPUBufferUsage.COPY_DST });
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, other, 0, 4);
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  other.destroy();
  return error !== null;
}

/** x[i] = i / 16 - 2 (exact in f32) into the buffer bound at 0. */
const WRITE_RAMP = `
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&x)) { x[id.x] = f32(id.x) / 16.0 - 2.0; }
}`;
const ramp = Array.from({ length: N }, (_, i) => i / 16 - 2);

/** Doubles the buffer bound at 0 in place. */
const DOUBLE = `
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&x)) { x[id.x] = 2.0 * x[id.x]; }
}`;

/** z[i] = y[i]^2 + i, from y bound at 0 into z bound at 1. */
const SQUARE_PLUS_INDEX = `
@group(0) @binding(0) var<storage, read> y: array<f32>;
@group(0) @binding(1) var<storage, read_write> z: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&z)) { z[id.x] = y[id.x] * y[id.x] + f32(id.x); }
}`;

/** out = 2 tanh(x) + 1, float32 [N]. */
async function tanhGraph(context: MLContext): Promise<MLGraph> {
  const b = newBuilder(context);
  const x = b.input('x', desc);
  const scalar = (v: number) => b.constant({ dataType: 'float32', shape: [] }, new Float32Array([v]));
  return b.build({ out: b.add(b.mul(b.tanh(x), scalar(2)), scalar(1)) });
}

function assertNear(actual: readonly number[], expected: readonly number[], what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  actual.forEach((v, i) => {
    const e = expected[i]!;
    // float32 results of a float64 reference: TF.js's tanh and WGSL's arithmetic round at 2^-24 relative each step.
    if (!(Math.abs(v - e) <= 1e-5 + 1e-5 * Math.abs(e))) throw new Error(`${what}[${i}] = ${v}, expected ${e}`);
  });
}

interface ReadCounts {
  engine: number;
  backend: number;
}

/**
 * Counts every read of TF.js values through the CPU: the engine's read/readSync (tensor.data(), dataSync(), a move
 * between backends) and the webgpu instances' own. Returns the counts and a function that stops counting.
 */
function countCpuReads(instances: object[]): { counts: ReadCounts; stop: () => void } {
  const counts: ReadCounts = { engine: 0, backend: 0 };
  const restores: (() => void)[] = [];
  const wrap = (target: Record<string, unknown>, names: string[], key: keyof ReadCounts) => {
    for (const name of names) {
      const original = target[name] as (...args: unknown[]) => unknown;
      const own = Object.prototype.hasOwnProperty.call(target, name);
      target[name] = function (this: unknown, ...args: unknown[]) {
        counts[key]++;
        return original.apply(this, args);
      };
      restores.push(() => {
        if (own) target[name] = original;
        else delete target[name];
      });
    }
  };
  wrap(tf.engine() as unknown as Record<string, unknown>, ['read', 'readSync'], 'engine');
  for (const instance of instances) wrap(instance as Record<string, unknown>, ['read', 'readSync', 'getBufferData'], 'backend');
  return { counts, stop: () => restores.reverse().forEach((restore) => restore()) };
}

/** The TF.js backend instance holding `tensor`'s data. */
function instanceHolding(tensor: MLTensor): object {
  const data = tensorSlots.get(tensor, 'test').data as tf.Tensor;
  const info = (tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, { backend: object }> } }).state.tensorInfo.get(data.dataId);
  if (!info) throw new Error('the tensor has no TF.js data');
  return info.backend;
}

describe('tensors shared with WebGPU [webgpu]', function () {
  // SwiftShader compiles every shader on the CPU: the first graphs take seconds.
  this.timeout(120000);
  let device: GPUDevice;
  let context: ExportingContext;

  before(async function () {
    if (!('gpu' in navigator)) throw new Error('navigator.gpu is absent: Chromium was started without --enable-unsafe-webgpu');
    device = await newDevice();
    context = await ml().createContext(device as never) as ExportingContext;
  });
  after(() => {
    context?.destroy();
    device?.destroy();
  });

  it('the chain: WebGPU writes -> a WebNN graph reads -> exportToGPU -> a WebGPU shader reads, with no CPU read between', async () => {
    const graph = await tanhGraph(context);
    const x = await context.createExportableTensor(desc, device);
    const out = await context.createExportableTensor({ ...desc, readable: true }, device);
    const z = device.createBuffer({ size: 4 * N, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const reads = countCpuReads([instanceHolding(x)]);
    let zValues: number[];
    try {
      runShader(device, WRITE_RAMP, [context.exportToGPU(x)], N);
      context.dispatch(graph, { x }, { out });
      runShader(device, SQUARE_PLUS_INDEX, [context.exportToGPU(out), z], N);
      const { counts } = reads;
      if (counts.engine + counts.backend !== 0) throw new Error(`CPU reads between: ${JSON.stringify(counts)}`);
      zValues = await readBuffer(device, z, N);
      // The counting sees a read: WebNN takes the output back, and its values are still the graph's.
      assertNear(await readFloat32(context, out), ramp.map((v) => 2 * Math.tanh(v) + 1), 'out');
      if (counts.engine === 0 || counts.backend === 0) throw new Error(`readTensor() was not counted: ${JSON.stringify(counts)}`);
    } finally {
      reads.stop();
    }
    const y = ramp.map((v) => 2 * Math.tanh(v) + 1);
    assertNear(zValues, y.map((v, i) => v * v + i), 'z');
    z.destroy();
    graph.destroy();
  });

  it('createExportableTensor() makes tensors exportableToGPU; createTensor() does not', async () => {
    const exportable = await context.createExportableTensor({ ...desc, readable: true, writable: true }, device) as ExportableTensor;
    const plain = await context.createTensor(desc) as ExportableTensor;
    if (exportable.exportableToGPU !== true || plain.exportableToGPU !== false) throw new Error('exportableToGPU');
    if (!exportable.readable || !exportable.writable) throw new Error('the descriptor\'s readable and writable were not kept');
    assertNear(await readFloat32(context, exportable), new Array<number>(N).fill(0), 'a new exportable tensor');
    let error: unknown = null;
    try {
      context.exportToGPU(plain);
    } catch (e) {
      error = e;
    }
    if (!(error instanceof TypeError)) throw new Error(`exportToGPU(a tensor of createTensor()): ${String(error)}`);
    exportable.destroy();
    plain.destroy();
  });

  it('createExportableTensor() rejects other devices, other contexts and integer types with a NotSupportedError', async () => {
    const other = await newDevice();
    const onWebgpu = await newContext('webgpu') as ExportingContext;
    try {
      await assertThrows(() => context.createExportableTensor(desc, other), 'NotSupportedError', /not the GPUDevice/);
      await assertThrows(() => onWebgpu.createExportableTensor(desc, device), 'NotSupportedError', /createContext\(gpuDevice\)/);
      await assertThrows(() => context.createExportableTensor({ dataType: 'int32', shape: [2] }, device), 'NotSupportedError', /cpu backend/);
      await assertThrows(() => context.createExportableTensor(desc, {} as GPUDevice), 'TypeError', /not a GPUDevice/);
    } finally {
      onWebgpu.destroy();
      other.destroy();
    }
  });

  it('the exported buffer holds the values; WebGPU\'s writes are the tensor\'s when WebNN reads it, and the buffer is destroyed', async () => {
    const t = await context.createExportableTensor({ ...desc, readable: true, writable: true }, device);
    const values = ramp.map((v) => v * 3);
    context.writeTensor(t, new Float32Array(values));
    const buffer = context.exportToGPU(t);
    if (buffer.size !== 4 * N) throw new Error(`buffer of ${buffer.size} bytes`);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    if ((buffer.usage & usage) !== usage) throw new Error(`buffer usage ${buffer.usage}`);
    if (context.exportToGPU(t) !== buffer) throw new Error('exporting again before WebNN took the tensor back gave another buffer');
    assertNear(await readBuffer(device, buffer, N), values, 'the exported buffer');
    runShader(device, DOUBLE, [buffer], N);
    assertNear(await readFloat32(context, t), values.map((v) => 2 * v), 'the tensor after WebGPU doubled it');
    if (!await isDestroyed(device, buffer)) throw new Error('the buffer is still usable after WebNN took the tensor back');
    // Exported again: a new buffer, with the values WebNN has.
    const again = context.exportToGPU(t);
    if (again === buffer) throw new Error('a destroyed buffer was exported again');
    assertNear(await readBuffer(device, again, N), values.map((v) => 2 * v), 'the buffer of the second export');
    t.destroy();
    if (!await isDestroyed(device, again)) throw new Error('destroying the tensor left its exported buffer usable');
  });

  it('destroying the exported buffer hands the tensor back with what WebGPU wrote; a graph then reads it', async () => {
    const graph = await tanhGraph(context);
    const x = await context.createExportableTensor(desc, device);
    const out = await context.createTensor({ ...desc, readable: true });
    const buffer = context.exportToGPU(x);
    runShader(device, WRITE_RAMP, [buffer], N);
    buffer.destroy();
    if (!await isDestroyed(device, buffer)) throw new Error('destroy() left the buffer usable');
    context.dispatch(graph, { x }, { out });
    assertNear(await readFloat32(context, out), ramp.map((v) => 2 * Math.tanh(v) + 1), 'out');
    graph.destroy();
  });

  it('writeTensor() and dispatch() outputs take an exported tensor back and destroy its buffer; their values win', async () => {
    const graph = await tanhGraph(context);
    const x = await context.createExportableTensor({ ...desc, writable: true }, device);
    const out = await context.createExportableTensor({ ...desc, readable: true }, device);
    const xBuffer = context.exportToGPU(x);
    const outBuffer = context.exportToGPU(out);
    runShader(device, WRITE_RAMP, [xBuffer], N);
    runShader(device, WRITE_RAMP, [outBuffer], N);
    const written = ramp.map((v) => -v / 2);
    context.writeTensor(x, new Float32Array(written));
    context.dispatch(graph, { x }, { out });
    for (const buffer of [xBuffer, outBuffer]) {
      if (!await isDestroyed(device, buffer)) throw new Error('a buffer is still usable after WebNN took its tensor back');
    }
    assertNear(await readFloat32(context, out), written.map((v) => 2 * Math.tanh(v) + 1), 'out');
    graph.destroy();
  });

  it('exportToGPU() while earlier work still waits (a pending read) throws an InvalidStateError; once settled it exports', async () => {
    const t = await context.createExportableTensor({ ...desc, readable: true, writable: true }, device);
    context.writeTensor(t, new Float32Array(ramp));
    const pending = later(context.readTensor(t));
    let error: unknown = null;
    try {
      context.exportToGPU(t);
    } catch (e) {
      error = e;
    }
    if (!(error instanceof DOMException) || error.name !== 'InvalidStateError') throw new Error(`exportToGPU: ${String(error)}`);
    assertNear(Array.from(new Float32Array(await pending)), ramp, 'the read');
    assertNear(await readBuffer(device, context.exportToGPU(t), N), ramp, 'the buffer exported once the read settled');
    t.destroy();
  });

  it('float16: the exported buffer holds the values two to a 32-bit word, specials and subnormals bit for bit, and back', async () => {
    // 0, -0, 1, -2.5, ±65504, ±Infinity, NaN, the smallest and largest subnormals, the smallest normal, 0.1, a negative
    // subnormal: an odd count, so the last word's high half is padding.
    const bits = [0x0000, 0x8000, 0x3c00, 0xc100, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x0001, 0x03ff, 0x0400, 0x2e66,
      0x4248, 0x8001];
    const t = await context.createExportableTensor({ dataType: 'float16', shape: [bits.length], readable: true, writable: true }, device);
    context.writeTensor(t, new Uint16Array(bits));
    const buffer = context.exportToGPU(t);
    if (buffer.size !== 4 * Math.ceil(bits.length / 2)) throw new Error(`buffer of ${buffer.size} bytes`);
    const exported = await readHalves(device, buffer, bits.length + 1);
    if (hex(exported) !== hex([...bits, 0])) throw new Error(`exported ${hex(exported)}, expected ${hex([...bits, 0])}`);
    // WebGPU writes other halves; WebNN reads them once it takes the tensor back (unpacked on the GPU).
    const written = bits.map((b) => (b === 0x7e00 ? b : b ^ 0x8000)).reverse();
    device.queue.writeBuffer(buffer, 0, new Uint16Array([...written, 0]));
    const read = Array.from(new Uint16Array(await context.readTensor(t)));
    if (hex(read) !== hex(written)) throw new Error(`read back ${hex(read)}, expected ${hex(written)}`);
    if (!await isDestroyed(device, buffer)) throw new Error('the buffer is still usable after WebNN took the tensor back');
    t.destroy();
  });

  it('float16: tensors of more elements than one dimension of workgroups covers convert whole, both ways', async () => {
    // 64-element workgroups, at most 65535 of them along x: the packing (two elements an invocation) and the unpacking
    // both need a second dimension here.
    const count = 2 * 65535 * 64 + 3;
    const pattern = (i: number) => (i * 7919) % 0x7c00;
    const t = await context.createExportableTensor({ dataType: 'float16', shape: [count], readable: true, writable: true }, device);
    context.writeTensor(t, Uint16Array.from({ length: count }, (_, i) => pattern(i)));
    const buffer = context.exportToGPU(t);
    const exported = await readHalves(device, buffer, count);
    const wrongExport = exported.findIndex((bits, i) => bits !== pattern(i));
    if (wrongExport >= 0) throw new Error(`exported[${wrongExport}] = ${exported[wrongExport]}, expected ${pattern(wrongExport)}`);
    device.queue.writeBuffer(buffer, 0, Uint16Array.from({ length: count + 1 }, (_, i) => 0x8000 | pattern(i + 1)));
    const read = new Uint16Array(await context.readTensor(t));
    const wrongRead = read.findIndex((bits, i) => bits !== (0x8000 | pattern(i + 1)));
    if (wrongRead >= 0) throw new Error(`read[${wrongRead}] = ${read[wrongRead]}, expected ${0x8000 | pattern(wrongRead + 1)}`);
    t.destroy();
  });

  it('float16: a graph\'s results exported round to the nearest float16, ties to even, overflowing to Infinity', async () => {
    // Integers, four neighbours of 1 (plus 2^-11 each is a tie), and the largest float16 (doubled: beyond it).
    const xs = [...Array.from({ length: 37 }, (_, i) => (i - 18) * 97), 1, 1 + 2 ** -10, 1 + 2 ** -9, 1 + 3 * 2 ** -10, 65504];
    const shape = [xs.length];
    const b = newBuilder(context);
    const x = b.input('x', { dataType: 'float16', shape });
    const three = b.constant({ dataType: 'float16', shape: [] }, new Uint16Array([halfBits(3)]));
    const nudge = b.constant({ dataType: 'float16', shape: [] }, new Uint16Array([halfBits(2 ** -11)]));
    const graph = await b.build({ third: b.div(x, three), twice: b.add(x, x), nudged: b.add(x, nudge) });
    const input = await context.createExportableTensor({ dataType: 'float16', shape, writable: true }, device);
    const third = await context.createExportableTensor({ dataType: 'float16', shape }, device);
    const twice = await context.createExportableTensor({ dataType: 'float16', shape }, device);
    const nudged = await context.createExportableTensor({ dataType: 'float16', shape }, device);
    context.writeTensor(input, new Uint16Array(xs.map(halfBits)));
    context.dispatch(graph, { x: input }, { third, twice, nudged });
    const expect = async (tensor: MLTensor, reference: (v: number) => number, what: string) => {
      const actual = await readHalves(device, context.exportToGPU(tensor), shape[0]!);
      const wanted = xs.map((v) => halfBits(nearestHalf(reference(v))));
      if (hex(actual) !== hex(wanted)) throw new Error(`${what}: ${hex(actual)}, expected ${hex(wanted)}`);
    };
    await expect(third, (v) => v / 3, 'x / 3');
    await expect(twice, (v) => 2 * v, 'x + x');
    await expect(nudged, (v) => v + 2 ** -11, 'x + 2^-11');
    graph.destroy();
  });

  it('losing the context destroys its exported buffers', async () => {
    const own = await ml().createContext(device as never) as ExportingContext;
    const t = await own.createExportableTensor(desc, device);
    const buffer = own.exportToGPU(t);
    own.destroy();
    if (!await isDestroyed(device, buffer)) throw new Error('the exported buffer outlived its context');
    let error: unknown = null;
    try {
      own.exportToGPU(t);
    } catch (e) {
      error = e;
    }
    if (!(error instanceof TypeError)) throw new Error(`exportToGPU() after the loss: ${String(error)}`);
  });
});

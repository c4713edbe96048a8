/**
 * navigator.ml.createContext(gpuDevice) [webgpu]: contexts whose TF.js webgpu backend runs on the page's own GPUDevice
 * (on this machine SwiftShader's, with --enable-unsafe-webgpu), side by side with other devices and backends; devices
 * the polyfill cannot use; a lost device loses its contexts. Values are checked against float64 sums computed here.
 */
import type { MLContext, MLTensor } from '../../src/index.js';
import { assertThrows } from '../util/harness.js';
import { addGraph, backendOf, ml, newContext, readFloat32 } from '../api/api-util.js';
import { later, within } from '../api/fault-util.js';
import { contextSlots, tensorSlots } from '../../src/api/internals.js';
import { tf } from '../../src/runtime/backends.js';
import { loadFrame, SCRIPT } from './script-tag-util.js';
// The entry that carries the webgpu backend; createContext(gpuDevice) needs it.
import '../../src/webgpu.js';

async function newDevice(gpu: GPU = navigator.gpu): Promise<GPUDevice> {
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() gave no adapter');
  return adapter.requestDevice();
}

const contextOn = (device: GPUDevice) => ml().createContext(device as never);

/** The GPUDevice whose buffer holds `tensor`'s data: that of the TF.js webgpu instance holding it. */
function deviceHolding(tensor: MLTensor): GPUDevice | undefined {
  const data = tensorSlots.get(tensor, 'test').data as tf.Tensor;
  const info = (tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, { backend: { device?: GPUDevice } }> } })
    .state.tensorInfo.get(data.dataId);
  return info?.backend.device;
}

/** x + y on a fresh add graph of `context`, with inputs made from `seed`; checks the sums against float64 ones. */
async function checkSums(context: MLContext, seed: number): Promise<MLTensor> {
  const { graph, x, y, out } = await addGraph(context);
  const xs = [1, 2, 3, 4].map((v) => Math.fround(v * seed + 0.25));
  const ys = [9, 10, 11, 12].map((v) => Math.fround(v / seed));
  context.writeTensor(x, new Float32Array(xs));
  context.writeTensor(y, new Float32Array(ys));
  context.dispatch(graph, { x, y }, { out });
  const actual = await readFloat32(context, out);
  const expected = xs.map((v, i) => v + ys[i]!);
  actual.forEach((v, i) => {
    if (Math.abs(v - expected[i]!) > 1e-6 * Math.abs(expected[i]!)) throw new Error(`sums ${actual.join()} != ${expected.join()}`);
  });
  return out;
}

describe('contexts on a GPUDevice [webgpu]', function () {
  // SwiftShader compiles every shader on the CPU: the first graphs take seconds.
  this.timeout(120000);

  before(function () {
    if (!('gpu' in navigator)) throw new Error('navigator.gpu is absent: Chromium was started without --enable-unsafe-webgpu');
  });

  it('computes on the very device it was made from, on TF.js webgpu, accelerated', async () => {
    const device = await newDevice();
    const context = await contextOn(device);
    try {
      if (backendOf(context) !== 'webgpu') throw new Error(`context on ${backendOf(context)}`);
      if (!context.accelerated) throw new Error('a context on a GPUDevice is not accelerated');
      const out = await checkSums(context, 3);
      if (deviceHolding(out) !== device) throw new Error("the result is not in a buffer of the context's device");
    } finally {
      context.destroy();
      device.destroy();
    }
  });

  it('several devices, TF.js\'s own webgpu and the cpu backend side by side, work interleaved', async () => {
    const devices = [await newDevice(), await newDevice()];
    const onDevices = await Promise.all(devices.map(contextOn));
    const onWebgpu = await newContext('webgpu');
    const onCpu = await newContext('cpu');
    const contexts = [...onDevices, onWebgpu, onCpu];
    try {
      const outs = await Promise.all(contexts.map((context, i) => checkSums(context, i + 2)));
      if (deviceHolding(outs[0]!) !== devices[0] || deviceHolding(outs[1]!) !== devices[1]) {
        throw new Error('a device context computed on another device');
      }
      const own = deviceHolding(outs[2]!);
      if (!own || devices.includes(own)) throw new Error("the webgpu context did not compute on TF.js's own device");
      // And again, each context's work after the others'.
      for (const [i, context] of contexts.entries()) await checkSums(context, i + 7);
      if (contextSlots.get(onDevices[0], 'test').device !== contextSlots.get(await contextOn(devices[0]!), 'test').device) {
        throw new Error('two contexts on one device do not share its TF.js backend');
      }
    } finally {
      for (const context of contexts) context.destroy();
      for (const device of devices) device.destroy();
    }
  });

  it("leaves the app's TF.js on TF.js's own webgpu backend, active, while a context on a device computes", async () => {
    const previous = tf.getBackend();
    await tf.setBackend('webgpu');
    const own = tf.backend();
    const device = await newDevice();
    const context = await contextOn(device);
    try {
      const out = await checkSums(context, 9);
      if (deviceHolding(out) !== device) throw new Error("the result is not in a buffer of the context's device");
      if (tf.getBackend() !== 'webgpu' || tf.backend() !== own) throw new Error("TF.js's active backend changed");
      const sum = await tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).data();
      if (sum.join() !== '4,6') throw new Error(`the app's TF.js computed ${sum.join()}`);
    } finally {
      context.destroy();
      device.destroy();
      if (previous) await tf.setBackend(previous);
    }
  });

  it('rejects a device that is lost, and an object that is not a real GPUDevice, with a NotSupportedError saying why', async () => {
    const device = await newDevice();
    device.destroy();
    await device.lost;
    await assertThrows(() => contextOn(device), 'NotSupportedError', /GPUDevice was lost \(destroyed\)/);
    const fake = Object.create(GPUDevice.prototype) as GPUDevice;
    await assertThrows(() => contextOn(fake), 'NotSupportedError', /not a GPUDevice/);
  });

  it('without the webgpu entry (the full script bundle) rejects with a NotSupportedError naming the entry', async () => {
    const frame = await loadFrame(`<script src="${SCRIPT}"></script>`) as unknown as Window & typeof globalThis & {
      navigator: Navigator & { ml: { createContext(device: GPUDevice): Promise<unknown> } };
    };
    try {
      const device = await newDevice(frame.navigator.gpu);
      await assertThrows(() => frame.navigator.ml.createContext(device), 'NotSupportedError', /webnn-tfjs-polyfill\/webgpu/);
      device.destroy();
    } finally {
      frame.frameElement?.remove();
    }
  });

  it('destroy() of a context on a device loses that context alone: the device and its other contexts go on', async () => {
    const device = await newDevice();
    const destroyed = await contextOn(device);
    const sibling = await contextOn(device);
    try {
      const { graph, x, y, out } = await addGraph(destroyed);
      destroyed.writeTensor(x, new Float32Array([1, 2, 3, 4]));
      destroyed.dispatch(graph, { x, y }, { out });
      const pendingRead = later(destroyed.readTensor(out));
      destroyed.destroy();
      const info = await within(destroyed.lost, 5000, 'lost of the destroyed context');
      if (!/destroy\(\) was called/.test(info.message)) throw new Error(`lost: ${info.message}`);
      await assertThrows(() => within(pendingRead, 10_000, 'a read queued before destroy()'), 'InvalidStateError');
      await assertThrows(() => destroyed.createTensor({ dataType: 'float32', shape: [2] }), 'InvalidStateError');
      await checkSums(sibling, 4);
      // The app's device is untouched: its own work still runs.
      device.pushErrorScope('validation');
      const buffer = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(buffer, 0, new Float32Array([1, 2, 3, 4]));
      await device.queue.onSubmittedWorkDone();
      const error = await device.popErrorScope();
      if (error) throw new Error(`the device after destroy(): ${error.message}`);
      buffer.destroy();
      await checkSums(await contextOn(device), 6);
    } finally {
      sibling.destroy();
      device.destroy();
    }
  });

  it('device.destroy() loses its contexts: lost resolves with why, queued work rejects, later calls fail; others go on', async () => {
    const [device, other] = [await newDevice(), await newDevice()];
    const lostOne = await contextOn(device);
    const lostTwo = await contextOn(device);
    const survivor = await contextOn(other);
    try {
      const { graph, x, y, out } = await addGraph(lostOne);
      lostOne.writeTensor(x, new Float32Array([1, 2, 3, 4]));
      lostOne.dispatch(graph, { x, y }, { out });
      const pendingRead = later(lostOne.readTensor(out));
      device.destroy();
      const infos = await within(Promise.all([lostOne.lost, lostTwo.lost]), 10_000, 'lost of the contexts on the device');
      for (const info of infos) if (!/GPUDevice was lost \(destroyed\)/.test(info.message)) throw new Error(`lost: ${info.message}`);
      await assertThrows(() => within(pendingRead, 10_000, 'a read queued before the loss'), 'InvalidStateError');
      await assertThrows(() => lostOne.createTensor({ dataType: 'float32', shape: [2] }), 'InvalidStateError');
      await assertThrows(() => lostOne.readTensor(out), 'TypeError', 'destroyed');
      let dispatchError: unknown = null;
      try {
        lostOne.dispatch(graph, { x, y }, { out });
      } catch (error) {
        dispatchError = error;
      }
      // The loss destroyed the graph (and the tensors).
      if (!(dispatchError instanceof DOMException) || dispatchError.name !== 'InvalidStateError') {
        throw new Error(`dispatch after the loss: ${String(dispatchError)}`);
      }
      await checkSums(survivor, 5);
      await assertThrows(() => contextOn(device), 'NotSupportedError', /lost/);
    } finally {
      survivor.destroy();
      other.destroy();
    }
  });
});

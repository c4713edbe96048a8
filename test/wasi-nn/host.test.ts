/**
 * The wasi-nn host driven directly: requests as the imports read them, and the imports' lowering against a wasm
 * memory (records, lists and result pointers as witx lays them out), without a module.
 */
import { assertClose, contextFor, forEachBackend, withDynamicShapes } from '../util/harness.js';
import { OnnxModelWriter } from '../browser/onnx/model-writer.js';
import { asynchronousCall, MemorySlot } from '../../src/wasi-nn/binding.js';
import { blockingWasiNnImports, NnErrno, TensorType, WasiNnHost, type WasiNnRequest } from '../../src/wasi-nn.js';
import { classifierModel, classifierReference, CLASSES, FEATURES, SAMPLES } from './classifier.js';

const f32Bytes = (values: readonly number[]) => new Uint8Array(Float32Array.from(values).buffer);

async function expectErrno(host: WasiNnHost, request: WasiNnRequest, errno: number) {
  const response = await host.call(request);
  if (response.errno !== errno) throw new Error(`${request.call}: errno ${response.errno}, expected ${errno}`);
  return response;
}

forEachBackend('wasi-nn host', (backend) => {
  const createContext = () => contextFor(backend);

  it('load, init_execution_context, set_input, compute and get_output compute the classifier', async () => {
    const host = new WasiNnHost({ createContext });
    const graph = (await expectErrno(host, { call: 'load', builders: [classifierModel()], encoding: 1, target: 0 }, 0)).handle!;
    const context = (await expectErrno(host, { call: 'init_execution_context', graph }, 0)).handle!;
    const x = SAMPLES[1]!;
    await expectErrno(host, { call: 'set_input', context, index: 0, tensor: { dimensions: [1, FEATURES], type: TensorType.f32, data: f32Bytes(x) } }, 0);
    await expectErrno(host, { call: 'compute', context }, 0);
    const { bytes } = await expectErrno(host, { call: 'get_output', context, index: 0, maxSize: 1024 }, 0);
    const scores = Array.from(new Float32Array(bytes!.slice().buffer));
    assertClose({ dataType: 'float32', shape: [1, scores.length], data: scores }, { shape: [1, CLASSES], data: classifierReference(x) });
    host.destroy();
  });

  it('an operator the importer does not map is unsupported_operation; load_by_name finds the named models only', async () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [2]);
    w.nodeWithOutputs('NoSuchOperator', 'n', ['x'], ['y']);
    w.output('y', [2]);
    const host = new WasiNnHost({ createContext, namedModels: { classifier: classifierModel() } });
    await expectErrno(host, { call: 'load', builders: [w.encode()], encoding: 1, target: 0 }, NnErrno.unsupportedOperation);
    await expectErrno(host, { call: 'load_by_name', name: 'classifier' }, NnErrno.success);
    await expectErrno(host, { call: 'load_by_name', name: 'toString' }, NnErrno.notFound);
    host.destroy();
  });

  it('a context that cannot be made is runtime_error, and the next load asks again', async () => {
    let attempts = 0;
    const host = new WasiNnHost({
      createContext: () => (++attempts === 1 ? Promise.reject(new Error('no device')) : contextFor(backend)),
    });
    const load: WasiNnRequest = { call: 'load', builders: [classifierModel()], encoding: 1, target: 1 };
    await expectErrno(host, load, NnErrno.runtimeError);
    await expectErrno(host, load, NnErrno.success);
    if (attempts !== 2) throw new Error(`${attempts} attempts`);
    host.destroy();
  });
});

forEachBackend('wasi-nn host, with the dynamic-shape proposal on', (backend) => {
  withDynamicShapes(true);

  it('a model\'s named dimension takes the size each set_input gives it', async () => {
    const host = new WasiNnHost({ createContext: () => contextFor(backend) });
    const graph = (await expectErrno(host, { call: 'load', builders: [classifierModel('batch')], encoding: 1, target: 0 }, 0)).handle!;
    const context = (await expectErrno(host, { call: 'init_execution_context', graph }, 0)).handle!;
    for (const rows of [[SAMPLES[0]!, SAMPLES[2]!], [SAMPLES[1]!, SAMPLES[0]!, SAMPLES[2]!]]) {
      const tensor = { dimensions: [rows.length, FEATURES], type: TensorType.f32, data: f32Bytes(rows.flat()) };
      await expectErrno(host, { call: 'set_input', context, index: 0, tensor }, 0);
      await expectErrno(host, { call: 'compute', context }, 0);
      const { bytes } = await expectErrno(host, { call: 'get_output', context, index: 0, maxSize: 1024 }, 0);
      const scores = Array.from(new Float32Array(bytes!.slice().buffer));
      assertClose({ dataType: 'float32', shape: [rows.length, CLASSES], data: scores },
        { shape: [rows.length, CLASSES], data: rows.flatMap((x) => classifierReference(x)) });
    }
    // The static dimension still has to match.
    const wide = { dimensions: [1, FEATURES + 1], type: TensorType.f32, data: f32Bytes(new Array<number>(FEATURES + 1).fill(0)) };
    await expectErrno(host, { call: 'set_input', context, index: 0, tensor: wide }, NnErrno.invalidArgument);
    host.destroy();
  });
});

describe('wasi-nn imports on a wasm memory', () => {
  // A memory laid out as a module would: the model at 4096, its builder list at 64, the input's record at 128.
  function setUp() {
    const memory = new WebAssembly.Memory({ initial: 2 });
    const model = classifierModel();
    new Uint8Array(memory.buffer).set(model, 4096);
    const view = new DataView(memory.buffer);
    view.setUint32(64, 4096, true);
    view.setUint32(68, model.byteLength, true);
    // dimensions [1, 4] at 256, values at 512; the $tensor record at 128: (dims ptr, len), type u8, (data ptr, len).
    view.setUint32(256, 1, true);
    view.setUint32(260, FEATURES, true);
    SAMPLES[2]!.forEach((v, k) => view.setFloat32(512 + 4 * k, v, true));
    view.setUint32(128, 256, true);
    view.setUint32(132, 2, true);
    view.setUint8(136, TensorType.f32);
    view.setUint32(140, 512, true);
    view.setUint32(144, 4 * FEATURES, true);
    return { memory, view };
  }

  it('read their arguments from memory and write their results through the result pointers', async () => {
    const { memory, view } = setUp();
    const host = new WasiNnHost({ createContext: () => contextFor('cpu') });
    const slot = new MemorySlot();
    const call = (name: Parameters<typeof asynchronousCall>[1]) => asynchronousCall(slot, name, (r) => host.call(r));
    if (await call('load')(64, 1, 1, 0, 32) !== NnErrno.missingMemory) throw new Error('a call before bind() is not missing_memory');
    slot.bind(memory);
    if (await call('load')(64, 1, 1, 0, 32) !== 0) throw new Error('load failed');
    if (await call('init_execution_context')(view.getUint32(32, true), 36) !== 0) throw new Error('init_execution_context failed');
    const context = view.getUint32(36, true);
    if (await call('set_input')(context, 0, 128) !== 0) throw new Error('set_input failed');
    if (await call('compute')(context) !== 0) throw new Error('compute failed');
    // The output buffer at 1024, its size written at 40; a buffer beyond the memory's end is invalid_argument.
    if (await call('get_output')(context, 0, memory.buffer.byteLength - 4, 64, 40) !== NnErrno.invalidArgument) {
      throw new Error('an output buffer outside the memory was taken');
    }
    if (await call('get_output')(context, 0, 1024, 64, 40) !== 0) throw new Error('get_output failed');
    const written = view.getUint32(40, true);
    const scores = Array.from({ length: written / 4 }, (_, k) => view.getFloat32(1024 + 4 * k, true));
    assertClose({ dataType: 'float32', shape: [1, scores.length], data: scores }, { shape: [1, CLASSES], data: classifierReference(SAMPLES[2]!) });
    host.destroy();
  });

  it('of the worker path give runtime_error when no answer comes in time, or the call cannot be posted', () => {
    const { memory } = setUp();
    const silent = blockingWasiNnImports({ postMessage: () => undefined }, { timeout: 20 });
    silent.bind(memory);
    const closed = blockingWasiNnImports({ postMessage: () => { throw new Error('the port is closed'); } });
    closed.bind(memory);
    for (const [label, binding] of [['unanswered', silent], ['unposted', closed]] as const) {
      const errno = binding.imports.init_execution_context(0, 36);
      if (errno !== NnErrno.runtimeError) throw new Error(`${label}: errno ${String(errno)}`);
    }
  });

  it('take negative i32 arguments as the unsigned values they are', async () => {
    const { memory } = setUp();
    const host = new WasiNnHost({ createContext: () => contextFor('cpu') });
    const slot = new MemorySlot();
    slot.bind(memory);
    // 0xfffffff0 as wasm passes it to JavaScript: -16.
    const errno = await asynchronousCall(slot, 'load', (r) => host.call(r))(-16, 1, 1, 0, 32);
    if (errno !== NnErrno.invalidArgument) throw new Error(`errno ${errno}`);
  });
});

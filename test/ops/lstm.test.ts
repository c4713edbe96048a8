import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, typedArrayFor,
  type TensorValue,
} from '../util/harness.js';
import { checkDispatchesKeepTensors, checkFloatLimits, planStepCount, seededConstant, type Builder } from './recurrent-test-util.js';

type Activation = 'relu' | 'sigmoid' | 'tanh';
type Layout = 'iofg' | 'ifgo';
type Direction = 'forward' | 'backward' | 'both';

const ACTIVATION: Record<Activation, (x: number) => number> = {
  relu: (x) => Math.max(x, 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};

/** Row offsets (in units of hiddenSize) of the input, output, forget and cell gates in each layout. */
const GATE_ROWS: Record<Layout, { i: number; o: number; f: number; g: number }> = {
  iofg: { i: 0, o: 1, f: 2, g: 3 },
  ifgo: { i: 0, f: 1, g: 2, o: 3 },
};
/** Peephole weights are packed input, output, forget in every layout. */
const PEEPHOLE_ROWS = { i: 0, o: 1, f: 2 };

interface LstmCase {
  steps: number;
  batch: number;
  inputSize: number;
  hidden: number;
  layout?: Layout;
  direction?: Direction;
  returnSequence?: boolean;
  activations?: [Activation, Activation, Activation];
  bias?: boolean;
  recurrentBias?: boolean;
  peepholeWeight?: boolean;
  initialHiddenState?: boolean;
  initialCellState?: boolean;
}

interface LstmData {
  x: number[];
  w: number[];
  r: number[];
  bias: number[] | null;
  recurrentBias: number[] | null;
  peephole: number[] | null;
  h0: number[] | null;
  c0: number[] | null;
}

/**
 * One LSTM step for one direction, straight from the definition, in float64 (c is the cell state the step starts from):
 * i = f(c * pi + bi + rbi + x Wi + h Ri), f = f(c * pf + ...), o = f(c * po + ...), g = g(bg + rbg + x Wg + h Rg),
 * c' = f * c + i * g, h' = o * h(c').
 * w is [4H, I], rw [4H, H] row-major (this direction's slice); biases [4H], peephole [3H], or null.
 */
function lstmStep(x: readonly number[], h: readonly number[], c: readonly number[], w: readonly number[],
  rw: readonly number[], bias: readonly number[] | null, recurrentBias: readonly number[] | null,
  peephole: readonly number[] | null, lc: LstmCase, batch: number): { h: number[]; c: number[] } {
  const H = lc.hidden;
  const I = lc.inputSize;
  const rows = GATE_ROWS[lc.layout ?? 'iofg'];
  const [gateFn, cellFn, outFn] = (lc.activations ?? ['sigmoid', 'tanh', 'tanh']).map((a) => ACTIVATION[a]) as
    [(v: number) => number, (v: number) => number, (v: number) => number];
  const at = (v: readonly number[] | null, index: number) => (v ? v[index]! : 0);
  const hOut = new Array<number>(batch * H);
  const cOut = new Array<number>(batch * H);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < H; j++) {
      const pre = (gate: number) => {
        const row = gate * H + j;
        let s = at(bias, row) + at(recurrentBias, row);
        for (let k = 0; k < I; k++) s += x[b * I + k]! * w[row * I + k]!;
        for (let k = 0; k < H; k++) s += h[b * H + k]! * rw[row * H + k]!;
        return s;
      };
      const cell = c[b * H + j]!;
      const peep = (gate: number) => cell * at(peephole, gate * H + j);
      const i = gateFn(pre(rows.i) + peep(PEEPHOLE_ROWS.i));
      const f = gateFn(pre(rows.f) + peep(PEEPHOLE_ROWS.f));
      const o = gateFn(pre(rows.o) + peep(PEEPHOLE_ROWS.o));
      const g = cellFn(pre(rows.g));
      const next = f * cell + i * g;
      cOut[b * H + j] = next;
      hOut[b * H + j] = o * outFn(next);
    }
  }
  return { h: hOut, c: cOut };
}

/** The whole network: hidden and cell [D, B, H], sequence [S, D, B, H]. */
function lstmReference(lc: LstmCase, d: LstmData): { hidden: number[]; cell: number[]; sequence: number[] } {
  const { steps: S, batch: B, inputSize: I, hidden: H } = lc;
  const direction = lc.direction ?? 'forward';
  const D = direction === 'both' ? 2 : 1;
  const hidden = new Array<number>(D * B * H);
  const cell = new Array<number>(D * B * H);
  const sequence = new Array<number>(S * D * B * H);
  const part = (v: number[] | null, dir: number, n: number) => (v ? v.slice(dir * n, (dir + 1) * n) : null);
  for (let dir = 0; dir < D; dir++) {
    const w = part(d.w, dir, 4 * H * I)!;
    const rw = part(d.r, dir, 4 * H * H)!;
    let h = part(d.h0, dir, B * H) ?? new Array<number>(B * H).fill(0);
    let c = part(d.c0, dir, B * H) ?? new Array<number>(B * H).fill(0);
    const backward = direction === 'backward' || dir === 1;
    for (let s = 0; s < S; s++) {
      const t = backward ? S - 1 - s : s;
      ({ h, c } = lstmStep(d.x.slice(t * B * I, (t + 1) * B * I), h, c, w, rw, part(d.bias, dir, 4 * H),
        part(d.recurrentBias, dir, 4 * H), part(d.peephole, dir, 3 * H), lc, B));
      for (let i = 0; i < B * H; i++) sequence[((t * D + dir) * B * H) + i] = h[i]!;
    }
    for (let i = 0; i < B * H; i++) {
      hidden[dir * B * H + i] = h[i]!;
      cell[dir * B * H + i] = c[i]!;
    }
  }
  return { hidden, cell, sequence };
}

function makeLstmData(lc: LstmCase, dataType: MLOperandDataType, seed: number): LstmData {
  const D = lc.direction === 'both' ? 2 : 1;
  const { steps: S, batch: B, inputSize: I, hidden: H } = lc;
  const data = (n: number, k: number) => representable(randomData(n, seed * 37 + k, -1, 1), dataType);
  return {
    x: data(S * B * I, 1),
    w: data(D * 4 * H * I, 2),
    r: data(D * 4 * H * H, 3),
    bias: lc.bias ? data(D * 4 * H, 4) : null,
    recurrentBias: lc.recurrentBias ? data(D * 4 * H, 5) : null,
    peephole: lc.peepholeWeight ? data(D * 3 * H, 6) : null,
    h0: lc.initialHiddenState ? data(D * B * H, 7) : null,
    c0: lc.initialCellState ? data(D * B * H, 8) : null,
  };
}

const OPTIONAL_OPERANDS = ['bias', 'recurrentBias', 'peepholeWeight', 'initialHiddenState', 'initialCellState'] as const;

function describeCase(lc: LstmCase): string {
  const parts = [`S${lc.steps} B${lc.batch} I${lc.inputSize} H${lc.hidden}`, lc.layout ?? 'iofg', lc.direction ?? 'forward'];
  if (lc.returnSequence) parts.push('returnSequence');
  if (lc.activations) parts.push(`[${lc.activations.join(', ')}]`);
  const present = OPTIONAL_OPERANDS.filter((k) => lc[k]);
  parts.push(present.length ? `with ${present.join(', ')}` : 'no optional operands');
  return parts.join(', ');
}

const expectedIn = (data: readonly number[], dataType: MLOperandDataType) =>
  (dataType === 'float16' ? representable(data, 'float16') : [...data]);

async function runLstm(backend: string, lc: LstmCase, dataType: MLOperandDataType, seed: number, constantWeights = false) {
  const d = makeLstmData(lc, dataType, seed);
  const D = lc.direction === 'both' ? 2 : 1;
  const { steps: S, batch: B, inputSize: I, hidden: H } = lc;
  const value = (shape: number[], data: number[]): TensorValue => ({ dataType, shape, data });
  const inputs: Record<string, TensorValue> = { x: value([S, B, I], d.x) };
  const weights: Record<string, TensorValue> = { w: value([D, 4 * H, I], d.w), r: value([D, 4 * H, H], d.r) };
  if (d.bias) weights['bias'] = value([D, 4 * H], d.bias);
  if (d.recurrentBias) weights['recurrentBias'] = value([D, 4 * H], d.recurrentBias);
  if (d.peephole) weights['peepholeWeight'] = value([D, 3 * H], d.peephole);
  if (!constantWeights) Object.assign(inputs, weights);
  if (d.h0) inputs['initialHiddenState'] = value([D, B, H], d.h0);
  if (d.c0) inputs['initialCellState'] = value([D, B, H], d.c0);
  const result = await runGraph(backend as never, inputs, (builder, ops) => {
    const b = builder as Builder;
    const operand = (name: string) =>
      (constantWeights ? b.constant({ dataType, shape: weights[name]!.shape }, typedArrayFor(weights[name]!)) : ops[name]!);
    const options: Record<string, unknown> = {};
    if (lc.layout) options['layout'] = lc.layout;
    if (lc.direction) options['direction'] = lc.direction;
    if (lc.returnSequence !== undefined) options['returnSequence'] = lc.returnSequence;
    if (lc.activations) options['activations'] = lc.activations;
    for (const name of ['bias', 'recurrentBias', 'peepholeWeight'] as const) if (weights[name]) options[name] = operand(name);
    for (const name of ['initialHiddenState', 'initialCellState'] as const) if (inputs[name]) options[name] = ops[name];
    const outs = b['lstm']!(ops['x'], operand('w'), operand('r'), S, H, options) as MLOperand[];
    if (!Array.isArray(outs) || outs.length !== (lc.returnSequence ? 3 : 2)) {
      throw new Error('lstm returned the wrong number of outputs');
    }
    const named: Record<string, MLOperand> = { hidden: outs[0]!, cell: outs[1]! };
    if (lc.returnSequence) named['sequence'] = outs[2]!;
    return named;
  });
  const expected = lstmReference(lc, d);
  assertClose(result['hidden']!, { shape: [D, B, H], data: expectedIn(expected.hidden, dataType) }, undefined, 'hidden');
  assertClose(result['cell']!, { shape: [D, B, H], data: expectedIn(expected.cell, dataType) }, undefined, 'cell');
  if (lc.returnSequence) {
    assertClose(result['sequence']!, { shape: [S, D, B, H], data: expectedIn(expected.sequence, dataType) }, undefined,
      'sequence');
  }
}

/** Every layout and direction, with and without peepholes; the other optional operands and returnSequence varied. */
function lstmCases(): LstmCase[] {
  const cases: LstmCase[] = [];
  let k = 0;
  for (const layout of ['iofg', 'ifgo'] as const) {
    for (const direction of ['forward', 'backward', 'both'] as const) {
      for (const peepholeWeight of [true, false]) {
        cases.push({
          steps: 3, batch: 1 + (k % 2), inputSize: 3, hidden: 2, layout, direction, peepholeWeight,
          returnSequence: k % 3 !== 1,
          bias: k % 2 === 0, recurrentBias: k % 4 !== 3, initialHiddenState: k % 3 !== 2, initialCellState: k % 5 !== 4,
        });
        k++;
      }
    }
  }
  return cases;
}

type LstmCellCase = Omit<LstmCase, 'steps' | 'direction' | 'returnSequence' | 'initialHiddenState' | 'initialCellState'>;

async function runLstmCell(backend: string, c: LstmCellCase, dataType: MLOperandDataType, seed: number) {
  const full: LstmCase = { ...c, steps: 1, initialHiddenState: true, initialCellState: true };
  const d = makeLstmData(full, dataType, seed);
  const { batch: B, inputSize: I, hidden: H } = c;
  const value = (shape: number[], data: number[]): TensorValue => ({ dataType, shape, data });
  const inputs: Record<string, TensorValue> = {
    x: value([B, I], d.x), w: value([4 * H, I], d.w), r: value([4 * H, H], d.r), h: value([B, H], d.h0!),
    c: value([B, H], d.c0!),
  };
  if (d.bias) inputs['bias'] = value([4 * H], d.bias);
  if (d.recurrentBias) inputs['recurrentBias'] = value([4 * H], d.recurrentBias);
  if (d.peephole) inputs['peepholeWeight'] = value([3 * H], d.peephole);
  const result = await runGraph(backend as never, inputs, (builder, ops) => {
    const options: Record<string, unknown> = {};
    if (c.layout) options['layout'] = c.layout;
    if (c.activations) options['activations'] = c.activations;
    for (const name of ['bias', 'recurrentBias', 'peepholeWeight'] as const) if (inputs[name]) options[name] = ops[name];
    const outs = (builder as Builder)['lstmCell']!(ops['x'], ops['w'], ops['r'], ops['h'], ops['c'], H, options) as MLOperand[];
    if (!Array.isArray(outs) || outs.length !== 2) throw new Error('lstmCell must return [hidden, cell]');
    return { hidden: outs[0]!, cell: outs[1]! };
  });
  const expected = lstmStep(d.x, d.h0!, d.c0!, d.w, d.r, d.bias, d.recurrentBias, d.peephole, full, B);
  assertClose(result['hidden']!, { shape: [B, H], data: expectedIn(expected.h, dataType) }, undefined, 'hidden');
  assertClose(result['cell']!, { shape: [B, H], data: expectedIn(expected.c, dataType) }, undefined, 'cell');
}

forEachBackend('lstm', (backend) => {
  lstmCases().forEach((lc, i) => {
    it(`float32 ${describeCase(lc)}`, () => runLstm(backend, lc, 'float32', 100 + i));
  });

  const activationCases: LstmCase[] = [
    { steps: 2, batch: 2, inputSize: 2, hidden: 3, activations: ['sigmoid', 'relu', 'tanh'], bias: true, returnSequence: true,
      peepholeWeight: true },
    { steps: 3, batch: 1, inputSize: 2, hidden: 2, activations: ['tanh', 'sigmoid', 'relu'], direction: 'both', layout: 'ifgo',
      recurrentBias: true, initialHiddenState: true, initialCellState: true, returnSequence: true },
    { steps: 2, batch: 2, inputSize: 3, hidden: 2, activations: ['relu', 'tanh', 'sigmoid'], direction: 'backward',
      bias: true, recurrentBias: true, peepholeWeight: true, initialCellState: true },
  ];
  activationCases.forEach((lc, i) => {
    it(`float32 ${describeCase(lc)}`, () => runLstm(backend, lc, 'float32', 200 + i));
  });

  it('float32 one step, batch 3, every option', () => runLstm(backend,
    { steps: 1, batch: 3, inputSize: 4, hidden: 3, direction: 'both', returnSequence: true, bias: true, recurrentBias: true,
      peepholeWeight: true, initialHiddenState: true, initialCellState: true }, 'float32', 300));

  it('float32 longer sequence (8 steps)', () => runLstm(backend,
    { steps: 8, batch: 2, inputSize: 3, hidden: 4, direction: 'both', returnSequence: true, bias: true, recurrentBias: true,
      peepholeWeight: true, initialHiddenState: true, initialCellState: true, layout: 'ifgo' }, 'float32', 301));

  it('constant weights, biases and peepholes (rewritten once at build)', () => runLstm(backend,
    { steps: 3, batch: 2, inputSize: 3, hidden: 2, direction: 'both', layout: 'ifgo', returnSequence: true, bias: true,
      recurrentBias: true, peepholeWeight: true, initialCellState: true }, 'float32', 302, true));

  it('float16, both directions, ifgo, every option', () => runLstm(backend,
    { steps: 3, batch: 2, inputSize: 3, hidden: 2, direction: 'both', layout: 'ifgo', returnSequence: true, bias: true,
      recurrentBias: true, peepholeWeight: true, initialHiddenState: true, initialCellState: true }, 'float16', 303));

  it('float16, forward, iofg, no optional operands', () => runLstm(backend,
    { steps: 2, batch: 1, inputSize: 2, hidden: 3 }, 'float16', 304));

  it('every operand constant (lstm computed at build)', async () => {
    const lc: LstmCase = { steps: 2, batch: 1, inputSize: 2, hidden: 2, bias: true, peepholeWeight: true, returnSequence: true };
    const d = makeLstmData(lc, 'float32', 305);
    const result = await runGraph(backend, {}, (builder) => {
      const b = builder as Builder;
      const constant = (shape: number[], data: number[]) =>
        b.constant({ dataType: 'float32', shape }, typedArrayFor({ dataType: 'float32', shape, data }));
      const [hidden, cell, sequence] = b['lstm']!(constant([2, 1, 2], d.x), constant([1, 8, 2], d.w), constant([1, 8, 2], d.r),
        2, 2, { bias: constant([1, 8], d.bias!), peepholeWeight: constant([1, 6], d.peephole!), returnSequence: true },
      ) as MLOperand[];
      return { hidden: hidden!, cell: cell!, sequence: sequence! };
    });
    const expected = lstmReference(lc, d);
    assertClose(result['hidden']!, { shape: [1, 1, 2], data: expected.hidden });
    assertClose(result['cell']!, { shape: [1, 1, 2], data: expected.cell });
    assertClose(result['sequence']!, { shape: [2, 1, 1, 2], data: expected.sequence });
  });

  it('constant weights, biases and peepholes are rewritten at build: the plan keeps one step', async () => {
    const b = await builderFor(backend) as Builder;
    const x = b.input('x', { dataType: 'float32', shape: [4, 2, 3] });
    const constant = (shape: number[], seed: number) => seededConstant(b, shape, seed);
    const outs = b['lstm']!(x, constant([2, 8, 3], 1), constant([2, 8, 2], 2), 4, 2, {
      direction: 'both', layout: 'ifgo', bias: constant([2, 8], 3), recurrentBias: constant([2, 8], 4), peepholeWeight: constant([2, 6], 5),
    }) as MLOperand[];
    const graph = await b.build({ hidden: outs[0]! });
    const steps = planStepCount(graph);
    graph.destroy();
    if (steps !== 1) throw new Error(`${steps} plan steps`);
  });

  it('dispatches leave tf.memory().numTensors unchanged', () => checkDispatchesKeepTensors(backend, (b, x) =>
    b['lstm']!(x, seededConstant(b, [2, 8, 3], 1), seededConstant(b, [2, 8, 2], 2), 4, 2,
      { direction: 'both', returnSequence: true, bias: seededConstant(b, [2, 8], 3) }) as MLOperand[], 'out2'));

  it('reports limits under the IDL member names', () => checkFloatLimits(backend, {
    lstm: {
      input: 3, weight: 3, recurrentWeight: 3, bias: 2, recurrentBias: 2, peepholeWeight: 2, initialHiddenState: 3,
      initialCellState: 3, output0: 3, output1: 3, output2: 4,
    },
    lstmCell: {
      input: 2, weight: 2, recurrentWeight: 2, hiddenState: 2, cellState: 2, bias: 1, recurrentBias: 1, peepholeWeight: 1,
      output0: 2, output1: 2,
    },
  }));

  it('validation errors name lstm and the argument', async () => {
    const b = await builderFor(backend) as Builder;
    const f32 = (...shape: number[]) => b.input(`i${Math.random()}`, { dataType: 'float32', shape });
    const lstm = (...args: unknown[]) => b['lstm']!(...args);
    const x = f32(3, 2, 4);
    const w = f32(1, 8, 4);
    const r = f32(1, 8, 2);
    const ok = lstm(x, w, r, 3, 2, {
      bias: f32(1, 8), recurrentBias: f32(1, 8), peepholeWeight: f32(1, 6), initialHiddenState: f32(1, 2, 2),
      initialCellState: f32(1, 2, 2),
    }) as MLOperand[];
    if (ok.length !== 2 || ok.some((o) => o.shape.join() !== '1,2,2')) throw new Error('valid lstm call');
    const seq = lstm(x, w, r, 3, 2, { returnSequence: true }) as MLOperand[];
    if (seq.length !== 3 || seq[2]!.shape.join() !== '3,1,2,2') throw new Error('valid lstm call with returnSequence');
    await assertThrows(() => lstm(x, w, r, 2, 2), 'TypeError', /lstm.*steps/);
    await assertThrows(() => lstm(x, w, r, 0, 2), 'TypeError', /lstm.*steps/);
    await assertThrows(() => lstm(x, w, r, 2 ** 32, 2), 'TypeError', /lstm.*steps/);
    await assertThrows(() => lstm(x, w, r, 3, 3), 'TypeError', /lstm.*weight/);
    await assertThrows(() => lstm(x, f32(1, 8, 3), r, 3, 2), 'TypeError', /lstm.*weight/);
    await assertThrows(() => lstm(x, f32(1, 6, 4), r, 3, 2), 'TypeError', /lstm.*weight/);
    await assertThrows(() => lstm(x, w, f32(1, 8, 3), 3, 2), 'TypeError', /lstm.*recurrentWeight/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { direction: 'both' }), 'TypeError', /lstm.*weight/);
    await assertThrows(() => lstm(x, f32(2, 8, 4), r, 3, 2, { direction: 'both' }), 'TypeError', /lstm.*recurrentWeight/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { bias: f32(1, 6) }), 'TypeError', /lstm.*options\.bias/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { bias: f32(8) }), 'TypeError', /lstm.*options\.bias/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { recurrentBias: f32(2, 8) }), 'TypeError', /lstm.*options\.recurrentBias/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { peepholeWeight: f32(1, 8) }), 'TypeError', /lstm.*options\.peepholeWeight/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { peepholeWeight: f32(6) }), 'TypeError', /lstm.*options\.peepholeWeight/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { initialHiddenState: f32(1, 3, 2) }), 'TypeError',
      /lstm.*options\.initialHiddenState/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { initialCellState: f32(2, 2) }), 'TypeError', /lstm.*options\.initialCellState/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { initialCellState: f32(1, 2, 3) }), 'TypeError',
      /lstm.*options\.initialCellState/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { activations: ['sigmoid', 'tanh'] }), 'TypeError', /lstm.*activations/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { activations: ['sigmoid', 'tanh', 'tanh', 'tanh'] }), 'TypeError',
      /lstm.*activations/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { activations: ['sigmoid', 'tanh', 'gelu'] }), 'TypeError', /lstm.*activations/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { activations: 'sigmoid' }), 'TypeError', /lstm.*activations/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { direction: 'up' }), 'TypeError', /lstm.*direction/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { layout: 'ifog' }), 'TypeError', /lstm.*layout/);
    await assertThrows(() => lstm(f32(3, 8), w, r, 3, 2), 'TypeError', /lstm.*input/);
    await assertThrows(() => lstm(x, f32(8, 4), r, 3, 2), 'TypeError', /lstm.*weight/);
    const f16 = b.input('f16', { dataType: 'float16', shape: [1, 8, 2] });
    await assertThrows(() => lstm(x, w, f16, 3, 2), 'TypeError', /lstm.*recurrentWeight.*float16/);
    const f16State = b.input('f16s', { dataType: 'float16', shape: [1, 2, 2] });
    await assertThrows(() => lstm(x, w, r, 3, 2, { initialCellState: f16State }), 'TypeError', /lstm.*initialCellState/);
    const i32 = b.input('i32', { dataType: 'int32', shape: [3, 2, 4] });
    await assertThrows(() => lstm(i32, w, r, 3, 2), 'TypeError', /lstm.*input.*int32/);
    await assertThrows(() => lstm(x, w, r, 3, 2, { peepholeWeight: [1, 2] }), 'TypeError', /lstm.*options\.peepholeWeight/);
    const other = await builderFor(backend);
    const foreign = other.input('x', { dataType: 'float32', shape: [1, 2, 2] });
    await assertThrows(() => lstm(x, w, r, 3, 2, { initialHiddenState: foreign }), 'TypeError', /lstm.*initialHiddenState/);
    await assertThrows(() => lstm(x, w, r, 3), 'TypeError', 'lstm');
  });

  it('lstmCell validation errors name lstmCell and the argument', async () => {
    const b = await builderFor(backend) as Builder;
    const f32 = (...shape: number[]) => b.input(`i${Math.random()}`, { dataType: 'float32', shape });
    const cell = (...args: unknown[]) => b['lstmCell']!(...args);
    const x = f32(2, 4);
    const w = f32(8, 4);
    const r = f32(8, 2);
    const h = f32(2, 2);
    const c = f32(2, 2);
    const ok = cell(x, w, r, h, c, 2, { bias: f32(8), recurrentBias: f32(8), peepholeWeight: f32(6) }) as MLOperand[];
    if (ok.length !== 2 || ok.some((o) => o.shape.join() !== '2,2')) throw new Error('valid lstmCell call');
    await assertThrows(() => cell(x, w, r, h, c, 3), 'TypeError', /lstmCell.*weight/);
    await assertThrows(() => cell(x, f32(8, 3), r, h, c, 2), 'TypeError', /lstmCell.*weight/);
    await assertThrows(() => cell(x, w, f32(8, 3), h, c, 2), 'TypeError', /lstmCell.*recurrentWeight/);
    await assertThrows(() => cell(x, w, r, f32(1, 2), c, 2), 'TypeError', /lstmCell.*hiddenState/);
    await assertThrows(() => cell(x, w, r, h, f32(2, 3), 2), 'TypeError', /lstmCell.*cellState/);
    await assertThrows(() => cell(x, w, r, h, f32(2, 2, 1), 2), 'TypeError', /lstmCell.*cellState/);
    await assertThrows(() => cell(x, w, r, h, c, 2, { bias: f32(6) }), 'TypeError', /lstmCell.*options\.bias/);
    await assertThrows(() => cell(x, w, r, h, c, 2, { recurrentBias: f32(1, 8) }), 'TypeError', /lstmCell.*options\.recurrentBias/);
    await assertThrows(() => cell(x, w, r, h, c, 2, { peepholeWeight: f32(8) }), 'TypeError', /lstmCell.*options\.peepholeWeight/);
    await assertThrows(() => cell(x, w, r, h, c, 2, { activations: ['tanh', 'tanh'] }), 'TypeError', /lstmCell.*activations/);
    await assertThrows(() => cell(x, w, r, h, c, 2, { layout: 'oifg' }), 'TypeError', /lstmCell.*layout/);
    await assertThrows(() => cell(f32(1, 2, 4), w, r, h, c, 2), 'TypeError', /lstmCell.*input/);
    const f16 = b.input('f16', { dataType: 'float16', shape: [2, 2] });
    await assertThrows(() => cell(x, w, r, h, f16, 2), 'TypeError', /lstmCell.*cellState.*float16/);
    await assertThrows(() => cell(x, w, r, h, c, NaN), 'TypeError', /lstmCell.*hiddenSize/);
    await assertThrows(() => cell(x, w, r, h, c), 'TypeError', 'lstmCell');
  });
});

forEachBackend('lstmCell', (backend) => {
  let k = 0;
  for (const layout of ['iofg', 'ifgo'] as const) {
    for (const peepholeWeight of [true, false]) {
      for (const biases of [[true, true], [true, false], [false, true], [false, false]] as const) {
        const c: LstmCellCase = {
          batch: 2, inputSize: 3, hidden: 2, layout, peepholeWeight, bias: biases[0], recurrentBias: biases[1],
        };
        const seed = 400 + k++;
        it(`float32 ${layout}, peephole ${peepholeWeight}, bias ${biases[0]}, recurrentBias ${biases[1]}`,
          () => runLstmCell(backend, c, 'float32', seed));
      }
    }
  }
  it('float32 default options', () => runLstmCell(backend, { batch: 1, inputSize: 2, hidden: 3 }, 'float32', 420));
  it('float32 activations [relu, sigmoid, tanh]', () => runLstmCell(backend,
    { batch: 3, inputSize: 2, hidden: 2, activations: ['relu', 'sigmoid', 'tanh'], bias: true, peepholeWeight: true }, 'float32',
    421));
  it('float32 activations [tanh, tanh, relu], ifgo', () => runLstmCell(backend,
    { batch: 2, inputSize: 2, hidden: 3, activations: ['tanh', 'tanh', 'relu'], layout: 'ifgo', recurrentBias: true },
    'float32', 422));
  it('float16 ifgo with every option', () => runLstmCell(backend,
    { batch: 2, inputSize: 3, hidden: 2, layout: 'ifgo', bias: true, recurrentBias: true, peepholeWeight: true }, 'float16', 423));

  it('chained cells equal lstm over the sequence', async () => {
    const lc: LstmCase = {
      steps: 3, batch: 2, inputSize: 2, hidden: 2, bias: true, recurrentBias: true, peepholeWeight: true,
      initialHiddenState: true, initialCellState: true, layout: 'ifgo',
    };
    const d = makeLstmData(lc, 'float32', 430);
    const value = (shape: number[], data: number[]): TensorValue => ({ dataType: 'float32', shape, data });
    const result = await runGraph(backend, {
      x: value([3, 2, 2], d.x), w: value([8, 2], d.w), r: value([8, 2], d.r), h: value([2, 2], d.h0!), c: value([2, 2], d.c0!),
      bias: value([8], d.bias!), rb: value([8], d.recurrentBias!), p: value([6], d.peephole!),
    }, (builder, ops) => {
      const b = builder as Builder;
      let [h, c] = [ops['h']!, ops['c']!];
      for (let t = 0; t < 3; t++) {
        const xt = b['reshape']!(b['slice']!(ops['x'], [t, 0, 0], [1, 2, 2]), [2, 2]) as MLOperand;
        [h, c] = b['lstmCell']!(xt, ops['w'], ops['r'], h, c, 2,
          { bias: ops['bias'], recurrentBias: ops['rb'], peepholeWeight: ops['p'], layout: 'ifgo' }) as [MLOperand, MLOperand];
      }
      return { h, c };
    });
    const expected = lstmReference(lc, d);
    assertClose(result['h']!, { shape: [2, 2], data: expected.hidden });
    assertClose(result['c']!, { shape: [2, 2], data: expected.cell });
  });
});

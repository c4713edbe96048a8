import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, typedArrayFor, type TensorValue,
} from '../util/harness.js';
import { checkDispatchesKeepTensors, checkFloatLimits, planStepCount, seededConstant, type Builder } from './recurrent-test-util.js';

type Activation = 'relu' | 'sigmoid' | 'tanh';
type Layout = 'zrn' | 'rzn';
type Direction = 'forward' | 'backward' | 'both';

const ACTIVATION: Record<Activation, (x: number) => number> = {
  relu: (x) => Math.max(x, 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};

/** Row offsets (in units of hiddenSize) of the update, reset and new gates in each layout. */
const GATE_ROWS: Record<Layout, { z: number; r: number; n: number }> = { zrn: { z: 0, r: 1, n: 2 }, rzn: { r: 0, z: 1, n: 2 } };

interface GruCase {
  steps: number;
  batch: number;
  inputSize: number;
  hidden: number;
  layout?: Layout;
  direction?: Direction;
  resetAfter?: boolean;
  returnSequence?: boolean;
  activations?: [Activation, Activation];
  bias?: boolean;
  recurrentBias?: boolean;
  initialHiddenState?: boolean;
}

interface GruData {
  x: number[];
  w: number[];
  r: number[];
  bias: number[] | null;
  recurrentBias: number[] | null;
  h0: number[] | null;
}

/**
 * One GRU step for one direction, straight from the definition, in float64:
 * z = f(x Wz + h Rz + bz + rbz), r = f(x Wr + h Rr + br + rbr),
 * n = g(x Wn + bn + r * (h Rn + rbn)) when resetAfter, else g(x Wn + bn + rbn + (r * h) Rn),
 * h' = z * h + (1 - z) * n.
 * w is [3H, I] and rw [3H, H] row-major (this direction's slice); biases [3H] or null.
 */
function gruStep(x: readonly number[], h: readonly number[], w: readonly number[], rw: readonly number[],
  bias: readonly number[] | null, recurrentBias: readonly number[] | null, c: GruCase, batch: number): number[] {
  const H = c.hidden;
  const I = c.inputSize;
  const rows = GATE_ROWS[c.layout ?? 'zrn'];
  const [f, g] = (c.activations ?? ['sigmoid', 'tanh']).map((a) => ACTIVATION[a]) as [(v: number) => number, (v: number) => number];
  const resetAfter = c.resetAfter ?? true;
  const xDot = (b: number, row: number) => {
    let s = 0;
    for (let k = 0; k < I; k++) s += x[b * I + k]! * w[row * I + k]!;
    return s;
  };
  const hDot = (state: readonly number[], b: number, row: number) => {
    let s = 0;
    for (let k = 0; k < H; k++) s += state[b * H + k]! * rw[row * H + k]!;
    return s;
  };
  const bAt = (v: readonly number[] | null, row: number) => (v ? v[row]! : 0);
  const out = new Array<number>(batch * H);
  const reset = new Array<number>(batch * H);
  const update = new Array<number>(batch * H);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < H; j++) {
      const zRow = rows.z * H + j;
      const rRow = rows.r * H + j;
      update[b * H + j] = f(xDot(b, zRow) + hDot(h, b, zRow) + bAt(bias, zRow) + bAt(recurrentBias, zRow));
      reset[b * H + j] = f(xDot(b, rRow) + hDot(h, b, rRow) + bAt(bias, rRow) + bAt(recurrentBias, rRow));
    }
  }
  const resetHidden = h.map((v, i) => v * reset[i]!);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < H; j++) {
      const nRow = rows.n * H + j;
      const i = b * H + j;
      const n = resetAfter
        ? g(xDot(b, nRow) + bAt(bias, nRow) + reset[i]! * (hDot(h, b, nRow) + bAt(recurrentBias, nRow)))
        : g(xDot(b, nRow) + bAt(bias, nRow) + bAt(recurrentBias, nRow) + hDot(resetHidden, b, nRow));
      out[i] = update[i]! * h[i]! + (1 - update[i]!) * n;
    }
  }
  return out;
}

/** The whole network: returns [hidden [D, B, H], sequence [S, D, B, H]]. */
function gruReference(c: GruCase, d: GruData): { hidden: number[]; sequence: number[] } {
  const { steps: S, batch: B, inputSize: I, hidden: H } = c;
  const direction = c.direction ?? 'forward';
  const D = direction === 'both' ? 2 : 1;
  const hidden = new Array<number>(D * B * H);
  const sequence = new Array<number>(S * D * B * H);
  for (let dir = 0; dir < D; dir++) {
    const w = d.w.slice(dir * 3 * H * I, (dir + 1) * 3 * H * I);
    const rw = d.r.slice(dir * 3 * H * H, (dir + 1) * 3 * H * H);
    const bias = d.bias ? d.bias.slice(dir * 3 * H, (dir + 1) * 3 * H) : null;
    const rb = d.recurrentBias ? d.recurrentBias.slice(dir * 3 * H, (dir + 1) * 3 * H) : null;
    let h = d.h0 ? d.h0.slice(dir * B * H, (dir + 1) * B * H) : new Array<number>(B * H).fill(0);
    const backward = direction === 'backward' || dir === 1;
    for (let s = 0; s < S; s++) {
      const t = backward ? S - 1 - s : s;
      h = gruStep(d.x.slice(t * B * I, (t + 1) * B * I), h, w, rw, bias, rb, c, B);
      for (let i = 0; i < B * H; i++) sequence[((t * D + dir) * B * H) + i] = h[i]!;
    }
    for (let i = 0; i < B * H; i++) hidden[dir * B * H + i] = h[i]!;
  }
  return { hidden, sequence };
}

function makeGruData(c: GruCase, dataType: MLOperandDataType, seed: number): GruData {
  const D = c.direction === 'both' ? 2 : 1;
  const { steps: S, batch: B, inputSize: I, hidden: H } = c;
  const data = (n: number, k: number) => representable(randomData(n, seed * 31 + k, -1, 1), dataType);
  return {
    x: data(S * B * I, 1),
    w: data(D * 3 * H * I, 2),
    r: data(D * 3 * H * H, 3),
    bias: c.bias ? data(D * 3 * H, 4) : null,
    recurrentBias: c.recurrentBias ? data(D * 3 * H, 5) : null,
    h0: c.initialHiddenState ? data(D * B * H, 6) : null,
  };
}

function describeCase(c: GruCase): string {
  const parts = [`S${c.steps} B${c.batch} I${c.inputSize} H${c.hidden}`, c.layout ?? 'zrn', c.direction ?? 'forward',
    `resetAfter ${c.resetAfter ?? true}`];
  if (c.returnSequence) parts.push('returnSequence');
  if (c.activations) parts.push(`[${c.activations.join(', ')}]`);
  const present = (['bias', 'recurrentBias', 'initialHiddenState'] as const).filter((k) => c[k]);
  parts.push(present.length ? `with ${present.join(', ')}` : 'no optional operands');
  return parts.join(', ');
}

const expectedIn = (data: readonly number[], dataType: MLOperandDataType) =>
  (dataType === 'float16' ? representable(data, 'float16') : [...data]);

async function runGru(backend: string, c: GruCase, dataType: MLOperandDataType, seed: number, constantWeights = false) {
  const d = makeGruData(c, dataType, seed);
  const D = c.direction === 'both' ? 2 : 1;
  const { steps: S, batch: B, inputSize: I, hidden: H } = c;
  const value = (shape: number[], data: number[]): TensorValue => ({ dataType, shape, data });
  const inputs: Record<string, TensorValue> = { x: value([S, B, I], d.x) };
  const weights: Record<string, TensorValue> = { w: value([D, 3 * H, I], d.w), r: value([D, 3 * H, H], d.r) };
  if (!constantWeights) Object.assign(inputs, weights);
  if (d.bias) inputs['bias'] = value([D, 3 * H], d.bias);
  if (d.recurrentBias) inputs['recurrentBias'] = value([D, 3 * H], d.recurrentBias);
  if (d.h0) inputs['h0'] = value([D, B, H], d.h0);
  const result = await runGraph(backend as never, inputs, (builder, ops) => {
    const b = builder as Builder;
    const operand = (name: string) =>
      (constantWeights ? b.constant({ dataType, shape: weights[name]!.shape }, typedArrayFor(weights[name]!)) : ops[name]!);
    const options: Record<string, unknown> = {};
    if (c.layout) options['layout'] = c.layout;
    if (c.direction) options['direction'] = c.direction;
    if (c.resetAfter !== undefined) options['resetAfter'] = c.resetAfter;
    if (c.returnSequence !== undefined) options['returnSequence'] = c.returnSequence;
    if (c.activations) options['activations'] = c.activations;
    if (d.bias) options['bias'] = ops['bias'];
    if (d.recurrentBias) options['recurrentBias'] = ops['recurrentBias'];
    if (d.h0) options['initialHiddenState'] = ops['h0'];
    const outs = b['gru']!(ops['x'], operand('w'), operand('r'), S, H, options) as MLOperand[];
    if (!Array.isArray(outs) || outs.length !== (c.returnSequence ? 2 : 1)) throw new Error('gru returned the wrong number of outputs');
    const named: Record<string, MLOperand> = { hidden: outs[0]! };
    if (c.returnSequence) named['sequence'] = outs[1]!;
    return named;
  });
  const expected = gruReference(c, d);
  assertClose(result['hidden']!, { shape: [D, B, H], data: expectedIn(expected.hidden, dataType) }, undefined, 'hidden');
  if (c.returnSequence) {
    assertClose(result['sequence']!, { shape: [S, D, B, H], data: expectedIn(expected.sequence, dataType) }, undefined, 'sequence');
  }
}

/** Every layout, direction and resetAfter, with the optional operands and returnSequence varied across them. */
function gruCases(): GruCase[] {
  const cases: GruCase[] = [];
  let k = 0;
  for (const layout of ['zrn', 'rzn'] as const) {
    for (const direction of ['forward', 'backward', 'both'] as const) {
      for (const resetAfter of [true, false]) {
        cases.push({
          steps: 3, batch: 1 + (k % 2), inputSize: 3, hidden: 2, layout, direction, resetAfter,
          returnSequence: k % 3 !== 1,
          bias: k % 2 === 0, recurrentBias: k % 4 !== 3, initialHiddenState: k % 3 !== 2,
        });
        k++;
      }
    }
  }
  return cases;
}

type GruCellCase = Omit<GruCase, 'steps' | 'direction' | 'returnSequence' | 'initialHiddenState'>;

async function runGruCell(backend: string, c: GruCellCase, dataType: MLOperandDataType, seed: number) {
  const full: GruCase = { ...c, steps: 1, initialHiddenState: true };
  const d = makeGruData(full, dataType, seed);
  const { batch: B, inputSize: I, hidden: H } = c;
  const value = (shape: number[], data: number[]): TensorValue => ({ dataType, shape, data });
  const inputs: Record<string, TensorValue> = {
    x: value([B, I], d.x), w: value([3 * H, I], d.w), r: value([3 * H, H], d.r), h: value([B, H], d.h0!),
  };
  if (d.bias) inputs['bias'] = value([3 * H], d.bias);
  if (d.recurrentBias) inputs['recurrentBias'] = value([3 * H], d.recurrentBias);
  const result = await runGraph(backend as never, inputs, (builder, ops) => {
    const options: Record<string, unknown> = {};
    if (c.layout) options['layout'] = c.layout;
    if (c.resetAfter !== undefined) options['resetAfter'] = c.resetAfter;
    if (c.activations) options['activations'] = c.activations;
    if (d.bias) options['bias'] = ops['bias'];
    if (d.recurrentBias) options['recurrentBias'] = ops['recurrentBias'];
    return { out: (builder as Builder)['gruCell']!(ops['x'], ops['w'], ops['r'], ops['h'], H, options) as MLOperand };
  });
  const expected = gruStep(d.x, d.h0!, d.w, d.r, d.bias, d.recurrentBias, full, B);
  assertClose(result['out']!, { shape: [B, H], data: expectedIn(expected, dataType) });
}

forEachBackend('gru', (backend) => {
  gruCases().forEach((c, i) => {
    it(`float32 ${describeCase(c)}`, () => runGru(backend, c, 'float32', 100 + i));
  });

  const activationCases: GruCase[] = [
    { steps: 2, batch: 2, inputSize: 2, hidden: 3, activations: ['tanh', 'relu'], bias: true, returnSequence: true },
    { steps: 3, batch: 1, inputSize: 2, hidden: 2, activations: ['relu', 'sigmoid'], direction: 'both', layout: 'rzn',
      resetAfter: false, recurrentBias: true, initialHiddenState: true, returnSequence: true },
    { steps: 2, batch: 1, inputSize: 3, hidden: 2, activations: ['sigmoid', 'sigmoid'], direction: 'backward',
      bias: true, recurrentBias: true },
  ];
  activationCases.forEach((c, i) => {
    it(`float32 ${describeCase(c)}`, () => runGru(backend, c, 'float32', 200 + i));
  });

  it('float32 one step, batch 3, every option', () => runGru(backend,
    { steps: 1, batch: 3, inputSize: 4, hidden: 3, direction: 'both', returnSequence: true, bias: true, recurrentBias: true,
      initialHiddenState: true }, 'float32', 300));

  it('float32 longer sequence (8 steps)', () => runGru(backend,
    { steps: 8, batch: 2, inputSize: 3, hidden: 4, direction: 'both', returnSequence: true, bias: true, recurrentBias: true,
      initialHiddenState: true, layout: 'rzn' }, 'float32', 301));

  it('constant weights (rewritten once at build)', () => runGru(backend,
    { steps: 3, batch: 2, inputSize: 3, hidden: 2, direction: 'both', layout: 'rzn', returnSequence: true, bias: true,
      recurrentBias: true }, 'float32', 302, true));

  it('float16, both directions, rzn, resetAfter false', () => runGru(backend,
    { steps: 3, batch: 2, inputSize: 3, hidden: 2, direction: 'both', layout: 'rzn', resetAfter: false, returnSequence: true,
      bias: true, recurrentBias: true, initialHiddenState: true }, 'float16', 303));

  it('float16, forward, zrn, no optional operands', () => runGru(backend,
    { steps: 2, batch: 1, inputSize: 2, hidden: 3 }, 'float16', 304));

  for (const biasIsInput of [true, false]) {
    it(`constant sequence and weights, bias ${biasIsInput ? 'a graph input' : 'constant too (gru computed at build)'}`,
      async () => {
        const c: GruCase = { steps: 2, batch: 1, inputSize: 2, hidden: 2, bias: true, returnSequence: true };
        const d = makeGruData(c, 'float32', 305);
        const biasValue: TensorValue = { dataType: 'float32', shape: [1, 6], data: d.bias! };
        const result = await runGraph(backend, biasIsInput ? { bias: biasValue } : {}, (builder, ops) => {
          const b = builder as Builder;
          const constant = (shape: number[], data: number[]) =>
            b.constant({ dataType: 'float32', shape }, typedArrayFor({ dataType: 'float32', shape, data }));
          const bias = biasIsInput ? ops['bias'] : constant([1, 6], d.bias!);
          const [hidden, sequence] = b['gru']!(constant([2, 1, 2], d.x), constant([1, 6, 2], d.w), constant([1, 6, 2], d.r),
            2, 2, { bias, returnSequence: true }) as MLOperand[];
          return { hidden: hidden!, sequence: sequence! };
        });
        const expected = gruReference(c, d);
        assertClose(result['hidden']!, { shape: [1, 1, 2], data: expected.hidden });
        assertClose(result['sequence']!, { shape: [2, 1, 1, 2], data: expected.sequence });
      });
  }

  it('constant weights, biases are rewritten at build: the plan keeps one step', async () => {
    const b = await builderFor(backend) as Builder;
    const x = b.input('x', { dataType: 'float32', shape: [4, 2, 3] });
    const constant = (shape: number[], seed: number) => seededConstant(b, shape, seed);
    const outs = b['gru']!(x, constant([2, 6, 3], 1), constant([2, 6, 2], 2), 4, 2, {
      direction: 'both', layout: 'rzn', bias: constant([2, 6], 3), recurrentBias: constant([2, 6], 4),
    }) as MLOperand[];
    const graph = await b.build({ hidden: outs[0]! });
    const steps = planStepCount(graph);
    graph.destroy();
    if (steps !== 1) throw new Error(`${steps} plan steps`);
  });

  it('dispatches leave tf.memory().numTensors unchanged', () => checkDispatchesKeepTensors(backend, (b, x) =>
    b['gru']!(x, seededConstant(b, [2, 6, 3], 1), seededConstant(b, [2, 6, 2], 2), 4, 2,
      { direction: 'both', returnSequence: true, bias: seededConstant(b, [2, 6], 3) }) as MLOperand[], 'out1'));

  it('reports limits under the IDL member names', () => checkFloatLimits(backend, {
    gru: {
      input: 3, weight: 3, recurrentWeight: 3, bias: 2, recurrentBias: 2, initialHiddenState: 3, output0: 3, output1: 4,
    },
    gruCell: { input: 2, weight: 2, recurrentWeight: 2, hiddenState: 2, bias: 1, recurrentBias: 1, output: 2 },
  }));

  it('validation errors name gru and the argument', async () => {
    const b = await builderFor(backend) as Builder;
    const f32 = (...shape: number[]) => b.input(`i${Math.random()}`, { dataType: 'float32', shape });
    const gru = (...args: unknown[]) => b['gru']!(...args);
    const x = f32(3, 2, 4);
    const w = f32(1, 6, 4);
    const r = f32(1, 6, 2);
    // Valid call first, so every failure below comes from the one thing changed.
    const ok = gru(x, w, r, 3, 2, { bias: f32(1, 6), recurrentBias: f32(1, 6), initialHiddenState: f32(1, 2, 2) }) as MLOperand[];
    if (ok.length !== 1 || ok[0]!.shape.join() !== '1,2,2') throw new Error('valid gru call');
    const seq = gru(x, w, r, 3, 2, { returnSequence: true }) as MLOperand[];
    if (seq.length !== 2 || seq[1]!.shape.join() !== '3,1,2,2') throw new Error('valid gru call with returnSequence');
    await assertThrows(() => gru(x, w, r, 2, 2), 'TypeError', /gru.*steps/);
    await assertThrows(() => gru(x, w, r, 0, 2), 'TypeError', /gru.*steps/);
    await assertThrows(() => gru(x, w, r, -1, 2), 'TypeError', /gru.*steps/);
    await assertThrows(() => gru(x, w, r, 3, 3), 'TypeError', /gru.*weight/);
    await assertThrows(() => gru(x, f32(1, 6, 3), r, 3, 2), 'TypeError', /gru.*weight/);
    await assertThrows(() => gru(x, w, f32(1, 6, 3), 3, 2), 'TypeError', /gru.*recurrentWeight/);
    await assertThrows(() => gru(x, w, r, 3, 2, { direction: 'both' }), 'TypeError', /gru.*weight/);
    await assertThrows(() => gru(x, f32(2, 6, 4), r, 3, 2, { direction: 'both' }), 'TypeError', /gru.*recurrentWeight/);
    await assertThrows(() => gru(x, w, r, 3, 2, { bias: f32(1, 4) }), 'TypeError', /gru.*options\.bias/);
    await assertThrows(() => gru(x, w, r, 3, 2, { bias: f32(6) }), 'TypeError', /gru.*options\.bias/);
    await assertThrows(() => gru(x, w, r, 3, 2, { recurrentBias: f32(2, 6) }), 'TypeError', /gru.*options\.recurrentBias/);
    await assertThrows(() => gru(x, w, r, 3, 2, { initialHiddenState: f32(1, 3, 2) }), 'TypeError',
      /gru.*options\.initialHiddenState/);
    await assertThrows(() => gru(x, w, r, 3, 2, { initialHiddenState: f32(2, 2) }), 'TypeError', /gru.*options\.initialHiddenState/);
    await assertThrows(() => gru(x, w, r, 3, 2, { activations: ['sigmoid'] }), 'TypeError', /gru.*activations/);
    await assertThrows(() => gru(x, w, r, 3, 2, { activations: ['sigmoid', 'tanh', 'tanh'] }), 'TypeError', /gru.*activations/);
    await assertThrows(() => gru(x, w, r, 3, 2, { activations: ['sigmoid', 'softplus'] }), 'TypeError', /gru.*activations/);
    await assertThrows(() => gru(x, w, r, 3, 2, { direction: 'sideways' }), 'TypeError', /gru.*direction/);
    await assertThrows(() => gru(x, w, r, 3, 2, { layout: 'nzr' }), 'TypeError', /gru.*layout/);
    await assertThrows(() => gru(f32(3, 2), w, r, 3, 2), 'TypeError', /gru.*input/);
    await assertThrows(() => gru(x, f32(6, 4), r, 3, 2), 'TypeError', /gru.*weight/);
    const f16 = b.input('f16', { dataType: 'float16', shape: [1, 6, 4] });
    await assertThrows(() => gru(x, f16, r, 3, 2), 'TypeError', /gru.*weight.*float16/);
    const i32 = b.input('i32', { dataType: 'int32', shape: [3, 2, 4] });
    await assertThrows(() => gru(i32, w, r, 3, 2), 'TypeError', /gru.*input.*int32/);
    const f16Bias = b.input('f16b', { dataType: 'float16', shape: [1, 6] });
    await assertThrows(() => gru(x, w, r, 3, 2, { bias: f16Bias }), 'TypeError', /gru.*options\.bias/);
    await assertThrows(() => gru(x, w, r, 3, 2 ** 30), 'TypeError', 'gru');
    await assertThrows(() => gru(x, w, r, 3, 2 ** 32), 'TypeError', /gru.*hiddenSize/);
    await assertThrows(() => gru(x, w, r, 3, 2, { bias: 'bias' }), 'TypeError', /gru.*options\.bias/);
    await assertThrows(() => gru(x, w, {}, 3, 2), 'TypeError', /gru.*recurrentWeight/);
    const other = await builderFor(backend);
    const foreign = other.input('x', { dataType: 'float32', shape: [1, 6, 4] });
    await assertThrows(() => gru(x, foreign, r, 3, 2), 'TypeError', /gru.*weight/);
    await assertThrows(() => gru(x, w, r, 3), 'TypeError', 'gru');
    await assertThrows(() => gru(x, w, r, 3, 2, { label: 'my-gru', layout: 'x' }), 'TypeError', 'gru [my-gru]');
  });

  it('gruCell validation errors name gruCell and the argument', async () => {
    const b = await builderFor(backend) as Builder;
    const f32 = (...shape: number[]) => b.input(`i${Math.random()}`, { dataType: 'float32', shape });
    const cell = (...args: unknown[]) => b['gruCell']!(...args);
    const x = f32(2, 4);
    const w = f32(6, 4);
    const r = f32(6, 2);
    const h = f32(2, 2);
    const ok = cell(x, w, r, h, 2, { bias: f32(6), recurrentBias: f32(6) }) as MLOperand;
    if (ok.shape.join() !== '2,2') throw new Error('valid gruCell call');
    await assertThrows(() => cell(x, w, r, h, 3), 'TypeError', /gruCell.*weight/);
    await assertThrows(() => cell(x, f32(6, 3), r, h, 2), 'TypeError', /gruCell.*weight/);
    await assertThrows(() => cell(x, w, f32(6, 3), h, 2), 'TypeError', /gruCell.*recurrentWeight/);
    await assertThrows(() => cell(x, w, r, f32(1, 2), 2), 'TypeError', /gruCell.*hiddenState/);
    await assertThrows(() => cell(x, w, r, f32(2, 3), 2), 'TypeError', /gruCell.*hiddenState/);
    await assertThrows(() => cell(x, w, r, h, 2, { bias: f32(4) }), 'TypeError', /gruCell.*options\.bias/);
    await assertThrows(() => cell(x, w, r, h, 2, { bias: f32(1, 6) }), 'TypeError', /gruCell.*options\.bias/);
    await assertThrows(() => cell(x, w, r, h, 2, { recurrentBias: f32(7) }), 'TypeError', /gruCell.*options\.recurrentBias/);
    await assertThrows(() => cell(x, w, r, h, 2, { activations: ['tanh'] }), 'TypeError', /gruCell.*activations/);
    await assertThrows(() => cell(x, w, r, h, 2, { layout: 'zzz' }), 'TypeError', /gruCell.*layout/);
    await assertThrows(() => cell(f32(1, 2, 4), w, r, h, 2), 'TypeError', /gruCell.*input/);
    const f16 = b.input('f16', { dataType: 'float16', shape: [2, 2] });
    await assertThrows(() => cell(x, w, r, f16, 2), 'TypeError', /gruCell.*hiddenState.*float16/);
    await assertThrows(() => cell(x, w, r, h, -1), 'TypeError', /gruCell.*hiddenSize/);
    await assertThrows(() => cell(x, w, r, h), 'TypeError', 'gruCell');
  });
});

forEachBackend('gruCell', (backend) => {
  let k = 0;
  for (const layout of ['zrn', 'rzn'] as const) {
    for (const resetAfter of [true, false]) {
      for (const biases of [[true, true], [true, false], [false, true], [false, false]] as const) {
        const c: GruCellCase = { batch: 2, inputSize: 3, hidden: 2, layout, resetAfter, bias: biases[0], recurrentBias: biases[1] };
        const seed = 400 + k++;
        it(`float32 ${layout}, resetAfter ${resetAfter}, bias ${biases[0]}, recurrentBias ${biases[1]}`,
          () => runGruCell(backend, c, 'float32', seed));
      }
    }
  }
  it('float32 default options', () => runGruCell(backend, { batch: 1, inputSize: 2, hidden: 3 }, 'float32', 420));
  it('float32 activations [relu, tanh]', () => runGruCell(backend,
    { batch: 3, inputSize: 2, hidden: 2, activations: ['relu', 'tanh'], bias: true, recurrentBias: true }, 'float32', 421));
  it('float32 activations [sigmoid, relu], rzn, resetAfter false', () => runGruCell(backend,
    { batch: 2, inputSize: 2, hidden: 3, activations: ['sigmoid', 'relu'], layout: 'rzn', resetAfter: false, bias: true },
    'float32', 422));
  it('float16 rzn with biases', () => runGruCell(backend,
    { batch: 2, inputSize: 3, hidden: 2, layout: 'rzn', bias: true, recurrentBias: true }, 'float16', 423));

  it('chained cells equal gru over the sequence', async () => {
    const c: GruCase = { steps: 3, batch: 2, inputSize: 2, hidden: 2, bias: true, recurrentBias: true, initialHiddenState: true };
    const d = makeGruData(c, 'float32', 430);
    const value = (shape: number[], data: number[]): TensorValue => ({ dataType: 'float32', shape, data });
    const result = await runGraph(backend, {
      x: value([3, 2, 2], d.x), w: value([6, 2], d.w), r: value([6, 2], d.r), h: value([2, 2], d.h0!),
      bias: value([6], d.bias!), rb: value([6], d.recurrentBias!),
    }, (builder, ops) => {
      const b = builder as Builder;
      let h = ops['h']!;
      for (let t = 0; t < 3; t++) {
        const xt = b['reshape']!(b['slice']!(ops['x'], [t, 0, 0], [1, 2, 2]), [2, 2]) as MLOperand;
        h = b['gruCell']!(xt, ops['w'], ops['r'], h, 2, { bias: ops['bias'], recurrentBias: ops['rb'] }) as MLOperand;
      }
      return { h };
    });
    assertClose(result['h']!, { shape: [2, 2], data: gruReference(c, d).hidden });
  });
});

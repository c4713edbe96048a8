/**
 * LSTM and GRU as WebNN's lstm and gru, RNN as matmul, add and its activation.
 * ONNX's gate orders are WebNN's layouts 'iofg' (LSTM's i, o, f, c) and 'zrn' (GRU's z, r, h), its weights WebNN's
 * shapes, and its Y [seq, directions, batch, hidden] WebNN's sequence output; B holds the input and recurrent biases
 * one after the other. layout = 1 (batch first, opset 14) is mapped by transposes around the operation. RNN, and LSTM
 * with output gate peepholes, are unrolled over the (static) sequence.
 */
import type { Converter, ConverterTable } from './converter.js';
import { hostTensor, toNumbers } from './host-tensor.js';
import type { NodeImport, Produced } from './node-import.js';
import type { Operand } from './webnn-types.js';

type Activation = 'relu' | 'sigmoid' | 'tanh';

const DIRECTIONS: Record<string, 'forward' | 'backward' | 'both'> = { forward: 'forward', reverse: 'backward', bidirectional: 'both' };
const ACTIVATIONS: Record<string, Activation> = { relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh' };

/** What the three recurrent operators share: their attributes and inputs, read and checked. */
interface Recurrence {
  readonly input: Operand;
  readonly steps: number;
  readonly batch: number;
  readonly hiddenSize: number;
  readonly direction: 'forward' | 'backward' | 'both';
  readonly directions: number;
  readonly batchFirst: boolean;
  readonly activations: Activation[] | undefined;
  /** initial_h as [directions, batch, hidden], if given. */
  readonly initialHidden: Operand | undefined;
}

/** ONNX lists the activations of each direction in turn; WebNN takes one list for both. */
function activationsOf(n: NodeImport, perDirection: number, directions: number): Activation[] | undefined {
  const given = n.node.attributes.get('activations');
  if (given === undefined) return undefined;
  if (!Array.isArray(given) || given.some((v) => typeof v !== 'string')) throw n.invalid("attribute 'activations' is not strings");
  const names = (given as readonly string[]).map((s) => s.toLowerCase());
  if (names.length !== perDirection * directions) {
    throw n.invalid(`activations lists ${names.length} functions, not ${perDirection * directions}`);
  }
  const mapped = names.map((name, k) => {
    const activation = ACTIVATIONS[name];
    if (!activation) throw n.unsupported(`activation '${(given as readonly string[])[k]}' is not mapped (Sigmoid, Tanh and Relu are)`);
    return activation;
  });
  const first = mapped.slice(0, perDirection);
  if (mapped.slice(perDirection).join() !== first.join()) {
    throw n.unsupported('different activations for the two directions are not mapped');
  }
  return first;
}

/** [a, b, c] as [b, a, c]: batch-first tensors as sequence-first ones and back. */
const swapFirstAxes = (n: NodeImport, x: Operand) => n.builder.transpose(x, { permutation: [1, 0, 2] });

function recurrence(n: NodeImport, gates: number, activationCount: number): Recurrence {
  const input0 = n.operand(0);
  if (input0.shape.length !== 3) throw n.invalid(`X has rank ${input0.shape.length}, not 3`);
  n.require(!n.hasAttribute('clip'), 'clip is not mapped (WebNN\'s recurrent operations do not clip)');
  const batchFirst = n.int('layout', 0) === 1;
  const input = batchFirst ? swapFirstAxes(n, input0) : input0;
  const [steps, batch] = input.shape as [number, number, number];
  const directionName = n.string('direction', 'forward');
  const direction = DIRECTIONS[directionName];
  if (!direction) throw n.invalid(`direction '${directionName}' is not an ONNX value`);
  const directions = direction === 'both' ? 2 : 1;
  const recurrentShape = n.shape(2);
  const hiddenSize = n.int('hidden_size', recurrentShape[2] ?? 0);
  if (recurrentShape.join() !== [directions, gates * hiddenSize, hiddenSize].join()) {
    throw n.invalid(`R has shape [${recurrentShape.join(', ')}], not [${directions}, ${gates * hiddenSize}, ${hiddenSize}]`);
  }
  if (n.has(4)) {
    const lengths = n.host(4);
    if (!lengths || toNumbers(lengths).some((length) => length !== steps)) {
      throw n.unsupported(`sequence_lens is mapped only as a constant of full lengths (${steps})`);
    }
  }
  let initialHidden: Operand | undefined;
  if (n.has(5)) initialHidden = batchFirst ? swapFirstAxes(n, n.operand(5)) : n.operand(5);
  return {
    input, steps, batch, hiddenSize, direction, directions, batchFirst, initialHidden,
    activations: activationsOf(n, activationCount, directions),
  };
}

/** B [directions, 2 * gates * hidden] as WebNN's bias and recurrentBias. */
function biases(n: NodeImport, r: Recurrence, gates: number): Record<string, Operand> {
  if (!n.has(3)) return {};
  const b = n.operand(3);
  const width = gates * r.hiddenSize;
  return {
    bias: n.builder.slice(b, [0, 0], [r.directions, width]),
    recurrentBias: n.builder.slice(b, [0, width], [r.directions, width]),
  };
}

/** Y and the last states in ONNX's layout: [seq, dirs, batch, hidden] and [dirs, batch, hidden], or batch first. */
function outputs(n: NodeImport, r: Recurrence, sequence: Operand | undefined, states: readonly Operand[]): Produced[] {
  const produced: Produced[] = [];
  if (sequence) produced[0] = r.batchFirst ? n.builder.transpose(sequence, { permutation: [2, 0, 1, 3] }) : sequence;
  states.forEach((state, k) => {
    if (n.node.outputs[k + 1]) produced[k + 1] = r.batchFirst ? swapFirstAxes(n, state) : state;
  });
  return produced;
}

const lstm: Converter = {
  minOpset: 7,
  convert(n) {
    n.require(n.int('input_forget', 0) === 0, 'input_forget = 1 is not mapped (WebNN\'s lstm has no coupled input and forget gates)');
    const r = recurrence(n, 4, 3);
    const returnSequence = n.outputWanted(0);
    const given = n.has(6) ? n.operand(6) : undefined;
    const initialCell = given && r.batchFirst ? swapFirstAxes(n, given) : given;
    if (n.has(7) && !outputPeepholesZero(n, r.hiddenSize)) return lstmUnrolled(n, r, initialCell);
    const results = n.builder.lstm(r.input, n.operand(1), n.operand(2), r.steps, r.hiddenSize, {
      ...biases(n, r, 4),
      ...(n.has(7) ? { peepholeWeight: n.operand(7) } : {}),
      ...(r.initialHidden ? { initialHiddenState: r.initialHidden } : {}),
      ...(initialCell ? { initialCellState: initialCell } : {}),
      ...(r.activations ? { activations: r.activations } : {}),
      returnSequence,
      direction: r.direction,
      layout: 'iofg',
    });
    return outputs(n, r, returnSequence ? results[2] : undefined, [results[0]!, results[1]!]);
  },
};

const gru: Converter = {
  minOpset: 7,
  convert(n) {
    const r = recurrence(n, 3, 2);
    const returnSequence = n.outputWanted(0);
    const results = n.builder.gru(r.input, n.operand(1), n.operand(2), r.steps, r.hiddenSize, {
      ...biases(n, r, 3),
      ...(r.initialHidden ? { initialHiddenState: r.initialHidden } : {}),
      ...(r.activations ? { activations: r.activations } : {}),
      resetAfter: n.int('linear_before_reset', 0) === 1,
      returnSequence,
      direction: r.direction,
      layout: 'zrn',
    });
    return outputs(n, r, returnSequence ? results[1] : undefined, [results[0]!]);
  },
};

/** A step's states: the hidden state, and LSTM's cell state. */
interface States {
  readonly h: Operand;
  readonly c?: Operand;
}

/** One step of a cell: from the gates' sum X_t W^T + H_{t-1} R^T + Wb + Rb (a slice per gate) and the last states. */
type Step = (gate: (k: number) => Operand, last: States, direction: number) => States;

/**
 * The recurrence unrolled over the steps, which the input's static shape gives: each direction's steps are sliced from
 * the input, and its hidden states concatenated back in the input's order. The sequence [steps, dirs, batch, hidden]
 * and the last states [dirs, batch, hidden].
 */
function unroll(n: NodeImport, r: Recurrence, gates: number, initialCell: Operand | undefined, step: Step): { sequence: Operand; last: States } {
  const builder = n.builder;
  const [, , inputSize] = r.input.shape as [number, number, number];
  const h = r.hiddenSize;
  const width = gates * h;
  const b = n.has(3) ? n.operand(3) : undefined;
  const zeros = builder.constant({ dataType: r.input.dataType, shape: [r.batch, h] },
    hostTensor(r.input.dataType, [r.batch, h], new Array<number>(r.batch * h).fill(0)).data);
  const stateOf = (initial: Operand | undefined, d: number) =>
    (initial ? builder.reshape(builder.slice(initial, [d, 0, 0], [1, r.batch, h]), [r.batch, h]) : zeros);
  const sequences: Operand[] = [];
  const lastH: Operand[] = [];
  const lastC: Operand[] = [];
  for (let d = 0; d < r.directions; d++) {
    const w = builder.transpose(builder.reshape(builder.slice(n.operand(1), [d, 0, 0], [1, width, inputSize]), [width, inputSize]));
    const u = builder.transpose(builder.reshape(builder.slice(n.operand(2), [d, 0, 0], [1, width, h]), [width, h]));
    const bias = b ? builder.add(builder.slice(b, [d, 0], [1, width]), builder.slice(b, [d, width], [1, width])) : undefined;
    let states: States = { h: stateOf(r.initialHidden, d), ...(initialCell ? { c: stateOf(initialCell, d) } : gates === 4 ? { c: zeros } : {}) };
    const backward = r.direction === 'backward' || d === 1;
    const perStep = new Array<Operand>(r.steps);
    for (let k = 0; k < r.steps; k++) {
      const t = backward ? r.steps - 1 - k : k;
      const x = builder.reshape(builder.slice(r.input, [t, 0, 0], [1, r.batch, inputSize]), [r.batch, inputSize]);
      let sum = builder.add(builder.matmul(x, w), builder.matmul(states.h, u));
      if (bias) sum = builder.add(sum, bias);
      const gateSum = sum;
      states = step((g) => (gates === 1 ? gateSum : builder.slice(gateSum, [0, g * h], [r.batch, h])), states, d);
      perStep[t] = builder.reshape(states.h, [1, 1, r.batch, h]);
    }
    sequences.push(r.steps === 1 ? perStep[0]! : builder.concat(perStep, 0));
    lastH.push(builder.reshape(states.h, [1, r.batch, h]));
    if (states.c) lastC.push(builder.reshape(states.c, [1, r.batch, h]));
  }
  const joined = (parts: Operand[], axis: number) => (parts.length === 1 ? parts[0]! : builder.concat(parts, axis));
  return { sequence: joined(sequences, 1), last: { h: joined(lastH, 0), ...(lastC.length ? { c: joined(lastC, 0) } : {}) } };
}

/**
 * LSTM with peepholes, unrolled: ONNX's output gate looks at the new cell state C_t, WebNN's lstm at the previous one
 * C_{t-1} (its emulation in the spec), so WebNN's lstm computes another function unless P_o is zero.
 */
function lstmUnrolled(n: NodeImport, r: Recurrence, initialCell: Operand | undefined): Produced[] {
  const builder = n.builder;
  const [f, g, h] = r.activations ?? ['sigmoid', 'tanh', 'tanh'];
  const p = n.operand(7);
  const size = r.hiddenSize;
  const peephole = (d: number, k: number) => builder.slice(p, [d, k * size], [1, size]);
  const { sequence, last } = unroll(n, r, 4, initialCell, (gate, { c }, d) => {
    const input = builder[f](builder.add(gate(0), builder.mul(peephole(d, 0), c!)));
    const forget = builder[f](builder.add(gate(2), builder.mul(peephole(d, 2), c!)));
    const cell = builder.add(builder.mul(forget, c!), builder.mul(input, builder[g](gate(3))));
    const output = builder[f](builder.add(gate(1), builder.mul(peephole(d, 1), cell)));
    return { h: builder.mul(output, builder[h](cell)), c: cell };
  });
  return outputs(n, r, n.outputWanted(0) ? sequence : undefined, [last.h, last.c!]);
}

/** Whether P_o, the output gate's peepholes, are constant zeros (then WebNN's lstm computes what ONNX defines). */
function outputPeepholesZero(n: NodeImport, hiddenSize: number): boolean {
  const p = n.host(7);
  if (!p) return false;
  const values = toNumbers(p);
  return values.every((v, i) => v === 0 || Math.floor(i / hiddenSize) % 3 !== 1);
}

/** RNN: H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb), unrolled (WebNN has no plain recurrent operation). */
const rnn: Converter = {
  minOpset: 7,
  convert(n) {
    const r = recurrence(n, 1, 1);
    const activation = r.activations?.[0] ?? 'tanh';
    const { sequence, last } = unroll(n, r, 1, undefined, (gate) => ({ h: n.builder[activation](gate(0)) }));
    return outputs(n, r, n.outputWanted(0) ? sequence : undefined, [last.h]);
  },
};

export const RECURRENT_CONVERTERS: ConverterTable = [
  ['LSTM', lstm],
  ['GRU', gru],
  ['RNN', rnn],
];

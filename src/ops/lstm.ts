/**
 * lstm and lstmCell. TF.js has no recurrent kernel: the lowering loops over the time steps inside one node. The input
 * weights and both biases are applied to the whole sequence with one matrix product per direction; each step then
 * costs one recurrent product and a handful of element-wise kernels. Weights arrive transposed, their gates in the
 * order input (i), forget (f), output (o), cell (g), so that the first activation covers one contiguous block.
 */
import { toBoolean, toDictionary, toEnum, toUnsignedLong } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { BackendName } from '../runtime/backends.js';
import type { OperandDescriptor } from '../graph/ir.js';
import type { OpCall } from './op-call.js';
import {
  activate, activationsOption, addOptional, checkHiddenSize, checkOptional, checkSequence, checkShape, sequenceArguments, checkType, direction,
  gateVector, gateWeight, projectSteps, RECURRENT_DIRECTIONS, stepOrder, type RecurrentActivation, type RecurrentDirection,
} from './recurrent.js';
import { defineOp, FLOAT_TYPES, limit, type Tensor, type TF } from './registry.js';

type LstmLayout = 'iofg' | 'ifgo';
const LSTM_LAYOUTS: readonly LstmLayout[] = ['iofg', 'ifgo'];
/** The caller's gate block that becomes i, f, o and g. */
const GATE_ORDER: Record<LstmLayout, readonly number[]> = { iofg: [0, 2, 1, 3], ifgo: [0, 1, 3, 2] };
/** Peephole weights come as i, o, f whatever the layout. */
const PEEPHOLE_ORDER: readonly number[] = [0, 2, 1];
const DEFAULT_ACTIVATIONS: readonly RecurrentActivation[] = ['sigmoid', 'tanh', 'tanh'];

interface LstmAttrs {
  readonly hiddenSize: number;
  readonly returnSequence: boolean;
  readonly direction: RecurrentDirection;
  readonly activations: readonly RecurrentActivation[];
}

interface LstmOptions {
  activations: unknown;
  bias: unknown;
  direction: unknown;
  initialCellState: unknown;
  initialHiddenState: unknown;
  layout: unknown;
  peepholeWeight: unknown;
  recurrentBias: unknown;
  returnSequence: unknown;
}

interface LstmOperands {
  readonly input: MLOperand;
  readonly weight: MLOperand;
  readonly recurrentWeight: MLOperand;
  readonly bias: MLOperand | null;
  readonly recurrentBias: MLOperand | null;
  readonly peepholeWeight: MLOperand | null;
  readonly hiddenState: MLOperand | null;
  readonly cellState: MLOperand | null;
}

/** Records the weight rewrites, then the node: [input, w, r, bias, recurrentBias, peephole, hidden, cell]. */
function emitLstm(call: OpCall, operands: LstmOperands, layout: LstmLayout, attrs: LstmAttrs,
  outputs: readonly OperandDescriptor[]): MLOperand[] {
  const order = GATE_ORDER[layout];
  return call.emit([
    operands.input, gateWeight(call, operands.weight, 4, order), gateWeight(call, operands.recurrentWeight, 4, order),
    gateVector(call, operands.bias, 4, order), gateVector(call, operands.recurrentBias, 4, order),
    gateVector(call, operands.peepholeWeight, 3, PEEPHOLE_ORDER), operands.hiddenState, operands.cellState,
  ], { ...attrs }, outputs);
}

function buildLstm(call: OpCall, args: readonly unknown[]): MLOperand[] {
  const { input, weight, recurrentWeight, steps, hiddenSize } = sequenceArguments(call, args);
  const options = args[5];
  const o = toDictionary<LstmOptions>(call.where, 'options', options);
  const activations = activationsOption(call, o.activations, DEFAULT_ACTIVATIONS);
  const bias = call.optionalOperand('options.bias', o.bias);
  const dir = toEnum(call.where, 'options.direction', o.direction, RECURRENT_DIRECTIONS, 'forward');
  const initialCellState = call.optionalOperand('options.initialCellState', o.initialCellState);
  const initialHiddenState = call.optionalOperand('options.initialHiddenState', o.initialHiddenState);
  const layout = toEnum(call.where, 'options.layout', o.layout, LSTM_LAYOUTS, 'iofg');
  const peepholeWeight = call.optionalOperand('options.peepholeWeight', o.peepholeWeight);
  const recurrentBias = call.optionalOperand('options.recurrentBias', o.recurrentBias);
  const returnSequence = toBoolean(o.returnSequence, false);

  const numDirections = dir === 'both' ? 2 : 1;
  const { dataType, batchSize } = checkSequence(call, input, weight, recurrentWeight, steps, hiddenSize, 4, numDirections);
  const state = [numDirections, batchSize, hiddenSize];
  checkOptional(call, 'options.bias', bias, 'bias', dataType, [numDirections, 4 * hiddenSize]);
  checkOptional(call, 'options.recurrentBias', recurrentBias, 'recurrentBias', dataType, [numDirections, 4 * hiddenSize]);
  checkOptional(call, 'options.peepholeWeight', peepholeWeight, 'peepholeWeight', dataType, [numDirections, 3 * hiddenSize]);
  checkOptional(call, 'options.initialHiddenState', initialHiddenState, 'initialHiddenState', dataType, state);
  checkOptional(call, 'options.initialCellState', initialCellState, 'initialCellState', dataType, state);

  const outputs: OperandDescriptor[] = [{ dataType, shape: state }, { dataType, shape: state }];
  call.checkOutput(outputs[0]!, 'output0');
  call.checkOutput(outputs[1]!, 'output1');
  if (returnSequence) {
    outputs.push({ dataType, shape: [steps, ...state] });
    call.checkOutput(outputs[2]!, 'output2');
  }
  const attrs: LstmAttrs = { hiddenSize, returnSequence, direction: dir, activations };
  const operands: LstmOperands = {
    input, weight, recurrentWeight, bias, recurrentBias, peepholeWeight,
    hiddenState: initialHiddenState, cellState: initialCellState,
  };
  return emitLstm(call, operands, layout, attrs, outputs);
}

interface LstmCellOptions {
  activations: unknown;
  bias: unknown;
  layout: unknown;
  peepholeWeight: unknown;
  recurrentBias: unknown;
}

function buildLstmCell(call: OpCall, inputArg: unknown, weightArg: unknown, recurrentWeightArg: unknown,
  hiddenStateArg: unknown, cellStateArg: unknown, hiddenSizeArg: unknown, options: unknown): MLOperand[] {
  const input = call.operand('input', inputArg);
  const weight = call.operand('weight', weightArg);
  const recurrentWeight = call.operand('recurrentWeight', recurrentWeightArg);
  const hiddenState = call.operand('hiddenState', hiddenStateArg);
  const cellState = call.operand('cellState', cellStateArg);
  const hiddenSize = toUnsignedLong(call.where, 'hiddenSize', hiddenSizeArg);
  const o = toDictionary<LstmCellOptions>(call.where, 'options', options);
  const activations = activationsOption(call, o.activations, DEFAULT_ACTIVATIONS);
  const bias = call.optionalOperand('options.bias', o.bias);
  const layout = toEnum(call.where, 'options.layout', o.layout, LSTM_LAYOUTS, 'iofg');
  const peepholeWeight = call.optionalOperand('options.peepholeWeight', o.peepholeWeight);
  const recurrentBias = call.optionalOperand('options.recurrentBias', o.recurrentBias);

  const dataType = input.dataType;
  checkType(call, 'input', input, 'input', dataType);
  checkType(call, 'weight', weight, 'weight', dataType);
  checkType(call, 'recurrentWeight', recurrentWeight, 'recurrentWeight', dataType);
  checkType(call, 'hiddenState', hiddenState, 'hiddenState', dataType);
  checkType(call, 'cellState', cellState, 'cellState', dataType);
  const [batchSize, inputSize] = input.shape as [number, number];
  checkShape(call, 'weight', weight, [4 * hiddenSize, inputSize]);
  checkShape(call, 'recurrentWeight', recurrentWeight, [4 * hiddenSize, hiddenSize]);
  checkShape(call, 'hiddenState', hiddenState, [batchSize, hiddenSize]);
  checkShape(call, 'cellState', cellState, [batchSize, hiddenSize]);
  checkHiddenSize(call, hiddenSize, 4);
  checkOptional(call, 'options.bias', bias, 'bias', dataType, [4 * hiddenSize]);
  checkOptional(call, 'options.recurrentBias', recurrentBias, 'recurrentBias', dataType, [4 * hiddenSize]);
  checkOptional(call, 'options.peepholeWeight', peepholeWeight, 'peepholeWeight', dataType, [3 * hiddenSize]);

  const output: OperandDescriptor = { dataType, shape: [batchSize, hiddenSize] };
  call.checkOutput(output, 'output0');
  call.checkOutput(output, 'output1');
  const attrs: LstmAttrs = { hiddenSize, returnSequence: false, direction: 'forward', activations };
  const operands: LstmOperands = { input, weight, recurrentWeight, bias, recurrentBias, peepholeWeight, hiddenState, cellState };
  return emitLstm(call, operands, layout, attrs, [output, output]);
}

/** One direction's weights: w [inputSize, 4H], r [H, 4H], bias [4H] (both biases), peephole [3H]; gates i, f, o, g. */
interface LstmWeights {
  readonly w: Tensor;
  readonly r: Tensor;
  readonly bias: Tensor | null;
  readonly peephole: Tensor | null;
}

interface LstmStates {
  /** Hidden state after each step, indexed by the input step it belongs to. */
  readonly hidden: Tensor[];
  /** Cell state after the last step processed. */
  readonly cell: Tensor;
}

/** Runs one direction over x [steps, batch, inputSize] from h0 and c0 [batch, H] (zeros when null). */
function runDirection(tf: TF, backend: BackendName, x: Tensor, weights: LstmWeights, h0: Tensor | null, c0: Tensor | null,
  reverse: boolean, attrs: LstmAttrs): LstmStates {
  const h = attrs.hiddenSize;
  const [activationIfo, activationG, activationCell] =
    attrs.activations as [RecurrentActivation, RecurrentActivation, RecurrentActivation];
  const { r, peephole } = weights;
  const projected = projectSteps(tf, x, weights.w, weights.bias);
  const [steps, batch] = x.shape as [number, number];
  let hidden = h0 ?? tf.zeros([batch, h]);
  let cell = c0 ?? tf.zeros([batch, h]);
  const outputs = new Array<Tensor>(steps);
  for (const t of stepOrder(steps, reverse)) {
    const [previousHidden, previousCell] = [hidden, cell];
    [hidden, cell] = tf.tidy(() => {
      const gates = tf.add(projected[t]!, tf.matMul(previousHidden, r));
      const [ifo, g] = tf.split(gates, [3 * h, h], 1) as [Tensor, Tensor];
      // The peepholes of i, f and o all look at the cell state the step starts from.
      const ifoPeeped = peephole ? tf.add(ifo, tf.mul(tf.tile(previousCell, [1, 3]), peephole)) : ifo;
      const [i, f, o] = tf.split(activate(tf, ifoPeeped, activationIfo, backend), 3, 1) as [Tensor, Tensor, Tensor];
      const nextCell = tf.add(tf.mul(f, previousCell), tf.mul(i, activate(tf, g, activationG, backend)));
      return [tf.mul(o, activate(tf, nextCell, activationCell, backend)), nextCell];
    }) as [Tensor, Tensor];
    outputs[t] = hidden;
  }
  return { hidden: outputs, cell };
}

const lstmLimits = {
  input: limit(FLOAT_TYPES, 3, 3), weight: limit(FLOAT_TYPES, 3, 3), recurrentWeight: limit(FLOAT_TYPES, 3, 3),
  bias: limit(FLOAT_TYPES, 2, 2), recurrentBias: limit(FLOAT_TYPES, 2, 2), peepholeWeight: limit(FLOAT_TYPES, 2, 2),
  initialHiddenState: limit(FLOAT_TYPES, 3, 3), initialCellState: limit(FLOAT_TYPES, 3, 3),
  output0: limit(FLOAT_TYPES, 3, 3), output1: limit(FLOAT_TYPES, 3, 3), output2: limit(FLOAT_TYPES, 4, 4),
};

defineOp<LstmAttrs>({
  name: 'lstm',
  method: {
    length: 5, optionsIndex: 5,
    build: (call, ...args) => buildLstm(call, args),
  },
  limits: lstmLimits,
  lower: ([x, w, r, bias, recurrentBias, peephole, h0, c0], attrs, { tf, backend }) => {
    const numDirections = attrs.direction === 'both' ? 2 : 1;
    const hiddens: Tensor[] = [];
    const cells: Tensor[] = [];
    const sequences: Tensor[] = [];
    for (let d = 0; d < numDirections; d++) {
      const reverse = attrs.direction === 'backward' || d === 1;
      const weights: LstmWeights = {
        w: direction(tf, w!, d)!, r: direction(tf, r!, d)!,
        bias: addOptional(tf, direction(tf, bias, d), direction(tf, recurrentBias, d)), peephole: direction(tf, peephole, d),
      };
      const states = runDirection(tf, backend, x!, weights, direction(tf, h0, d), direction(tf, c0, d), reverse, attrs);
      hiddens.push(states.hidden[reverse ? 0 : states.hidden.length - 1]!);
      cells.push(states.cell);
      if (attrs.returnSequence) sequences.push(tf.stack(states.hidden, 0));
    }
    const outputs = [tf.stack(hiddens, 0), tf.stack(cells, 0)];
    if (attrs.returnSequence) outputs.push(tf.stack(sequences, 1));
    return outputs;
  },
});

defineOp<LstmAttrs>({
  name: 'lstmCell',
  method: {
    length: 6, optionsIndex: 6,
    build: (call, input, weight, recurrentWeight, hiddenState, cellState, hiddenSize, options) =>
      buildLstmCell(call, input, weight, recurrentWeight, hiddenState, cellState, hiddenSize, options),
  },
  limits: {
    input: limit(FLOAT_TYPES, 2, 2), weight: limit(FLOAT_TYPES, 2, 2), recurrentWeight: limit(FLOAT_TYPES, 2, 2),
    hiddenState: limit(FLOAT_TYPES, 2, 2), cellState: limit(FLOAT_TYPES, 2, 2), bias: limit(FLOAT_TYPES, 1, 1),
    recurrentBias: limit(FLOAT_TYPES, 1, 1), peepholeWeight: limit(FLOAT_TYPES, 1, 1),
    output0: limit(FLOAT_TYPES, 2, 2), output1: limit(FLOAT_TYPES, 2, 2),
  },
  lower: ([x, w, r, bias, recurrentBias, peephole, hiddenState, cellState], attrs, { tf, backend }) => {
    const weights: LstmWeights = { w: w!, r: r!, bias: addOptional(tf, bias, recurrentBias), peephole };
    const states = runDirection(tf, backend, tf.expandDims(x!, 0), weights, hiddenState, cellState, false, attrs);
    return [states.hidden[0]!, states.cell];
  },
});

/**
 * gru and gruCell. TF.js has no recurrent kernel: the lowering loops over the time steps inside one node. The input
 * weights are applied to the whole sequence with one matrix product per direction; each step then costs two
 * recurrent products and a handful of element-wise kernels. Weights arrive transposed, their gates in the order
 * update (z), reset (r), new (n), from a build-time rewrite node.
 */
import { toBoolean, toDictionary, toEnum, toUnsignedLong } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { BackendName } from '../runtime/backends.js';
import type { OperandDescriptor } from '../graph/ir.js';
import type { OpCall } from './op-call.js';
import {
  activate, activationsOption, addOptional, checkHiddenSize, checkOptional, checkSequence, checkShape, sequenceArguments, checkType, columns, direction,
  gateVector, gateWeight, projectSteps, RECURRENT_DIRECTIONS, stepOrder, type RecurrentActivation, type RecurrentDirection,
} from './recurrent.js';
import { defineOp, FLOAT_TYPES, limit, type Tensor, type TF } from './registry.js';

type GruLayout = 'zrn' | 'rzn';
const GRU_LAYOUTS: readonly GruLayout[] = ['zrn', 'rzn'];
/** The caller's gate block that becomes z, r and n. */
const GATE_ORDER: Record<GruLayout, readonly number[]> = { zrn: [0, 1, 2], rzn: [1, 0, 2] };
const DEFAULT_ACTIVATIONS: readonly RecurrentActivation[] = ['sigmoid', 'tanh'];

interface GruAttrs {
  readonly hiddenSize: number;
  readonly resetAfter: boolean;
  readonly returnSequence: boolean;
  readonly direction: RecurrentDirection;
  readonly activations: readonly RecurrentActivation[];
}

interface GruOptions {
  activations: unknown;
  bias: unknown;
  direction: unknown;
  initialHiddenState: unknown;
  layout: unknown;
  recurrentBias: unknown;
  resetAfter: unknown;
  returnSequence: unknown;
}

/** Records the weight and bias rewrites, then the node: [input, w, r, bias, recurrentBias, hidden state]. */
function emitGru(call: OpCall, input: MLOperand, weight: MLOperand, recurrentWeight: MLOperand, layout: GruLayout,
  bias: MLOperand | null, recurrentBias: MLOperand | null, state: MLOperand | null, attrs: GruAttrs,
  outputs: readonly OperandDescriptor[]): MLOperand[] {
  const order = GATE_ORDER[layout];
  return call.emit([
    input, gateWeight(call, weight, 3, order), gateWeight(call, recurrentWeight, 3, order),
    gateVector(call, bias, 3, order), gateVector(call, recurrentBias, 3, order), state,
  ], { ...attrs }, outputs);
}

function buildGru(call: OpCall, args: readonly unknown[]): MLOperand[] {
  const { input, weight, recurrentWeight, steps, hiddenSize } = sequenceArguments(call, args);
  const options = args[5];
  const o = toDictionary<GruOptions>(call.where, 'options', options);
  const activations = activationsOption(call, o.activations, DEFAULT_ACTIVATIONS);
  const bias = call.optionalOperand('options.bias', o.bias);
  const dir = toEnum(call.where, 'options.direction', o.direction, RECURRENT_DIRECTIONS, 'forward');
  const initialHiddenState = call.optionalOperand('options.initialHiddenState', o.initialHiddenState);
  const layout = toEnum(call.where, 'options.layout', o.layout, GRU_LAYOUTS, 'zrn');
  const recurrentBias = call.optionalOperand('options.recurrentBias', o.recurrentBias);
  const resetAfter = toBoolean(o.resetAfter, true);
  const returnSequence = toBoolean(o.returnSequence, false);

  const numDirections = dir === 'both' ? 2 : 1;
  const { dataType, batchSize } = checkSequence(call, input, weight, recurrentWeight, steps, hiddenSize, 3, numDirections);
  checkOptional(call, 'options.bias', bias, 'bias', dataType, [numDirections, 3 * hiddenSize]);
  checkOptional(call, 'options.recurrentBias', recurrentBias, 'recurrentBias', dataType, [numDirections, 3 * hiddenSize]);
  checkOptional(call, 'options.initialHiddenState', initialHiddenState, 'initialHiddenState', dataType,
    [numDirections, batchSize, hiddenSize]);

  const outputs: OperandDescriptor[] = [{ dataType, shape: [numDirections, batchSize, hiddenSize] }];
  call.checkOutput(outputs[0]!, 'output0');
  if (returnSequence) {
    outputs.push({ dataType, shape: [steps, numDirections, batchSize, hiddenSize] });
    call.checkOutput(outputs[1]!, 'output1');
  }
  const attrs: GruAttrs = { hiddenSize, resetAfter, returnSequence, direction: dir, activations };
  return emitGru(call, input, weight, recurrentWeight, layout, bias, recurrentBias, initialHiddenState, attrs, outputs);
}

interface GruCellOptions {
  activations: unknown;
  bias: unknown;
  layout: unknown;
  recurrentBias: unknown;
  resetAfter: unknown;
}

function buildGruCell(call: OpCall, inputArg: unknown, weightArg: unknown, recurrentWeightArg: unknown,
  hiddenStateArg: unknown, hiddenSizeArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg);
  const weight = call.operand('weight', weightArg);
  const recurrentWeight = call.operand('recurrentWeight', recurrentWeightArg);
  const hiddenState = call.operand('hiddenState', hiddenStateArg);
  const hiddenSize = toUnsignedLong(call.where, 'hiddenSize', hiddenSizeArg);
  const o = toDictionary<GruCellOptions>(call.where, 'options', options);
  const activations = activationsOption(call, o.activations, DEFAULT_ACTIVATIONS);
  const bias = call.optionalOperand('options.bias', o.bias);
  const layout = toEnum(call.where, 'options.layout', o.layout, GRU_LAYOUTS, 'zrn');
  const recurrentBias = call.optionalOperand('options.recurrentBias', o.recurrentBias);
  const resetAfter = toBoolean(o.resetAfter, true);

  const dataType = input.dataType;
  checkType(call, 'input', input, 'input', dataType);
  checkType(call, 'weight', weight, 'weight', dataType);
  checkType(call, 'recurrentWeight', recurrentWeight, 'recurrentWeight', dataType);
  checkType(call, 'hiddenState', hiddenState, 'hiddenState', dataType);
  const [batchSize, inputSize] = input.shape as [number, number];
  checkShape(call, 'weight', weight, [3 * hiddenSize, inputSize]);
  checkShape(call, 'recurrentWeight', recurrentWeight, [3 * hiddenSize, hiddenSize]);
  checkShape(call, 'hiddenState', hiddenState, [batchSize, hiddenSize]);
  checkHiddenSize(call, hiddenSize, 3);
  checkOptional(call, 'options.bias', bias, 'bias', dataType, [3 * hiddenSize]);
  checkOptional(call, 'options.recurrentBias', recurrentBias, 'recurrentBias', dataType, [3 * hiddenSize]);

  const output: OperandDescriptor = { dataType, shape: [batchSize, hiddenSize] };
  call.checkOutput(output);
  const attrs: GruAttrs = { hiddenSize, resetAfter, returnSequence: false, direction: 'forward', activations };
  return emitGru(call, input, weight, recurrentWeight, layout, bias, recurrentBias, hiddenState, attrs, [output])[0]!;
}

/** One direction's weights: w [inputSize, 3H], r [H, 3H], biases [3H], gates z, r, n. */
interface GruWeights {
  readonly w: Tensor;
  readonly r: Tensor;
  readonly bias: Tensor | null;
  readonly recurrentBias: Tensor | null;
}

/**
 * Runs one direction over x [steps, batch, inputSize] from h0 [batch, H] (zeros when null). Returns the hidden state
 * after each step, indexed by the input step it belongs to.
 */
function runDirection(tf: TF, backend: BackendName, x: Tensor, weights: GruWeights, h0: Tensor | null, reverse: boolean,
  attrs: GruAttrs): Tensor[] {
  const h = attrs.hiddenSize;
  const [activationZr, activationN] = attrs.activations as [RecurrentActivation, RecurrentActivation];
  const { w, r, bias, recurrentBias } = weights;
  // z and r add both biases outside the products; n keeps its recurrent bias inside r * (...) when resetAfter.
  const zrBias = addOptional(tf, columns(tf, bias, 0, 2 * h), columns(tf, recurrentBias, 0, 2 * h));
  const nRecurrentBias = columns(tf, recurrentBias, 2 * h, h);
  const nBias = attrs.resetAfter ? columns(tf, bias, 2 * h, h) : addOptional(tf, columns(tf, bias, 2 * h, h), nRecurrentBias);
  const xZr = projectSteps(tf, x, columns(tf, w, 0, 2 * h)!, zrBias);
  const xN = projectSteps(tf, x, columns(tf, w, 2 * h, h)!, nBias);
  const rZr = columns(tf, r, 0, 2 * h)!;
  const rN = columns(tf, r, 2 * h, h)!;
  const [steps, batch] = x.shape as [number, number];
  let state = h0 ?? tf.zeros([batch, h]);
  const outputs = new Array<Tensor>(steps);
  for (const t of stepOrder(steps, reverse)) {
    const previous = state;
    state = tf.tidy(() => {
      const [z, reset] = tf.split(activate(tf, tf.add(xZr[t]!, tf.matMul(previous, rZr)), activationZr, backend), 2, 1) as
        [Tensor, Tensor];
      let candidate: Tensor;
      if (attrs.resetAfter) {
        const recurrent = tf.matMul(previous, rN);
        candidate = tf.mul(reset, nRecurrentBias ? tf.add(recurrent, nRecurrentBias) : recurrent);
      } else {
        candidate = tf.matMul(tf.mul(reset, previous), rN);
      }
      const n = activate(tf, tf.add(xN[t]!, candidate), activationN, backend);
      // z * h + (1 - z) * n, as n + z * (h - n).
      return tf.add(n, tf.mul(z, tf.sub(previous, n)));
    });
    outputs[t] = state;
  }
  return outputs;
}

const finalStep = (states: readonly Tensor[], reverse: boolean) => states[reverse ? 0 : states.length - 1]!;

defineOp<GruAttrs>({
  name: 'gru',
  method: {
    length: 5, optionsIndex: 5,
    build: (call, ...args) => buildGru(call, args),
  },
  limits: {
    input: limit(FLOAT_TYPES, 3, 3), weight: limit(FLOAT_TYPES, 3, 3), recurrentWeight: limit(FLOAT_TYPES, 3, 3),
    bias: limit(FLOAT_TYPES, 2, 2), recurrentBias: limit(FLOAT_TYPES, 2, 2), initialHiddenState: limit(FLOAT_TYPES, 3, 3),
    output0: limit(FLOAT_TYPES, 3, 3), output1: limit(FLOAT_TYPES, 4, 4),
  },
  lower: ([x, w, r, bias, recurrentBias, h0], attrs, { tf, backend }) => {
    const numDirections = attrs.direction === 'both' ? 2 : 1;
    const finals: Tensor[] = [];
    const sequences: Tensor[] = [];
    for (let d = 0; d < numDirections; d++) {
      const reverse = attrs.direction === 'backward' || d === 1;
      const weights: GruWeights = {
        w: direction(tf, w!, d)!, r: direction(tf, r!, d)!,
        bias: direction(tf, bias, d), recurrentBias: direction(tf, recurrentBias, d),
      };
      const states = runDirection(tf, backend, x!, weights, direction(tf, h0, d), reverse, attrs);
      finals.push(finalStep(states, reverse));
      if (attrs.returnSequence) sequences.push(tf.stack(states, 0));
    }
    const hidden = tf.stack(finals, 0);
    return attrs.returnSequence ? [hidden, tf.stack(sequences, 1)] : hidden;
  },
});

defineOp<GruAttrs>({
  name: 'gruCell',
  method: {
    length: 5, optionsIndex: 5,
    build: (call, input, weight, recurrentWeight, hiddenState, hiddenSize, options) =>
      buildGruCell(call, input, weight, recurrentWeight, hiddenState, hiddenSize, options),
  },
  limits: {
    input: limit(FLOAT_TYPES, 2, 2), weight: limit(FLOAT_TYPES, 2, 2), recurrentWeight: limit(FLOAT_TYPES, 2, 2),
    hiddenState: limit(FLOAT_TYPES, 2, 2), bias: limit(FLOAT_TYPES, 1, 1), recurrentBias: limit(FLOAT_TYPES, 1, 1),
    output: limit(FLOAT_TYPES, 2, 2),
  },
  lower: ([x, w, r, bias, recurrentBias, hiddenState], attrs, { tf, backend }) => {
    const sequence = tf.expandDims(x!, 0);
    return runDirection(tf, backend, sequence, { w: w!, r: r!, bias, recurrentBias }, hiddenState, false, attrs)[0]!;
  },
});

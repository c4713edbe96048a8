/**
 * What gru, gruCell, lstm and lstmCell share: the WebIDL conversion of their options, the spec's operand checks,
 * the activation functions, and the build-time rewrite of weights and biases into the form the step loop wants
 * (an internal operation, so constant weights are rewritten once by the plan's constant folding).
 */
import { toEnum, toSequence, toUnsignedLong } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { BackendName } from '../runtime/backends.js';
import type { MLOperandDataType } from '../types/data-type.js';
import type { OpCall } from './op-call.js';
import { defineOp, type Tensor, type TF } from './registry.js';
import { isValidDimension } from './conv-util.js';
import { range } from './shape.js';

export type RecurrentActivation = 'relu' | 'sigmoid' | 'tanh';
export const RECURRENT_ACTIVATIONS: readonly RecurrentActivation[] = ['relu', 'sigmoid', 'tanh'];

export type RecurrentDirection = 'forward' | 'backward' | 'both';
export const RECURRENT_DIRECTIONS: readonly RecurrentDirection[] = ['forward', 'backward', 'both'];

/** `sequence<MLRecurrentNetworkActivation>` of exactly `defaults.length` items, or the defaults when absent. */
export function activationsOption(call: OpCall, value: unknown,
  defaults: readonly RecurrentActivation[]): RecurrentActivation[] {
  if (value === undefined) return [...defaults];
  const list = toSequence(call.where, 'options.activations', value,
    (item, i) => toEnum(call.where, `options.activations[${i}]`, item, RECURRENT_ACTIVATIONS));
  if (list.length !== defaults.length) {
    call.fail(`options.activations must have ${defaults.length} items, got ${list.length}`);
  }
  return list;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The spec's data type checks of one operand: allowed data type and rank, then the input's data type. */
export function checkType(call: OpCall, name: string, operand: MLOperand, member: string, dataType: MLOperandDataType): void {
  call.checkLimit(name, operand.dataType, operand.shape.length, call.limit(member));
  if (operand.dataType !== dataType) call.fail(`${name} data type ${operand.dataType} differs from input data type ${dataType}`);
}

export function checkShape(call: OpCall, name: string, operand: MLOperand, shape: readonly number[]): void {
  if (!sameShape(operand.shape, shape)) call.fail(`${name} shape [${operand.shape.join(', ')}] must be [${shape.join(', ')}]`);
}

/** An optional operand's checks: data type, then shape. */
export function checkOptional(call: OpCall, name: string, operand: MLOperand | null, member: string,
  dataType: MLOperandDataType, shape: readonly number[]): void {
  if (!operand) return;
  checkType(call, name, operand, member, dataType);
  checkShape(call, name, operand, shape);
}

/** Weight rows are `gates` blocks of hiddenSize; some platforms hold both biases in one tensor, hence the factor 2. */
export function checkHiddenSize(call: OpCall, hiddenSize: number, gates: number): void {
  if (!isValidDimension(hiddenSize * gates * 2)) {
    call.fail(`hiddenSize * ${gates * 2} (${hiddenSize * gates * 2}) is not a valid dimension`);
  }
}

interface GateRewrite {
  readonly gates: number;
  /** order[k] is the caller's block that becomes block k. */
  readonly order: readonly number[];
  /** Weights [..., gates * hiddenSize, size] become [..., size, gates * hiddenSize]; biases keep their axes. */
  readonly transpose: boolean;
}

defineOp<GateRewrite>({
  name: 'recurrent.gates',
  lower([x], { gates, order, transpose }, { tf }) {
    const shape = x!.shape;
    const lead = shape.slice(0, transpose ? -2 : -1);
    const rows = shape[lead.length]!;
    const hidden = rows / gates;
    const columns = transpose ? shape[shape.length - 1]! : 1;
    let blocks = tf.reshape(x!, [-1, gates, hidden, columns]);
    if (order.some((g, k) => g !== k)) {
      const parts = tf.split(blocks, gates, 1);
      blocks = tf.concat(order.map((g) => parts[g]!), 1);
    }
    if (!transpose) return tf.reshape(blocks, shape);
    return tf.reshape(tf.transpose(blocks, [0, 3, 1, 2]), [...lead, columns, rows]);
  },
});

/** gru's and lstm's five leading arguments, converted in order. */
export function sequenceArguments(call: OpCall, args: readonly unknown[]): {
  input: MLOperand; weight: MLOperand; recurrentWeight: MLOperand; steps: number; hiddenSize: number;
} {
  return {
    input: call.operand('input', args[0]),
    weight: call.operand('weight', args[1]),
    recurrentWeight: call.operand('recurrentWeight', args[2]),
    steps: toUnsignedLong(call.where, 'steps', args[3]),
    hiddenSize: toUnsignedLong(call.where, 'hiddenSize', args[4]),
  };
}

/**
 * The steps gru and lstm share: input and weights of one data type, `steps` matching the input, weights shaped
 * [numDirections, gates * hiddenSize, inputSize | hiddenSize]. Returns the data type and the batch size.
 */
export function checkSequence(call: OpCall, input: MLOperand, weight: MLOperand, recurrentWeight: MLOperand, steps: number,
  hiddenSize: number, gates: number, numDirections: number): { dataType: MLOperandDataType; batchSize: number } {
  const dataType = input.dataType;
  checkType(call, 'input', input, 'input', dataType);
  checkType(call, 'weight', weight, 'weight', dataType);
  checkType(call, 'recurrentWeight', recurrentWeight, 'recurrentWeight', dataType);
  if (steps === 0) call.fail('steps must be greater than 0');
  if (input.shape[0] !== steps) call.fail(`input shape[0] (${input.shape[0]}) must equal steps (${steps})`);
  const [, batchSize, inputSize] = input.shape as [number, number, number];
  checkShape(call, 'weight', weight, [numDirections, gates * hiddenSize, inputSize]);
  checkShape(call, 'recurrentWeight', recurrentWeight, [numDirections, gates * hiddenSize, hiddenSize]);
  checkHiddenSize(call, hiddenSize, gates);
  return { dataType, batchSize };
}

/**
 * A weight [..., gates * hiddenSize, size] as [..., size, gates * hiddenSize] (so that x · w is every gate at once),
 * its gate blocks in `order`.
 */
export function gateWeight(call: OpCall, weight: MLOperand, gates: number, order: readonly number[]): MLOperand {
  const shape = [...weight.shape];
  const [rows, columns] = shape.splice(-2, 2) as [number, number];
  return call.emitOne([weight], { gates, order, transpose: true }, { dataType: weight.dataType, shape: [...shape, columns, rows] },
    'recurrent.gates');
}

/** A bias (or peephole weight) [..., gates * hiddenSize], its gate blocks in `order`. */
export function gateVector(call: OpCall, vector: MLOperand | null, gates: number, order: readonly number[]): MLOperand | null {
  if (!vector || order.every((g, k) => g === k)) return vector;
  return call.emitOne([vector], { gates, order, transpose: false }, { dataType: vector.dataType, shape: vector.shape },
    'recurrent.gates');
}

/** max(x, 0) through Maximum on webgl, whose packed Relu turns -Infinity into NaN. */
export function activate(tf: TF, x: Tensor, activation: RecurrentActivation, backend: BackendName): Tensor {
  switch (activation) {
    case 'sigmoid': return tf.sigmoid(x);
    case 'tanh': return tf.tanh(x);
    case 'relu': return backend === 'webgl' ? tf.maximum(x, tf.scalar(0)) : tf.relu(x);
  }
}

/** x [rows, size] · w [size, width] + bias [width]. */
export function project(tf: TF, x: Tensor, w: Tensor, bias: Tensor | null): Tensor {
  const product = tf.matMul(x, w);
  return bias ? tf.add(product, bias) : product;
}

/** Sum of two optional tensors of one shape. */
export function addOptional(tf: TF, a: Tensor | null, b: Tensor | null): Tensor | null {
  if (a && b) return tf.add(a, b);
  return a ?? b;
}

/** Columns [start, start + width) of a rank-1 or rank-2 tensor. */
export function columns(tf: TF, x: Tensor | null, start: number, width: number): Tensor | null {
  if (!x) return null;
  return x.rank === 1 ? tf.slice(x, [start], [width]) : tf.slice(x, [0, start], [x.shape[0]!, width]);
}

/** Row `d` of a tensor with a leading directions axis (null stays null). */
export function direction(tf: TF, x: Tensor | null, d: number): Tensor | null {
  if (!x) return null;
  const rest = x.shape.slice(1);
  const part = x.shape[0] === 1 ? x : tf.slice(x, [d, ...rest.map(() => 0)], [1, ...rest]);
  return tf.reshape(part, rest);
}

/**
 * The time steps of a sequence projected onto the input weights: x [steps, batch, inputSize] · w + bias as `steps`
 * tensors [batch, width], computed with one matrix product for the whole sequence.
 */
export function projectSteps(tf: TF, x: Tensor, w: Tensor, bias: Tensor | null): Tensor[] {
  const [steps, batch, inputSize] = x.shape as [number, number, number];
  const projected = project(tf, tf.reshape(x, [steps * batch, inputSize]), w, bias);
  return steps === 1 ? [tf.reshape(projected, [batch, -1])] : tf.unstack(tf.reshape(projected, [steps, batch, -1]));
}

/** Step indices in processing order. */
export function stepOrder(steps: number, reverse: boolean): number[] {
  const order = range(steps);
  return reverse ? order.reverse() : order;
}

/**
 * Pieces shared by the convolution, pooling and resampling operations: the WebIDL conversion of their list
 * options, layout permutations, the build-time filter rewrite (an internal operation, so a constant filter is
 * rewritten once by the plan's constant folding) and the activations a fused convolution can end with.
 */
import { toEnum, toUnsignedLong, toUnsignedLongSequence } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { OpCall } from './op-call.js';
import type { BackendName } from '../runtime/backends.js';
import { selectSameShape } from './elementwise-binary.js';
import { defineOp, type Tensor, type TF } from './registry.js';

export type InputLayout = 'nchw' | 'nhwc';
export const INPUT_LAYOUTS: readonly InputLayout[] = ['nchw', 'nhwc'];

export { NCHW_TO_NHWC, NHWC_TO_NCHW } from './layout-rules.js';

export type Pair = [number, number];
export type Quad = [number, number, number, number];

/** A `sequence<[EnforceRange] unsigned long>` option of a fixed length, or its default when absent. */
export function listOption<T extends number[]>(call: OpCall, name: string, value: unknown, length: number,
  fallback?: T): T {
  if (value === undefined) {
    if (fallback === undefined) throw new Error(`${name} has no default`);
    return [...fallback] as T;
  }
  const list = toUnsignedLongSequence(call.where, `options.${name}`, value);
  if (list.length !== length) call.fail(`options.${name} must have ${length} items, got ${list.length}`);
  return list as T;
}

export function checkNonZero(call: OpCall, name: string, list: readonly number[]): void {
  if (list.some((v) => v === 0)) call.fail(`options.${name} must not contain 0 (got [${list.join(', ')}])`);
}

/** The spec's "calculate conv output size" (a real number; callers round it). */
export function convOutputSize(inputSize: number, filterSize: number, padBegin: number, padEnd: number,
  stride: number, dilation: number): number {
  const effective = (filterSize - 1) * dilation + 1;
  return (inputSize - effective + padBegin + padEnd) / stride + 1;
}

export function isValidDimension(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 0x7fffffff;
}

export function transposeIf(tf: TF, x: Tensor, perm: readonly number[] | null): Tensor {
  return perm ? tf.transpose(x, [...perm]) : x;
}

/**
 * Inserts `d - 1` zeros between the taps of a filter along `axis`: a dilated filter applied without dilation
 * computes the dilated convolution, which lets strides and dilations be combined (TF.js rejects the pair).
 */
export function dilateAxis(tf: TF, x: Tensor, axis: number, d: number): Tensor {
  if (d === 1) return x;
  const shape = x.shape;
  const k = shape[axis]!;
  const before = shape.slice(0, axis);
  const after = shape.slice(axis + 1);
  const outer = before.reduce((p, n) => p * n, 1);
  const inner = after.reduce((p, n) => p * n, 1);
  // Rank 3 whatever the filter's rank: webgl's pad shader does not compile for rank 5.
  const split = tf.reshape(x, [outer * k, 1, inner]);
  const spread = tf.reshape(tf.pad(split, [[0, 0], [0, d - 1], [0, 0]]), [...before, k * d, ...after]);
  const begin = shape.map(() => 0);
  const size = [...before, (k - 1) * d + 1, ...after];
  return tf.slice(spread, begin, size);
}

export interface FilterRewrite {
  /** Permutation from the caller's filter layout to the kernel's; null keeps it. */
  readonly perm: readonly number[] | null;
  /** Zero-insertion factors for axes 0 and 1 of the permuted filter (its spatial axes). */
  readonly dilations: Pair;
  /** Final shape (a reshape, e.g. to the depthwise [h, w, channels, multiplier] form); null keeps it. */
  readonly shape: readonly number[] | null;
}

/** Filter layout conversion, recorded as its own node so the plan folds it once for a constant filter. */
defineOp<FilterRewrite>({
  name: 'conv.filterRewrite',
  lower([filter], { perm, dilations, shape }, { tf }) {
    let f = transposeIf(tf, filter!, perm);
    f = dilateAxis(tf, f, 0, dilations[0]);
    f = dilateAxis(tf, f, 1, dilations[1]);
    return shape ? tf.reshape(f, [...shape]) : f;
  },
});

/** Permutes `shape` the way tf.transpose(x, perm) permutes x. */
export function permuteShape(shape: readonly number[], perm: readonly number[] | null): number[] {
  return perm ? perm.map((p) => shape[p]!) : [...shape];
}

export function dilatedShape(shape: readonly number[], dilations: Pair): number[] {
  const out = [...shape];
  out[0] = (out[0]! - 1) * dilations[0] + 1;
  out[1] = (out[1]! - 1) * dilations[1] + 1;
  return out;
}

/**
 * The activations TF.js's fused convolutions and matrix products apply themselves (graph/passes/conv-fusion.ts,
 * matmul-fusion.ts). prelu's slope is a rank-1 tensor along the kernel output's last axis, passed beside it.
 */
export type FusedActivation =
  | { readonly kind: 'relu' }
  | { readonly kind: 'relu6' }
  | { readonly kind: 'sigmoid' }
  | { readonly kind: 'elu' } // alpha 1: the only one TF.js's fused kernels offer
  | { readonly kind: 'leakyrelu'; readonly alpha: number }
  | { readonly kind: 'prelu' };

export function applyActivation(tf: TF, x: Tensor, activation: FusedActivation | undefined, slope: Tensor | null): Tensor {
  switch (activation?.kind) {
    case undefined: return x;
    case 'relu': return tf.relu(x);
    case 'relu6': return tf.relu6(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'elu': return tf.elu(x);
    case 'leakyrelu': return tf.leakyRelu(x, activation.alpha);
    case 'prelu': return tf.prelu(x, slope!);
  }
}

/**
 * The part of `activation` a fused kernel on `backend` computes as the operation does. WebGL's fused activations
 * multiply by 0/1 masks (a negative value gives -0 where relu gives +0, -Infinity gives NaN) and its Elu drops NaN,
 * so there only sigmoid stays in the kernel, and the masked ones too when `zerosSummed`: the result is read only by
 * convolutions and products, which add up what they read, so a -0 counts as the 0 it equals (and -Infinity, which
 * only infinite inputs or weights make, is left aside). activationAfterKernel() applies the rest.
 */
export function kernelActivation(activation: FusedActivation | undefined, backend: BackendName, zerosSummed = false):
  FusedActivation | undefined {
  if (backend !== 'webgl' || activation?.kind === 'sigmoid') return activation;
  return zerosSummed && activation?.kind !== 'elu' ? activation : undefined;
}

/** What kernelActivation() left out of the kernel, applied to its result as the operations compute it on webgl. */
export function activationAfterKernel(tf: TF, y: Tensor, activation: FusedActivation | undefined, slope: Tensor | null,
  backend: BackendName, zerosSummed = false): Tensor {
  if (!activation || kernelActivation(activation, backend, zerosSummed)) return y;
  const zero = tf.scalar(0);
  switch (activation.kind) {
    case 'relu': return tf.maximum(y, zero);
    case 'relu6': return tf.minimum(tf.maximum(y, zero), tf.scalar(6));
    case 'leakyrelu': return tf.add(tf.maximum(y, zero), tf.mul(tf.minimum(y, zero), tf.scalar(activation.alpha)));
    case 'prelu': return tf.add(tf.maximum(y, zero), tf.mul(slope!, tf.minimum(y, zero)));
    case 'elu': return selectSameShape(tf, tf.isNaN(y), y, tf.elu(y));
    case 'sigmoid': return tf.sigmoid(y);
  }
}

/** The options of tf.fused.conv2d / depthwiseConv2d / matMul that carry an activation. */
export function fusedActivationArgs(activation: FusedActivation | undefined, slope: Tensor | null):
  { activation: 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'elu' | 'leakyrelu' | 'prelu'; leakyreluAlpha?: number;
    preluActivationWeights?: Tensor } {
  if (!activation) return { activation: 'linear' };
  if (activation.kind === 'leakyrelu') return { activation: 'leakyrelu', leakyreluAlpha: activation.alpha };
  if (activation.kind === 'prelu') return { activation: 'prelu', preluActivationWeights: slope! };
  return { activation: activation.kind };
}

/** A per-channel bias (any shape holding `channels` values, or one value) as the rank-1 tensor kernels take. */
export function channelVector(tf: TF, bias: Tensor, channels: number): Tensor {
  // Already a vector (made at build by conv.channelVector): no kernel at run time.
  if (bias.rank === 1 && bias.shape[0] === channels) return bias;
  const flat = tf.reshape(bias, [-1]);
  return flat.shape[0] === channels ? flat : tf.tile(flat, [channels]);
}

defineOp<{ channels: number }>({
  name: 'conv.channelVector',
  // The product makes fresh rank-1 data: wasm's fused kernels check the rank the data was stored with.
  lower([bias], { channels }, { tf }) {
    return tf.mul(channelVector(tf, bias!, channels), 1);
  },
});

/** The bias option and a bias folded in by the fusion pass, as one rank-1 tensor (or null). */
export function combinedBias(tf: TF, bias: Tensor | null | undefined, extra: Tensor | null | undefined,
  channels: number): Tensor | null {
  const a = bias ? channelVector(tf, bias, channels) : null;
  const b = extra ? channelVector(tf, extra, channels) : null;
  if (a && b) return tf.add(a, b);
  return a ?? b;
}

/** A 4-D shape as [batches, channels, height, width], whatever the input layout. */
export function nchwShape(shape: readonly number[], layout: InputLayout): Quad {
  return layout === 'nchw' ? shape as Quad : [shape[0]!, shape[3]!, shape[1]!, shape[2]!];
}

export interface ConvArguments<L extends string> {
  readonly input: MLOperand;
  readonly filter: MLOperand;
  readonly bias: MLOperand | null;
  readonly padding: Quad;
  readonly strides: Pair;
  readonly dilations: Pair;
  readonly groups: number;
  readonly inputLayout: InputLayout;
  readonly filterLayout: L;
}

/** The arguments conv2d and convTranspose2d share, converted and checked in the spec's order. */
export function convArguments<L extends string>(call: OpCall, inputArg: unknown, filterArg: unknown,
  options: { padding?: unknown; strides?: unknown; dilations?: unknown; groups?: unknown; inputLayout?: unknown;
    filterLayout?: unknown; bias?: unknown },
  filterLayouts: readonly L[], defaultFilterLayout: L): ConvArguments<L> {
  const input = call.operand('input', inputArg, 'input');
  const filter = call.operand('filter', filterArg, 'filter');
  const bias = call.optionalOperand('options.bias', options.bias, 'bias');
  if (filter.dataType !== input.dataType) {
    call.fail(`filter data type ${filter.dataType} does not match input data type ${input.dataType}`);
  }
  const padding = listOption<Quad>(call, 'padding', options.padding, 4, [0, 0, 0, 0]);
  const strides = listOption<Pair>(call, 'strides', options.strides, 2, [1, 1]);
  checkNonZero(call, 'strides', strides);
  const dilations = listOption<Pair>(call, 'dilations', options.dilations, 2, [1, 1]);
  checkNonZero(call, 'dilations', dilations);
  const groups = options.groups === undefined ? 1 : toUnsignedLong(call.where, 'options.groups', options.groups);
  if (groups === 0) call.fail('options.groups must not be 0');
  const inputLayout = toEnum(call.where, 'options.inputLayout', options.inputLayout, INPUT_LAYOUTS, 'nchw');
  const filterLayout = toEnum(call.where, 'options.filterLayout', options.filterLayout, filterLayouts, defaultFilterLayout);
  return { input, filter, bias, padding, strides, dilations, groups, inputLayout, filterLayout };
}

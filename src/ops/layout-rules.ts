/**
 * Building blocks of the operations' layout rules (registry.ts LayoutRule): how axis-valued attributes read when the
 * data is held transposed by `perm` (physical axis k is logical axis perm[k]).
 */
import type { LayoutRule } from './registry.js';

/**
 * NCHW data held as NHWC (physical axes N, H, W, C are logical axes 0, 2, 3, 1), the order TF.js's convolution and
 * pooling kernels want (wasm rejects channels-first outright); and back.
 */
export const NCHW_TO_NHWC: readonly number[] = [0, 2, 3, 1];
export const NHWC_TO_NCHW: readonly number[] = [0, 3, 1, 2];

export function isIdentity(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

function samePerm(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** Where logical axis `axis` is held. */
export function physicalAxis(perm: readonly number[], axis: number): number {
  return perm.indexOf(axis);
}

/** A per-axis list (starts, sizes, paddings) in the order the axes are held. */
export function permuteList<T>(list: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => list[p]!);
}

/** Operations computing each element from the elements at the same position (after broadcasting). */
export function elementwiseRule<A>(): LayoutRule<A> {
  return { permute: (attrs, perm) => ({ attrs, outputPerms: [perm] }) };
}

/** An operation with one axis attribute whose output has its input's shape (softmax, cumulativeSum, ...). */
export function axisRule<A extends { readonly axis: number }>(dataInputs?: readonly number[]): LayoutRule<A> {
  return {
    ...(dataInputs ? { dataInputs } : {}),
    permute: (attrs, perm, env) => ({
      attrs: { ...attrs, axis: physicalAxis(perm, attrs.axis) }, outputPerms: env.outputs.map(() => perm),
    }),
  };
}

/**
 * The permutation of a result whose logical axes are the input's minus `removed` (renumbered in order), computed on
 * data held in `perm`: a reduction without kept dimensions, a gather with scalar indices.
 */
export function withoutAxes(perm: readonly number[], removed: readonly number[]): number[] {
  const kept = perm.filter((p) => !removed.includes(p));
  const order = [...kept].sort((a, b) => a - b);
  return kept.map((p) => order.indexOf(p));
}

/**
 * A 4-D operation with an NCHW/NHWC choice (`layoutKey` names the attribute): on NCHW data held as NHWC it runs as
 * NHWC, which is what TF.js's kernels compute without transposing. `usable` rules out node forms whose other inputs
 * depend on the layout.
 */
export function channelsLastRule<A>(layoutKey: keyof A & string, usable: (attrs: A) => boolean = () => true): LayoutRule<A> {
  const layoutOf = (attrs: A) => attrs[layoutKey] as unknown as 'nchw' | 'nhwc';
  return {
    dataInputs: [0],
    preferred: (attrs) => (layoutOf(attrs) === 'nchw' && usable(attrs) ? NCHW_TO_NHWC : null),
    permute: (attrs, perm) => {
      if (isIdentity(perm)) return { attrs, outputPerms: [perm] };
      if (layoutOf(attrs) !== 'nchw' || !usable(attrs) || !samePerm(perm, NCHW_TO_NHWC)) return null;
      return { attrs: { ...attrs, [layoutKey]: 'nhwc' }, outputPerms: [perm] };
    },
  };
}

/**
 * Element-wise operations of several inputs with broadcasting (binary arithmetic, comparisons, logical operations,
 * where, prelu) beyond the rank TF.js's kernels take. Adjacent axes along which every input is either broadcast or
 * whole together merge into one axis, a reshape that changes no element; if more than MAX_RANK axes remain, the
 * operation runs once per position of the first axis and the results are stacked.
 */
import { MAX_RANK, type Lowering, type LowerEnv, type Tensor, type TF } from './registry.js';

/** The output's axes grouped so that each group is one axis for every input: each input whole or broadcast along it. */
function axisGroups(inputShapes: readonly (readonly number[] | null)[], outShape: readonly number[]): number[][] {
  const rank = outShape.length;
  const aligned = inputShapes.map((s) => s && [...new Array<number>(rank - s.length).fill(1), ...s]);
  const kinds = (d: number) => aligned.map((s) => (s ? s[d] === 1 : null)).join();
  const groups: number[][] = [];
  let kind: string | null = null;
  for (let d = 0; d < rank; d++) {
    // An axis of size 1 is both whole and broadcast: it joins any group.
    if (outShape[d] === 1 && groups.length) {
      groups[groups.length - 1]!.push(d);
      continue;
    }
    const k = outShape[d] === 1 ? null : kinds(d);
    // A group of axes of size 1 so far takes any axis.
    if (groups.length && (k === kind || kind === null)) groups[groups.length - 1]!.push(d);
    else groups.push([d]);
    kind = k ?? kind;
  }
  return groups;
}

/** `shape` aligned to `rank` and folded into the groups' sizes. */
function grouped(shape: readonly number[], rank: number, groups: readonly number[][]): number[] {
  const aligned = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  return groups.map((g) => g.reduce((p, d) => p * aligned[d]!, 1));
}

/**
 * Runs `run` once per position of the first axis while the rank is above MAX_RANK. The slicing and joining go
 * through two-dimensional views, as WebGL's kernels take no rank above 6.
 */
function runGrouped(tf: TF, inputs: readonly (Tensor | null)[], outShape: readonly number[],
  run: (inputs: readonly (Tensor | null)[], outShape: readonly number[]) => Tensor): Tensor {
  if (outShape.length <= MAX_RANK) return run(inputs, outShape);
  const rest = outShape.slice(1);
  const parts = Array.from({ length: outShape[0]! }, (_, k) => runGrouped(tf, inputs.map((x) => {
    if (!x || x.rank === 0) return x;
    const inner = x.size / x.shape[0]!;
    const rows = tf.reshape(x, [x.shape[0]!, inner]);
    const row = x.shape[0] === 1 ? rows : tf.slice(rows, [k, 0], [1, inner]);
    return tf.reshape(row, x.shape.slice(1));
  }), rest, run));
  return tf.concat(parts.map((part) => tf.reshape(part, [1, part.size])), 0);
}

/** The lowering of an element-wise operation with broadcasting, for any rank (see above). */
export function anyRank<A>(lower: Lowering<A>): Lowering<A> {
  return (inputs, attrs, env) => {
    const out = env.outputs[0]!;
    if (out.shape.length <= MAX_RANK) return lower(inputs, attrs, env);
    const { tf } = env;
    const rank = out.shape.length;
    const groups = axisGroups(inputs.map((x) => x && x.shape), out.shape);
    const shapes = inputs.map((x) => x && (x.rank === 0 ? [] : grouped(x.shape, rank, groups)));
    const outShape = grouped(out.shape, rank, groups);
    const reshaped = inputs.map((x, i) => x && (x.rank === 0 ? x : tf.reshape(x, shapes[i]!)));
    const result = runGrouped(tf, reshaped, outShape, (xs, shape) => {
      const groupedEnv: LowerEnv = {
        ...env,
        inputs: env.inputs.map((d, i) => d && { ...d, shape: xs[i]!.shape }),
        outputs: [{ ...out, shape }],
      };
      return lower(xs, attrs, groupedEnv) as Tensor;
    });
    return tf.reshape(result, [...out.shape]);
  };
}

import type { BackendName } from '../runtime/backends.js';
import {
  activationAfterKernel, applyActivation, fusedActivationArgs, kernelActivation, type FusedActivation,
} from './conv-util.js';
import type { OpCall } from './op-call.js';
import { defineOp, FLOAT_TYPES, limit, type TF, type Tensor } from './registry.js';
import { broadcastShapes, elementCountOf } from './shape.js';
import { jsProduct, runsAsJsProduct } from './js-product.js';
import { simdProductOf } from './simd-product.js';

function buildMatmul(call: OpCall, aArg: unknown, bArg: unknown) {
  const a = call.operand('a', aArg, 'a');
  const b = call.operand('b', bArg, 'b');
  if (b.dataType !== a.dataType) call.fail(`b data type ${b.dataType} differs from a data type ${a.dataType}`);
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const [rowsA, colsA] = a.shape.slice(-2) as [number, number];
  const [rowsB, colsB] = b.shape.slice(-2) as [number, number];
  if (colsA !== rowsB) {
    call.fail(`a columns (${colsA}, shape [${a.shape.join(', ')}]) must equal b rows (${rowsB}, shape [${b.shape.join(', ')}])`);
  }
  const batch = broadcastShapes(call, a.shape.slice(0, rankA - 2), b.shape.slice(0, rankB - 2), 'the batch dimensions of a and b');
  return call.emitOne([a, b], {}, { dataType: a.dataType, shape: [...batch, rowsA, colsB] });
}


/**
 * BatchMatMul broadcasts batches correctly only when one side has a single matrix or both have the same batch
 * shape (webgl indexes the smaller batch modulo its size), so other combinations are expanded first.
 */
export function batchMatMul(tf: TF, a: Tensor, b: Tensor, outputShape: readonly number[]): Tensor {
  const batch = outputShape.slice(0, -2);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (batchesBroadcastDirectly(batchA, batchB)) return tf.matMul(a, b);
  const expand = (x: Tensor) => tf.broadcastTo(x, [...batch, ...x.shape.slice(-2)]);
  return tf.matMul(expand(a), expand(b));
}

/**
 * Set by the fusion pass (graph/passes/matmul-fusion.ts) on matmul nodes it rewrites, gemm's included: the node reads
 * [a, b, bias, prelu slope] (bias and slope rank-1 along the last axis, or absent; a constant b given a leading 1)
 * and runs as TF.js's fused product kernel.
 */
export interface FusedMatmulAttrs {
  readonly fused?: true;
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
  readonly activation?: FusedActivation;
  /** The result is read only by convolutions and products (see conv-util.ts kernelActivation). */
  readonly zerosSummed?: boolean;
}

/** True when tf.fused.matMul computes a product of these batch shapes the way batchMatMul() does, with no expansion. */
export function batchesBroadcastDirectly(batchA: readonly number[], batchB: readonly number[]): boolean {
  const same = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
  return same || elementCountOf(batchA) === 1 || elementCountOf(batchB) === 1;
}

defineOp<FusedMatmulAttrs>({
  name: 'matmul',
  method: { length: 2, optionsIndex: 2, build: (call, a, b) => buildMatmul(call, a, b) },
  limits: { a: limit(FLOAT_TYPES, 2), b: limit(FLOAT_TYPES, 2), output: limit(FLOAT_TYPES, 2) },
  lower: ([a, b, bias, slope], attrs, env) => {
    const { tf, backend, outputs } = env;
    const outputShape = outputs[0]!.shape;
    const transposeB = attrs.transposeB ?? false;
    if (runsAsJsProduct(env, a!, b!, attrs.transposeA ?? false, transposeB)) {
      return jsProduct({
        a: a!, b: b!, transposeB, bias: bias ?? null, activation: attrs.activation,
        slope: slope ?? null, outputShape,
      });
    }
    if (attrs.fused) return fusedProduct(tf, a!, b!, bias ?? null, slope ?? null, attrs, backend, outputShape);
    return simdProductOf(a!, b!, outputShape, env) ?? batchMatMul(tf, a!, b!, outputShape);
  },
});

/**
 * TF.js's fused product kernel, called directly: tf.fused.matMul costs about a third more on small matrices (its
 * gradient wrapper and three reshapes). The kernel takes rank-3 operands. A stack of matrices times one matrix is one
 * product of the stacked rows, which the kernel runs faster, and which wasm's kernel needs: it adds the bias correctly
 * only to a single product without transposes (TF.js 4.22), so other products with a bias are composed there.
 */
function fusedProduct(tf: TF, a: Tensor, b: Tensor, bias: Tensor | null, slope: Tensor | null, attrs: FusedMatmulAttrs,
  backend: BackendName, outputShape: readonly number[]): Tensor {
  const transposeA = attrs.transposeA ?? false;
  const transposeB = attrs.transposeB ?? false;
  const batchB = elementCountOf(b.shape.slice(0, -2));
  const stacked = !transposeA && batchB === 1 && a.rank > 2;
  const batchA = stacked ? 1 : elementCountOf(a.shape.slice(0, -2));
  const activation = kernelActivation(attrs.activation, backend, attrs.zerosSummed);
  let y: Tensor;
  if (backend === 'wasm' && bias && (transposeA || transposeB || batchA !== 1 || batchB !== 1)) {
    y = applyActivation(tf, tf.add(tf.matMul(a, b, transposeA, transposeB), bias), activation, slope);
  } else {
    const rank3 = (t: Tensor, batch: number) => {
      const last = t.shape[t.rank - 1]!;
      const shape = [batch, t.size / batch / last, last];
      return t.rank === 3 && t.shape[0] === batch && t.shape[1] === shape[1] ? t : tf.reshape(t, shape);
    };
    const args = fusedActivationArgs(activation, slope);
    const inputs: Record<string, Tensor> = { a: rank3(a, batchA), b: rank3(b, batchB) };
    if (bias) inputs['bias'] = bias;
    if (args.preluActivationWeights) inputs['preluActivationWeights'] = args.preluActivationWeights;
    const kernelAttrs = { transposeA, transposeB, activation: args.activation, leakyreluAlpha: args.leakyreluAlpha ?? 0 };
    y = tf.engine().runKernel(tf._FusedMatMul, inputs, kernelAttrs) as Tensor;
  }
  // The product of rank-3 operands, or of a matrix and a constant given a leading 1 (matmul-fusion.ts), has its own rank.
  if (y.rank !== outputShape.length || y.shape.some((d, i) => d !== outputShape[i])) y = tf.reshape(y, [...outputShape]);
  return activationAfterKernel(tf, y, attrs.activation, slope, backend, attrs.zerosSummed);
}

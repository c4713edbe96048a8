import type { GemmAttrs } from '../../ops/gemm.js';
import { batchesBroadcastDirectly, type FusedMatmulAttrs } from '../../ops/matmul.js';
import type { GraphNode, OperandRef } from '../ir.js';
import {
  activationOf, applyRewrites, channelVectorNode, internalNode, isConstant, perChannelConstant, readBySums, readersOf, type Rewrite,
  soleReaderOf,
  variesAlongOnly,
} from './fusion-util.js';

/**
 * A matmul, or a gemm with alpha 1 whose c (if any) is a constant varying along the output's columns at most,
 * optionally followed by an add of a constant varying along the last axis at most and then by an activation of
 * TF.js's fused kernels (fusion-util.ts activationOf), becomes one matmul node run as tf.fused.matMul: gemm's
 * transposes become transposeA / transposeB (a constant operand is transposed at build instead), beta * c and the
 * added constant become the kernel's rank-1 bias, computed once at build. A gemm with another alpha is left alone: alpha * (A B) is not (alpha A) B in float32.
 * Steps are absorbed only when the value before them has no other reader and is not a graph output.
 */
export function fuseMatmuls(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const soleReader = soleReaderOf(order, outputs);
  const readers = readersOf(order, outputs);
  const rewrites: Rewrite[] = [];
  for (const node of order) {
    const product = productOf(node);
    if (!product) continue;
    const made: GraphNode[] = [...product.made];
    const productOutput = node.outputs[0]!;
    const lastAxis = productOutput.desc.shape.length - 1;
    const columns = productOutput.desc.shape[lastAxis]!;
    const replaced = [node];
    let bias = product.bias;
    let tail = productOutput;
    let next = soleReader(tail);
    const added = next?.op === 'add' ? perChannelConstant(next, tail, lastAxis) : null;
    if (next && added) {
      if (bias) {
        const sum = internalNode('add', [bias, added], {},
          { dataType: bias.desc.dataType, shape: broadcastShape(bias.desc.shape, added.desc.shape) }, added);
        made.push(sum);
        bias = sum.outputs[0]!;
      } else {
        bias = added;
      }
      replaced.push(next);
      tail = next.outputs[0]!;
      next = soleReader(tail);
    }
    const fusable = next ? activationOf(next, tail, lastAxis) : null;
    if (next && fusable) {
      replaced.push(next);
      tail = next.outputs[0]!;
    }
    if (tail === productOutput && !product.bias) continue;
    const vector = bias ? channelVectorNode(bias, columns) : null;
    const slope = fusable?.slope ? channelVectorNode(fusable.slope, columns) : null;
    // The kernel takes rank-3 operands: a constant matrix is given its leading 1 once, at build.
    const b = product.b;
    const stackedB = b.desc.shape.length === 2 && isConstant(b)
      ? internalNode('reshape', [b], { shape: [1, ...b.desc.shape] }, { dataType: b.desc.dataType, shape: [1, ...b.desc.shape] }, b)
      : null;
    const attrs: FusedMatmulAttrs = {
      fused: true, transposeA: product.transposeA, transposeB: product.transposeB,
      ...(fusable ? { activation: fusable.activation, zerosSummed: readBySums(tail, readers(tail)) } : {}),
    };
    rewrites.push({ replaced, nodes: [
      ...made,
      ...(vector ? [vector] : []),
      ...(slope ? [slope] : []),
      ...(stackedB ? [stackedB] : []),
      {
        id: node.id,
        op: 'matmul',
        inputs: [product.a, stackedB?.outputs[0] ?? b, vector?.outputs[0] ?? null, slope?.outputs[0] ?? null],
        attrs: { ...attrs },
        outputs: [tail],
        label: node.label,
      },
    ] });
  }
  return applyRewrites(order, rewrites);
}

interface Product {
  /** The operands of the fused node (a constant gemm transposes at build). */
  readonly a: OperandRef;
  readonly b: OperandRef;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** gemm's beta * c, when there is a c. */
  readonly bias: OperandRef | null;
  /** Nodes computing the bias at build. */
  readonly made: readonly GraphNode[];
}

/** The matrix product `node` computes, when tf.fused.matMul can compute it. */
function productOf(node: GraphNode): Product | null {
  if (node.outputs.length !== 1 || node.attrs['fused']) return null;
  const [a, b, c] = node.inputs;
  if (!a || !b) return null;
  if (node.op === 'matmul') {
    if (!batchesBroadcastDirectly(a.desc.shape.slice(0, -2), b.desc.shape.slice(0, -2))) return null;
    return { a, b, transposeA: false, transposeB: false, bias: null, made: [] };
  }
  if (node.op !== 'gemm') return null;
  const { alpha, beta, aTranspose, bTranspose } = node.attrs as unknown as GemmAttrs;
  if (alpha !== 1) return null;
  const outShape = node.outputs[0]!.desc.shape;
  if (c && (!isConstant(c) || !variesAlongOnly(c.desc.shape, outShape, 1))) return null;
  // A constant operand is transposed once at build instead of by the kernel at every run.
  const made: GraphNode[] = [];
  const laidOut = (operand: OperandRef, transpose: boolean): OperandRef => {
    if (!transpose || !isConstant(operand)) return operand;
    const shape = [operand.desc.shape[1]!, operand.desc.shape[0]!];
    const node = internalNode('transpose', [operand], { permutation: [1, 0] }, { dataType: operand.desc.dataType, shape }, operand);
    made.push(node);
    return node.outputs[0]!;
  };
  const product = {
    a: laidOut(a, aTranspose), b: laidOut(b, bTranspose),
    transposeA: aTranspose && !isConstant(a), transposeB: bTranspose && !isConstant(b),
  };
  if (!c || beta === 1) return { ...product, bias: c ?? null, made };
  const scaled = internalNode('gemm.scaledC', [c], { beta }, c.desc, c);
  return { ...product, bias: scaled.outputs[0]!, made: [...made, scaled] };
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => Math.max(a[i - rank + a.length] ?? 1, b[i - rank + b.length] ?? 1));
}

import type { OpCall } from './op-call.js';
import { defineOp, FLOAT_TYPES, limit, type TF, type Tensor } from './registry.js';
import { broadcastShapes } from './shape.js';

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

const elements = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/**
 * BatchMatMul broadcasts batches correctly only when one side has a single matrix or both have the same batch
 * shape (webgl indexes the smaller batch modulo its size), so other combinations are expanded first.
 */
export function batchMatMul(tf: TF, a: Tensor, b: Tensor, outputShape: readonly number[]): Tensor {
  const batch = outputShape.slice(0, -2);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const same = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
  if (same || elements(batchA) === 1 || elements(batchB) === 1) return tf.matMul(a, b);
  const expand = (x: Tensor) => tf.broadcastTo(x, [...batch, ...x.shape.slice(-2)]);
  return tf.matMul(expand(a), expand(b));
}

defineOp({
  name: 'matmul',
  method: { length: 2, optionsIndex: 2, build: (call, a, b) => buildMatmul(call, a, b) },
  limits: { a: limit(FLOAT_TYPES, 2), b: limit(FLOAT_TYPES, 2), output: limit(FLOAT_TYPES, 2) },
  lower: ([a, b], _attrs, { tf, outputs }) => batchMatMul(tf, a!, b!, outputs[0]!.shape),
});

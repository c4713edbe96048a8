import { toBoolean, toDictionary, toFiniteDouble } from '../webidl.js';
import { castNumber } from '../types/cast-number.js';
import type { OpCall } from './op-call.js';
import { defineOp, FLOAT_TYPES, limit } from './registry.js';
import { broadcastsTo } from './shape.js';

export interface GemmAttrs {
  readonly alpha: number;
  readonly beta: number;
  readonly aTranspose: boolean;
  readonly bTranspose: boolean;
}

interface GemmOptions {
  c: unknown;
  alpha: unknown;
  beta: unknown;
  aTranspose: unknown;
  bTranspose: unknown;
}

function buildGemm(call: OpCall, aArg: unknown, bArg: unknown, options: unknown) {
  const a = call.operand('a', aArg, 'a');
  const b = call.operand('b', bArg, 'b');
  const o = toDictionary<GemmOptions>(call.where, 'options', options);
  const c = call.optionalOperand('options.c', o.c, 'c');
  const alpha = castNumber(toFiniteDouble(call.where, 'options.alpha', o.alpha, 1), a.dataType);
  const beta = castNumber(toFiniteDouble(call.where, 'options.beta', o.beta, 1), a.dataType);
  const aTranspose = toBoolean(o.aTranspose, false);
  const bTranspose = toBoolean(o.bTranspose, false);
  if (b.dataType !== a.dataType) call.fail(`b data type ${b.dataType} differs from a data type ${a.dataType}`);
  const shapeA = aTranspose ? [...a.shape].reverse() : a.shape;
  const shapeB = bTranspose ? [...b.shape].reverse() : b.shape;
  if (shapeA[1] !== shapeB[0]) {
    call.fail(`a (shape [${a.shape.join(', ')}], aTranspose ${aTranspose}) and b (shape [${b.shape.join(', ')}], ` +
      `bTranspose ${bTranspose}) have different inner dimensions ${shapeA[1]} and ${shapeB[0]}`);
  }
  const shape = [shapeA[0]!, shapeB[1]!];
  if (c) {
    if (!broadcastsTo(c.shape, shape)) call.fail(`options.c shape [${c.shape.join(', ')}] does not broadcast to [${shape.join(', ')}]`);
    if (c.dataType !== a.dataType) call.fail(`options.c data type ${c.dataType} differs from a data type ${a.dataType}`);
  }
  const attrs: GemmAttrs = { alpha, beta, aTranspose, bTranspose };
  return call.emitOne([a, b, c], { ...attrs }, { dataType: a.dataType, shape });
}

/** beta * c, for the fusion pass (graph/passes/matmul-fusion.ts): computed once at build for a constant c. */
defineOp<{ beta: number }>({
  name: 'gemm.scaledC',
  lower: ([c], { beta }, { tf }) => tf.mul(c!, tf.scalar(beta, 'float32')),
});

defineOp<GemmAttrs>({
  name: 'gemm',
  method: { length: 2, optionsIndex: 2, build: (call, a, b, options) => buildGemm(call, a, b, options) },
  limits: { a: limit(FLOAT_TYPES, 2, 2), b: limit(FLOAT_TYPES, 2, 2), c: limit(FLOAT_TYPES, 0, 2), output: limit(FLOAT_TYPES, 2, 2) },
  // alphaScalar and betaScalar: alpha and beta as constants (graph/passes/scalar-constants.ts), uploaded once at build.
  lower: ([a, b, c, alphaScalar, betaScalar], { alpha, beta, aTranspose, bTranspose }, { tf }) => {
    let y = tf.matMul(a!, b!, aTranspose, bTranspose);
    if (alpha !== 1) y = tf.mul(y, alphaScalar ?? tf.scalar(alpha, 'float32'));
    // beta * c is kept even for beta 0, so that infinities and NaNs in c propagate as in alpha*A*B + beta*C.
    if (c) y = tf.add(y, beta === 1 ? c : tf.mul(c, betaScalar ?? tf.scalar(beta, 'float32')));
    return y;
  },
});

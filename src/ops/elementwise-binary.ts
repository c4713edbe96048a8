import { defineOp, limit, NUMERIC_TYPES, type Lowering, type Tensor, type TF } from './registry.js';
import type { OpCall } from './op-call.js';
import { broadcastShapes } from './shape.js';

const binaryLimits = {
  a: limit(NUMERIC_TYPES), b: limit(NUMERIC_TYPES), output: limit(NUMERIC_TYPES),
};

function buildBinary(call: OpCall, a: unknown, b: unknown) {
  const x = call.operand('a', a, 'a');
  const y = call.operand('b', b, 'b');
  if (x.dataType !== y.dataType) call.fail(`a (${x.dataType}) and b (${y.dataType}) must have the same data type`);
  const shape = broadcastShapes(call, x.shape, y.shape);
  return call.emitOne([x, y], {}, { dataType: x.dataType, shape });
}

/** Integer results wrap to the WebNN type's width, as two's complement hardware does. */
export function wrapInteger(tf: TF, x: Tensor, dataType: string): Tensor {
  switch (dataType) {
    case 'int8': return tf.sub(tf.mod(tf.add(x, 128), 256), 128);
    case 'uint8': return tf.mod(x, 256);
    default: return x;
  }
}

function binary(name: string, kernel: (tf: TF, a: Tensor, b: Tensor, dataType: string) => Tensor, wraps: boolean) {
  const lower: Lowering<Record<string, never>> = ([a, b], _attrs, env) => {
    const dataType = env.outputs[0]!.dataType;
    const result = kernel(env.tf, a!, b!, dataType);
    return wraps ? wrapInteger(env.tf, result, dataType) : result;
  };
  defineOp({
    name,
    method: { length: 2, optionsIndex: 2, build: (call, a, b) => buildBinary(call, a, b) },
    limits: binaryLimits,
    lower,
  });
}

const isFloat = (dataType: string) => dataType === 'float32' || dataType === 'float16';

binary('add', (tf, a, b) => tf.add(a, b), true);
binary('sub', (tf, a, b) => tf.sub(a, b), true);
binary('mul', (tf, a, b) => tf.mul(a, b), true);
// Integer division truncates toward zero (spec); TF.js's int32 div floors.
binary('div', (tf, a, b, dataType) => {
  if (isFloat(dataType)) return tf.div(a, b);
  const q = tf.floorDiv(tf.abs(a), tf.abs(b));
  return tf.mul(q, tf.mul(tf.sign(a), tf.sign(b)));
}, true);
binary('max', (tf, a, b) => tf.maximum(a, b), false);
binary('min', (tf, a, b) => tf.minimum(a, b), false);
binary('pow', (tf, a, b) => tf.pow(a, b), true);

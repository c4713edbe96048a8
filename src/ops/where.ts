/**
 * where: trueValue where the uint8 condition is non-zero, falseValue elsewhere, all three broadcast together.
 * The condition becomes a TF.js bool through NotEqual(c, 0): wasm's Cast to bool would keep the raw byte.
 */
import type { MLOperand } from './builder-internals.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { selectSameShape } from './elementwise-binary.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit, MAX_FLAT_RANK, type Tensor, type TF } from './registry.js';
import { anyRank } from './broadcast-rank.js';
import { byPositions } from './host-kernels.js';
import { broadcastShapes } from './shape.js';
import { elementwiseRule } from './layout-rules.js';

const UINT8: readonly MLOperandDataType[] = ['uint8'];

function buildWhere(call: OpCall, conditionArg: unknown, trueArg: unknown, falseArg: unknown): MLOperand {
  const condition = call.operand('condition', conditionArg, 'condition');
  const trueValue = call.operand('trueValue', trueArg, 'trueValue');
  const falseValue = call.operand('falseValue', falseArg, 'falseValue');
  if (falseValue.dataType !== trueValue.dataType) {
    call.fail(`falseValue (${falseValue.dataType}) must have the data type of trueValue (${trueValue.dataType})`);
  }
  const values = broadcastShapes(call, trueValue.shape, falseValue.shape, 'trueValue and falseValue');
  const shape = broadcastShapes(call, condition.shape, values, 'condition and the values');
  const output = { dataType: trueValue.dataType, shape };
  call.checkOutput(output);
  return call.emitOne([condition, trueValue, falseValue], {}, output);
}

function broadcast(tf: TF, x: Tensor, shape: readonly number[]): Tensor {
  const same = x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i]);
  return same ? x : tf.broadcastTo(x, [...shape]);
}

defineOp({
  name: 'where',
  layout: elementwiseRule(),
  method: {
    length: 3, optionsIndex: 3,
    build: (call, condition, trueValue, falseValue) => buildWhere(call, condition, trueValue, falseValue),
  },
  limits: {
    condition: limit(UINT8, 0, MAX_FLAT_RANK), trueValue: limit(ALL_TYPES, 0, MAX_FLAT_RANK),
    falseValue: limit(ALL_TYPES, 0, MAX_FLAT_RANK), output: limit(ALL_TYPES, 0, MAX_FLAT_RANK),
  },
  lowerHost: byPositions('where', [1, 2]),
  lower: anyRank(([c, t, f], _attrs, { tf, outputs }) => {
    const shape = outputs[0]!.shape;
    const condition = tf.notEqual(broadcast(tf, c!, shape), tf.scalar(0, 'int32'));
    return selectSameShape(tf, condition, broadcast(tf, t!, shape), broadcast(tf, f!, shape));
  }),
});

import {
  ALL_TYPES, defineOp, flattened, FLOAT_TYPES, limit, MAX_FLAT_RANK, type HostLowering, type LowerEnv, type Tensor, type TF,
} from './registry.js';
import { anyRank } from './broadcast-rank.js';
import { HostTensor } from '../types/host-tensor.js';
import { comparisonOnHost, logicalOnHost } from './host-kernels.js';
import type { OpCall } from './op-call.js';
import { broadcastShapes } from './shape.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { elementwiseRule } from './layout-rules.js';

const UINT8: readonly MLOperandDataType[] = ['uint8'];

/** The spec's "create an element-wise logical operation": the output is uint8 0/1 of the broadcast shape. */
function buildLogical(call: OpCall, binary: boolean, a: unknown, b?: unknown) {
  const x = call.operand('a', a, 'a');
  if (!binary) return call.emitOne([x], {}, { dataType: 'uint8', shape: [...x.shape] });
  const y = call.operand('b', b, 'b');
  if (x.dataType !== y.dataType) call.fail(`a (${x.dataType}) and b (${y.dataType}) must have the same data type`);
  return call.emitOne([x, y], {}, { dataType: 'uint8', shape: broadcastShapes(call, x.shape, y.shape) });
}

function binaryLogical(name: string, types: readonly MLOperandDataType[], kernel: (tf: TF, a: Tensor, b: Tensor) => Tensor,
  lowerHost: HostLowering<Record<string, never>>) {
  defineOp({
    name,
    method: { length: 2, optionsIndex: 2, build: (call, a, b) => buildLogical(call, true, a, b) },
    limits: { a: limit(types, 0, MAX_FLAT_RANK), b: limit(types, 0, MAX_FLAT_RANK), output: limit(UINT8, 0, MAX_FLAT_RANK) },
    lower: anyRank(([a, b], _attrs, env) => kernel(env.tf, a!, b!)),
    layout: elementwiseRule<Record<string, never>>(),
    lowerHost,
  });
}

function unaryLogical(name: string, types: readonly MLOperandDataType[], kernel: (tf: TF, a: Tensor, env: LowerEnv) => Tensor,
  lowerHost?: HostLowering<Record<string, never>>) {
  defineOp({
    name,
    method: { length: 1, optionsIndex: 1, build: (call, a) => buildLogical(call, false, a) },
    limits: { a: limit(types, 0, MAX_FLAT_RANK), output: limit(UINT8, 0, MAX_FLAT_RANK) },
    lower: flattened(([a], _attrs, env) => kernel(env.tf, a!, env)),
    layout: elementwiseRule<Record<string, never>>(),
    ...(lowerHost ? { lowerHost } : {}),
  });
}

/** isNaN and isInfinite of integers (any type, uint32 / int64 / uint64 on the host): never. */
const floatTest = (test: (tf: TF, a: Tensor) => Tensor) => (tf: TF, a: Tensor, env: LowerEnv) =>
  (FLOAT_TYPES.includes(env.inputs[0]!.dataType) ? test(tf, a) : tf.zeros(a.shape, 'int32'));
const neverOnHost: HostLowering<Record<string, never>> = (_inputs, _attrs, { outputs }) =>
  HostTensor.zeros(outputs[0]!.dataType, outputs[0]!.shape);

// Comparisons give TF.js bool tensors; the plan stores them as int32 0/1.
// uint32, int64 and uint64 compare on the host.
binaryLogical('equal', ALL_TYPES, (tf, a, b) => tf.equal(a, b), comparisonOnHost((x, y) => x === y));
binaryLogical('notEqual', ALL_TYPES, (tf, a, b) => tf.notEqual(a, b), comparisonOnHost((x, y) => x !== y));
binaryLogical('greater', ALL_TYPES, (tf, a, b) => tf.greater(a, b), comparisonOnHost((x, y) => x > y));
binaryLogical('greaterOrEqual', ALL_TYPES, (tf, a, b) => tf.greaterEqual(a, b), comparisonOnHost((x, y) => x >= y));
binaryLogical('lesser', ALL_TYPES, (tf, a, b) => tf.less(a, b), comparisonOnHost((x, y) => x < y));
binaryLogical('lesserOrEqual', ALL_TYPES, (tf, a, b) => tf.lessEqual(a, b), comparisonOnHost((x, y) => x <= y));

// uint8 logical inputs: any non-zero value is true. Stored values are 0..255, so min(x, 1) is the truth value, computed
// in int32 (wasm's cast to bool would keep the raw byte instead of normalising it).
const one = (tf: TF) => tf.scalar(1, 'int32');
// On the host, where a plan computed their inputs (Plan keeps them there): the same truth tables.
unaryLogical('logicalNot', UINT8, (tf, a) => tf.equal(a, tf.scalar(0, 'int32')), logicalOnHost((x) => !x));
binaryLogical('logicalAnd', UINT8, (tf, a, b) => tf.minimum(tf.minimum(a, b), one(tf)), logicalOnHost((x, y) => x && y));
binaryLogical('logicalOr', UINT8, (tf, a, b) => tf.minimum(tf.maximum(a, b), one(tf)), logicalOnHost((x, y) => x || y));
binaryLogical('logicalXor', UINT8, (tf, a, b) => tf.notEqual(tf.minimum(a, one(tf)), tf.minimum(b, one(tf))), logicalOnHost((x, y) => x !== y));

unaryLogical('isNaN', ALL_TYPES, floatTest((tf, a) => tf.isNaN(a)), neverOnHost);
unaryLogical('isInfinite', ALL_TYPES, floatTest((tf, a) => tf.isInf(a)), neverOnHost);

/**
 * The shape operations of the dynamic-shape proposal: shape(), range(), and the rank changes squeeze, unsqueeze and
 * reshapeTo2d (ONNX Flatten), the last three recorded as reshape nodes. Every shape here is concrete: a graph with
 * symbolic dimensions is built by replaying these steps with the dimensions of each dispatch.
 */
import { toDictionary, toUnsignedLong, toUnsignedLongSequence } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import { elementCount } from '../graph/ir.js';
import { castNumber } from '../types/cast-number.js';
import { storageDtypeOf, type MLOperandDataType } from '../types/data-type.js';
import { hostArrayOf, HostTensor } from '../types/host-tensor.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit } from './registry.js';
import { checkAxes, range } from './shape.js';

const PROPOSAL = 'dynamic-shapes';

/** Values of a 1-D tensor of `dataType` on the host (bigints for int64 and uint64). */
function hostVector(dataType: MLOperandDataType, values: readonly (number | bigint)[]): HostTensor {
  const array = hostArrayOf(dataType, values.length);
  const big = dataType === 'int64' || dataType === 'uint64';
  values.forEach((v, i) => { (array as unknown as (number | bigint)[])[i] = big ? BigInt(v) : Number(v); });
  return new HostTensor(dataType, [values.length], array);
}

interface ShapeAttrs {
  readonly values: readonly number[];
}

/**
 * shape(): a node without inputs, so its value is a constant of the concrete graph (computed once at build) and the
 * shape interpreter reads it like any constant.
 */
function buildShape(call: OpCall, inputArg: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  if (input.shape.length === 0) {
    call.fail('input is a scalar: its shape would be an empty tensor, which WebNN cannot represent');
  }
  const attrs: ShapeAttrs = { values: [...input.shape] };
  return call.emitOne([], { ...attrs }, { dataType: 'uint32', shape: [input.shape.length] });
}

defineOp<ShapeAttrs>({
  name: 'shape',
  proposal: PROPOSAL,
  method: { length: 1, optionsIndex: 1, build: (call, input) => buildShape(call, input) },
  limits: { input: limit(ALL_TYPES), output: limit(['uint32'], 1, 1) },
  lower: (_inputs, { values }, { tf }) => tf.tensor([...values], [values.length], 'int32'),
  lowerHost: (_inputs, { values }) => hostVector('uint32', values),
});

interface RangeAttrs {
  readonly start: number;
  readonly delta: number;
  readonly count: number;
}

const isBigType = (t: MLOperandDataType) => t === 'int64' || t === 'uint64';
const isIntType = (t: MLOperandDataType) => t !== 'float32' && t !== 'float16';

/** start + i * delta as the data type holds it: exact for integers (bigints for 64 bits), rounded for floats. */
function rangeValues({ start, delta, count }: RangeAttrs, dataType: MLOperandDataType): (number | bigint)[] {
  if (isBigType(dataType)) return range(count).map((i) => BigInt(start) + BigInt(i) * BigInt(delta));
  return range(count).map((i) => castNumber(start + i * delta, dataType));
}

/** max(0, ceil((limit - start) / delta)), exactly for integers. */
function rangeCount(start: number, limitValue: number, delta: number, integer: boolean): number {
  if (!integer) return Math.max(0, Math.ceil((limitValue - start) / delta));
  const span = BigInt(limitValue) - BigInt(start);
  const step = BigInt(delta);
  // Rounding toward zero plus one when a remainder points the same way as the quotient gives the ceiling.
  let q = span / step;
  if (span % step !== 0n && (span < 0n) === (step < 0n)) q += 1n;
  return q > 0n ? Number(q) : 0;
}

function scalarValue(call: OpCall, name: string, arg: unknown, dataType?: MLOperandDataType): [MLOperand, number] {
  const operand = call.operand(name, arg, name);
  if (dataType !== undefined && operand.dataType !== dataType) {
    call.fail(`${name} (${operand.dataType}) must have the data type of start (${dataType})`);
  }
  return [operand, call.values(name, operand)[0]!];
}

function buildRange(call: OpCall, startArg: unknown, limitArg: unknown, deltaArg: unknown): MLOperand {
  const [startOperand, start] = scalarValue(call, 'start', startArg);
  const dataType = startOperand.dataType;
  const [, limitValue] = scalarValue(call, 'limit', limitArg, dataType);
  const [, delta] = scalarValue(call, 'delta', deltaArg, dataType);
  if (delta === 0) call.fail('delta is 0');
  const count = rangeCount(start, limitValue, delta, isIntType(dataType));
  if (!Number.isFinite(count)) call.fail(`start ${start}, limit ${limitValue} and delta ${delta} do not give a finite count`);
  if (count === 0) {
    call.fail(`start ${start}, limit ${limitValue} and delta ${delta} give no element: WebNN has no empty tensors`);
  }
  const attrs: RangeAttrs = { start, delta, count };
  return call.emitOne([], { ...attrs }, { dataType, shape: [count] });
}

defineOp<RangeAttrs>({
  name: 'range',
  proposal: PROPOSAL,
  method: { length: 3, optionsIndex: 3, build: (call, start, limitArg, delta) => buildRange(call, start, limitArg, delta) },
  limits: { start: limit(ALL_TYPES, 0, 0), limit: limit(ALL_TYPES, 0, 0), delta: limit(ALL_TYPES, 0, 0), output: limit(ALL_TYPES, 1, 1) },
  lower: (_inputs, attrs, { tf, outputs }) => {
    const dataType = outputs[0]!.dataType;
    return tf.tensor(rangeValues(attrs, dataType) as number[], [attrs.count], storageDtypeOf(dataType));
  },
  lowerHost: (_inputs, attrs, { outputs }) => hostVector(outputs[0]!.dataType, rangeValues(attrs, outputs[0]!.dataType)),
});

/** The rank changes below only relabel the dimensions: each is a reshape node. */
function emitReshape(call: OpCall, input: MLOperand, shape: readonly number[]): MLOperand {
  const output = { dataType: input.dataType, shape: [...shape] };
  call.checkOutput(output);
  return call.emitOne([input], { shape: [...shape] }, output, 'reshape');
}

function buildSqueeze(call: OpCall, inputArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const o = toDictionary<{ axes: unknown }>(call.where, 'options', options);
  const axes = o.axes === undefined ? null : toUnsignedLongSequence(call.where, 'options.axes', o.axes);
  const rank = input.shape.length;
  if (axes === null) return emitReshape(call, input, input.shape.filter((d) => d !== 1));
  checkAxes(call, axes, rank, 'options.axes');
  for (const axis of axes) {
    if (input.shape[axis] !== 1) call.fail(`options.axes has ${axis}, whose dimension is ${input.shape[axis]}, not 1`);
  }
  return emitReshape(call, input, input.shape.filter((_, d) => !axes.includes(d)));
}

/** A rank change: its builder step records a reshape node, so it has no lowering of its own. */
function defineRankChange(name: string, length: number, build: (call: OpCall, input: unknown, arg: unknown) => MLOperand,
  output = limit(ALL_TYPES)): void {
  defineOp({
    name,
    proposal: PROPOSAL,
    method: { length, optionsIndex: length, build: (call, input, arg) => build(call, input, arg) },
    limits: { input: limit(ALL_TYPES), output },
    lower: () => { throw new Error(`${name} is recorded as a reshape`); },
  });
}

defineRankChange('squeeze', 1, buildSqueeze);

function buildUnsqueeze(call: OpCall, inputArg: unknown, axesArg: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const axes = toUnsignedLongSequence(call.where, 'axes', axesArg);
  const outputRank = input.shape.length + axes.length;
  checkAxes(call, axes, outputRank);
  let next = 0;
  const shape = range(outputRank).map((d) => (axes.includes(d) ? 1 : input.shape[next++]!));
  return emitReshape(call, input, shape);
}

defineRankChange('unsqueeze', 2, buildUnsqueeze);

function buildReshapeTo2d(call: OpCall, inputArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const o = toDictionary<{ axis: unknown }>(call.where, 'options', options);
  const axis = o.axis === undefined ? 1 : toUnsignedLong(call.where, 'options.axis', o.axis);
  const rank = input.shape.length;
  if (axis > rank) call.fail(`options.axis (${axis}) must be at most the input rank ${rank}`);
  return emitReshape(call, input, [elementCount(input.shape.slice(0, axis)), elementCount(input.shape.slice(axis))]);
}

defineRankChange('reshapeTo2d', 1, buildReshapeTo2d, limit(ALL_TYPES, 2, 2));

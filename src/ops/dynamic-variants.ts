/**
 * The *Dynamic operations of the dynamic-shape proposal: the static operation with its shape arguments (newShape,
 * starts, paddings, ...) taken from integer operands. The shape interpreter gives their values (OpCall.values) and the
 * static builder step does the rest, so validation, shape inference, WebIDL conversion of the values and lowering are
 * the static operation's; the node it records is named after the dynamic operation and lowered the same way.
 */
import { toDictionary } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import { buildExpand } from './expand.js';
import type { OpCall } from './op-call.js';
import { buildPad } from './pad.js';
import { defineOp, getOp, limit, type OpDefinition, type TensorLimit } from './registry.js';
import { buildResample2d } from './resample2d.js';
import { buildReshape } from './reshape.js';
import { buildSlice } from './slice.js';
import { buildSplit } from './split.js';
import { buildTile } from './tile.js';

/** Shape operands: 1-D tensors of any integer type (the interpreter reads their values exactly below 2^53). */
const SHAPE_TYPES = ['int32', 'uint32', 'int64', 'uint64'] as const;
const SHAPE_VECTOR = limit(SHAPE_TYPES, 1, 1);

function withMembers(limits: Readonly<Record<string, TensorLimit>>, shapeLimits: Record<string, TensorLimit>) {
  return { ...limits, ...shapeLimits };
}

/** Defines `name` with the lowering and limits of `staticName`, plus limits for its shape operands. */
function dynamicVariant(name: string, staticName: string, shapeLimits: Record<string, TensorLimit>,
  method: NonNullable<OpDefinition['method']>): void {
  const base = getOp(staticName);
  const backendLimits = base.backendLimits && Object.fromEntries(Object.entries(base.backendLimits)
    .map(([backend, l]) => [backend, withMembers(l!, shapeLimits)]));
  defineOp({
    name,
    proposal: 'dynamic-shapes',
    method,
    limits: withMembers(base.limits!, shapeLimits),
    ...(backendLimits ? { backendLimits } : {}),
    lower: base.lower,
    ...(base.lowerHost ? { lowerHost: base.lowerHost } : {}),
    ...(base.foldable !== undefined ? { foldable: base.foldable } : {}),
    ...(base.int32InputsArePositions !== undefined ? { int32InputsArePositions: base.int32InputsArePositions } : {}),
  });
}

/** The values of the shape operand `name`, checked against the op's `member` limits. */
function shapeValues(call: OpCall, name: string, arg: unknown, member = name): number[] {
  return [...call.values(name, call.operand(name, arg, member))];
}

/** The input is converted first, as WebIDL converts arguments in order (the static step checks it again). */
function checkInput(call: OpCall, input: unknown): void {
  call.operand('input', input, 'input');
}

dynamicVariant('reshapeDynamic', 'reshape', { newShape: SHAPE_VECTOR }, {
  length: 2, optionsIndex: 2,
  build: (call, input, newShape): MLOperand => {
    checkInput(call, input);
    return buildReshape(call, input, shapeValues(call, 'newShape', newShape));
  },
});

dynamicVariant('expandDynamic', 'expand', { newShape: SHAPE_VECTOR }, {
  length: 2, optionsIndex: 2,
  build: (call, input, newShape): MLOperand => {
    checkInput(call, input);
    return buildExpand(call, input, shapeValues(call, 'newShape', newShape));
  },
});

dynamicVariant('tileDynamic', 'tile', { repetitions: SHAPE_VECTOR }, {
  length: 2, optionsIndex: 2,
  build: (call, input, repetitions): MLOperand => {
    checkInput(call, input);
    return buildTile(call, input, shapeValues(call, 'repetitions', repetitions));
  },
});

dynamicVariant('sliceDynamic', 'slice', { starts: SHAPE_VECTOR, sizes: SHAPE_VECTOR }, {
  length: 3, optionsIndex: 3,
  build: (call, input, starts, sizes, options): MLOperand => {
    checkInput(call, input);
    const startValues = shapeValues(call, 'starts', starts);
    const sizeValues = shapeValues(call, 'sizes', sizes);
    const o = toDictionary<{ strides: unknown }>(call.where, 'options', options);
    return buildSlice(call, input, startValues, sizeValues, { strides: o.strides, label: call.label });
  },
});

dynamicVariant('padDynamic', 'pad', { beginningPadding: SHAPE_VECTOR, endingPadding: SHAPE_VECTOR }, {
  length: 3, optionsIndex: 3,
  build: (call, input, beginning, ending): MLOperand => {
    checkInput(call, input);
    const beginningValues = shapeValues(call, 'beginningPadding', beginning);
    const endingValues = shapeValues(call, 'endingPadding', ending);
    // MLOperatorOptions only: constant padding with 0.
    return buildPad(call, input, beginningValues, endingValues, { label: call.label });
  },
});

dynamicVariant('splitDynamic', 'split', { splits: limit(SHAPE_TYPES, 0, 1) }, {
  length: 2, optionsIndex: 2,
  build: (call, input, splits, options): unknown => {
    checkInput(call, input);
    const operand = call.operand('splits', splits, 'splits');
    const values = call.values('splits', operand);
    // A scalar is a count of equal parts, as split's unsigned long form; a vector the sizes.
    const splitsArg = operand.shape.length === 0 ? values[0]! : [...values];
    const o = toDictionary<{ axis: unknown }>(call.where, 'options', options);
    return buildSplit(call, input, splitsArg, { axis: o.axis, label: call.label });
  },
});

interface Resample2dDynamicOptions {
  mode: unknown; scales: unknown; sizes: unknown; axes: unknown;
}

dynamicVariant('resample2dDynamic', 'resample2d', { sizes: SHAPE_VECTOR }, {
  length: 1, optionsIndex: 1,
  build: (call, input, options): MLOperand => {
    checkInput(call, input);
    const o = toDictionary<Resample2dDynamicOptions>(call.where, 'options', options);
    const sizes = o.sizes === undefined ? undefined : shapeValues(call, 'options.sizes', o.sizes, 'sizes');
    // A fresh dictionary: the static step reads sizes as numbers.
    return buildResample2d(call, input, { mode: o.mode, scales: o.scales, sizes, axes: o.axes, label: call.label });
  },
});

/**
 * quantizeLinear and dequantizeLinear. scale and zeroPoint are blockwise broadcast: each of their dimensions divides
 * the input's, and one value covers a block of input/scale consecutive positions along every axis.
 */
import type { MLOperand } from './builder-internals.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { castTensor, roundToFloat16 } from './cast.js';
import { divideFloat } from './elementwise-binary.js';
import type { OpCall } from './op-call.js';
import { defineOp, limit, type TF, type Tensor } from './registry.js';

interface QuantizationAttrs {
  /** The input reshaped so that scale and zeroPoint, reshaped to `paramView`, broadcast onto it element-wise. */
  readonly view: readonly number[];
  readonly paramView: readonly number[];
}

/** Beyond this rank the views are not used: element-wise kernels broadcast up to rank 4 on every backend. */
const MAX_VIEW_RANK = 4;

/**
 * Views of the input and of a blockwise parameter under which ordinary broadcasting does the blockwise expansion:
 * an input axis of n values covered by s parameter values (1 < s < n) becomes the pair [s, n/s], the parameter's
 * [s, 1]. Axes of size 1 are dropped and neighbouring axes of the same kind (parameter complete, or parameter
 * broadcast) are merged, which keeps per-tensor, per-channel and per-block layouts at rank 3 at most.
 * Null when the views would exceed MAX_VIEW_RANK.
 */
function blockwiseViews(inputShape: readonly number[], paramShape: readonly number[]): QuantizationAttrs | null {
  const view: number[] = [];
  const paramView: number[] = [];
  let lastKind: 'complete' | 'broadcast' | null = null;
  const push = (kind: 'complete' | 'broadcast', size: number) => {
    if (kind === lastKind) {
      view[view.length - 1]! *= size;
      if (kind === 'complete') paramView[paramView.length - 1]! *= size;
    } else {
      view.push(size);
      paramView.push(kind === 'complete' ? size : 1);
      lastKind = kind;
    }
  };
  inputShape.forEach((n, axis) => {
    const s = paramShape[axis]!;
    if (n === 1) return;
    if (s === n) push('complete', n);
    else if (s === 1) push('broadcast', n);
    else {
      push('complete', s);
      push('broadcast', n / s);
    }
  });
  return view.length > MAX_VIEW_RANK ? null : { view, paramView };
}

/** Repeats every value of a blockwise parameter over its block: reshape [outer, s, 1, inner], tile, reshape. */
defineOp<{ readonly shape: readonly number[] }>({
  name: 'blockwiseExpand',
  lower: ([param], { shape }, { tf }) => {
    let x = param!;
    shape.forEach((n, axis) => {
      const s = x.shape[axis]!;
      if (s === n) return;
      const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const tiled = tf.broadcastTo(tf.reshape(x, [outer, s, 1, inner]), [outer, s, n / s, inner]);
      x = tf.reshape(tiled, [...x.shape.slice(0, axis), n, ...x.shape.slice(axis + 1)]);
    });
    return x;
  },
});

interface QuantizationOperands {
  readonly input: MLOperand;
  readonly scale: MLOperand;
  readonly zeroPoint: MLOperand;
}

/** The spec's checks shared by both operations, after each one's data type checks. */
function checkBlockwise(call: OpCall, { input, scale, zeroPoint }: QuantizationOperands): void {
  const rank = input.shape.length;
  if (scale.shape.length !== rank || zeroPoint.shape.length !== rank) {
    call.fail(`scale (rank ${scale.shape.length}) and zeroPoint (rank ${zeroPoint.shape.length}) must have the ` +
      `input's rank ${rank}`);
  }
  if (scale.shape.some((d, i) => d !== zeroPoint.shape[i])) {
    call.fail(`scale shape [${scale.shape.join(', ')}] and zeroPoint shape [${zeroPoint.shape.join(', ')}] differ`);
  }
  if (scale.shape.some((d, i) => input.shape[i]! % d !== 0)) {
    call.fail(`scale shape [${scale.shape.join(', ')}] is not blockwise broadcastable to the input shape ` +
      `[${input.shape.join(', ')}]: each dimension must divide the input's`);
  }
}

/** Records the node, with scale and zeroPoint expanded beforehand in the rare layouts the views cannot express. */
function emitQuantization(call: OpCall, { input, scale, zeroPoint }: QuantizationOperands,
  outputType: MLOperandDataType): MLOperand {
  const output = { dataType: outputType, shape: input.shape };
  call.checkOutput(output);
  let views = blockwiseViews(input.shape, scale.shape);
  let params = [scale, zeroPoint];
  if (!views) {
    params = params.map((p) => call.emitOne([p], { shape: input.shape },
      { dataType: p.dataType, shape: input.shape }, 'blockwiseExpand'));
    views = blockwiseViews(input.shape, input.shape)!;
  }
  return call.emitOne([input, ...params], { ...views }, output);
}

/**
 * The builder step of both operations: `matching` (scale for quantizeLinear, zeroPoint for dequantizeLinear) must have
 * the input's data type, and the output has the data type of `outputLike`.
 */
function buildQuantization(call: OpCall, args: readonly unknown[], matching: 'scale' | 'zeroPoint',
  outputLike: 'scale' | 'zeroPoint'): MLOperand {
  const operands: QuantizationOperands = {
    input: call.operand('input', args[0], 'input'),
    scale: call.operand('scale', args[1], 'scale'),
    zeroPoint: call.operand('zeroPoint', args[2], 'zeroPoint'),
  };
  const { input } = operands;
  if (operands[matching].dataType !== input.dataType) {
    call.fail(`${matching} (${operands[matching].dataType}) must have the input's data type (${input.dataType})`);
  }
  checkBlockwise(call, operands);
  return emitQuantization(call, operands, operands[outputLike].dataType);
}

defineOp<QuantizationAttrs>({
  name: 'quantizeLinear',
  method: {
    length: 3,
    optionsIndex: 3,
    build: (call, ...args) => buildQuantization(call, args, 'scale', 'zeroPoint'),
  },
  limits: {
    input: limit(['float32', 'float16']),
    scale: limit(['float32', 'float16']),
    zeroPoint: limit(['int8', 'uint8']),
    output: limit(['int8', 'uint8']),
  },
  /**
   * clamp(roundEven(input / scale) + zeroPoint) to the output type's range. float16 values are taken at their
   * float16 value and the quotient is rounded to float16 before roundEven, as float16 arithmetic gives it.
   * NaN quantizes to 0, like a cast.
   */
  lower: ([x, scale, zeroPoint], { view, paramView }, { tf, backend, inputs, outputs }) => {
    const float16 = inputs[0]!.dataType === 'float16';
    const value = (t: Tensor, shape: readonly number[]) => {
      const v = tf.reshape(t, [...shape]);
      return float16 ? roundToFloat16(tf, v) : v;
    };
    let quotient = divideFloat(tf, value(x!, view), value(scale!, paramView), backend);
    if (float16) quotient = roundToFloat16(tf, quotient);
    const shifted = tf.add(tf.round(quotient), tf.cast(tf.reshape(zeroPoint!, [...paramView]), 'float32'));
    return tf.reshape(castTensor(tf, shifted, 'float32', outputs[0]!.dataType, backend), x!.shape);
  },
});

/**
 * input - zeroPoint for int32 operands, as a float32 rounded once from the exact difference (up to 2^32 in
 * magnitude: an int32 subtraction could wrap, a float32 one would round each operand first). Each operand is split
 * into a multiple of 2^16 and a remainder in [0, 2^16), both exact in float32, as are the differences of the parts.
 */
function int32Difference(tf: TF, a: Tensor, b: Tensor): Tensor {
  const base = tf.scalar(65536, 'int32');
  const parts = (v: Tensor) => {
    const low = tf.mod(v, base);
    return [tf.cast(tf.sub(v, low), 'float32'), tf.cast(low, 'float32')] as const;
  };
  const [aHigh, aLow] = parts(a);
  const [bHigh, bLow] = parts(b);
  return tf.add(tf.sub(aHigh, bHigh), tf.sub(aLow, bLow));
}

defineOp<QuantizationAttrs>({
  name: 'dequantizeLinear',
  method: {
    length: 3,
    optionsIndex: 3,
    build: (call, ...args) => buildQuantization(call, args, 'zeroPoint', 'scale'),
  },
  limits: {
    input: limit(['int8', 'uint8', 'int32']),
    scale: limit(['float32', 'float16']),
    zeroPoint: limit(['int8', 'uint8', 'int32']),
    output: limit(['float32', 'float16']),
  },
  /** (input - zeroPoint) * scale; int8/uint8 differences are exact in float32, int32 ones rounded once. */
  lower: ([x, scale, zeroPoint], { view, paramView }, { tf, inputs }) => {
    const xv = tf.reshape(x!, [...view]);
    const zv = tf.reshape(zeroPoint!, [...paramView]);
    const difference = inputs[0]!.dataType === 'int32'
      ? int32Difference(tf, xv, zv)
      : tf.sub(tf.cast(xv, 'float32'), tf.cast(zv, 'float32'));
    return tf.reshape(tf.mul(difference, tf.reshape(scale!, [...paramView])), x!.shape);
  },
});

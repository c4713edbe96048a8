import { defineOp, flattened, limit, MAX_FLAT_RANK, type Tensor, type TF } from './registry.js';
import { selectSameShape, wrapInteger } from './elementwise-binary.js';
import { toDataType } from '../webidl.js';
import type { BackendName } from '../runtime/backends.js';
import { ALL_DATA_TYPES, isFloatType, type MLOperandDataType } from '../types/data-type.js';
import { castHostValues } from '../types/host-convert.js';
import { HostTensor } from '../types/host-tensor.js';
import { elementwiseRule } from './layout-rules.js';

/**
 * Rounds float32 values to the nearest float16 (ties to even; +-Infinity from 65520 up; subnormals kept), inside the
 * graph, with float32 kernels only:
 * - float16 normals: Veltkamp's split with c = 2^13 + 1 keeps the top 11 significand bits, round to nearest even
 *   (checked against the reference converter for every float32 in [2^-14, 65520));
 * - float16 subnormals (magnitude below 2^-14): a multiple of 2^-24, by scaling and rounding half to even;
 * - magnitudes up to 2^-25 round to a zero of the input's sign; NaN stays NaN.
 */
export function roundToFloat16(tf: TF, x: Tensor): Tensor {
  const t = tf.mul(x, 8193);
  const normal = tf.sub(t, tf.sub(t, x));
  const subnormal = tf.mul(tf.round(tf.mul(x, 2 ** 24)), 2 ** -24);
  const magnitude = tf.abs(x);
  let r = selectSameShape(tf, tf.less(magnitude, 2 ** -14), subnormal, normal);
  r = selectSameShape(tf, tf.lessEqual(magnitude, 2 ** -25), tf.mul(x, 0), r);
  return selectSameShape(tf, tf.greaterEqual(magnitude, 65520), tf.mul(x, Infinity), r);
}

const INT_RANGE: Partial<Record<MLOperandDataType, readonly [number, number]>> = {
  int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

/**
 * float32 -> integer type, truncating toward zero. Out-of-range values (implementation-defined in the spec) saturate
 * to the type's range and NaN becomes 0, the same on every backend.
 */
function floatToInteger(tf: TF, x: Tensor, to: MLOperandDataType): Tensor {
  const [lo, hi] = INT_RANGE[to]!;
  const finite = selectSameShape(tf, tf.isNaN(x), tf.zerosLike(x), x);
  if (to !== 'int32') return tf.cast(tf.clipByValue(finite, lo, hi), 'int32');
  // 2^31 - 1 is no float32: clip to the largest float32 below 2^31 and add the last 127 where x reached 2^31.
  const truncated = tf.cast(tf.clipByValue(finite, lo, 2147483520), 'int32');
  return tf.add(truncated, tf.mul(tf.cast(tf.greaterEqual(finite, 2147483648), 'int32'), tf.scalar(127, 'int32')));
}

/**
 * int32 storage -> float32, rounded to nearest. TF.js's cpu Cast keeps the int32 values as they are (it sees no loss
 * of precision), so the float32 kernels reading them would compute with unrounded values beyond 2^24; a float32
 * kernel's output is a Float32Array, rounded.
 */
function integerToFloat32(tf: TF, x: Tensor, backend: BackendName): Tensor {
  const converted = tf.cast(x, 'float32');
  return backend === 'cpu' ? tf.add(converted, tf.scalar(0, 'float32')) : converted;
}

export function castTensor(tf: TF, x: Tensor, from: MLOperandDataType, to: MLOperandDataType, backend: BackendName): Tensor {
  if (from === to) return tf.clone(x);
  // A float16 operand may hold a float32 intermediate: its float16 value is what gets converted.
  const value = from === 'float16' ? roundToFloat16(tf, x) : x;
  if (to === 'float32') return isFloatType(from) ? value : integerToFloat32(tf, value, backend);
  if (to === 'float16') return roundToFloat16(tf, isFloatType(from) ? value : integerToFloat32(tf, value, backend));
  if (isFloatType(from)) return floatToInteger(tf, value, to);
  // Integer to integer: the low bits, two's complement.
  return wrapInteger(tf, value, to);
}

defineOp<{ dataType: MLOperandDataType }>({
  name: 'cast',
  layout: elementwiseRule(),
  method: {
    length: 2,
    optionsIndex: 2,
    build: (call, input, dataTypeArg) => {
      const dataType = toDataType(call.where, 'dataType', dataTypeArg);
      const x = call.operand('input', input, 'input');
      call.checkLimit('dataType', dataType, x.shape.length, call.limit('output'));
      return call.emitOne([x], { dataType }, { dataType, shape: x.shape });
    },
  },
  limits: { input: limit(ALL_DATA_TYPES, 0, MAX_FLAT_RANK), output: limit(ALL_DATA_TYPES, 0, MAX_FLAT_RANK) },
  lower: flattened(([x], { dataType }, env) => castTensor(env.tf, x!, env.inputs[0]!.dataType, dataType, env.backend)),
  lowerHost: ([x], { dataType }) => new HostTensor(dataType, x!.shape, castHostValues(x!.values, x!.dataType, dataType)),
});

import { defineOp, FLOAT_TYPES, limit, type Tensor, type TF } from './registry.js';
import { keepNaN } from './elementwise-binary.js';
import { range } from './shape.js';
import { toUnsignedLong } from '../webidl.js';
import { axisRule } from './layout-rules.js';

defineOp<{ axis: number }>({
  name: 'softmax',
  layout: axisRule(),
  method: {
    length: 2,
    optionsIndex: 2,
    build: (call, input, axisArg) => {
      const axis = toUnsignedLong(call.where, 'axis', axisArg);
      const x = call.operand('input', input, 'input');
      if (axis >= x.shape.length) call.fail(`axis ${axis} is out of range for rank ${x.shape.length}`);
      return call.emitOne([x], { axis }, { dataType: x.dataType, shape: x.shape });
    },
  },
  limits: { input: limit(FLOAT_TYPES, 1), output: limit(FLOAT_TYPES, 1) },
  // TF.js's Softmax works on the last axis only: another axis is swapped with the last one and back.
  lower: ([x], { axis }, { tf, backend }) => {
    if (backend === 'webgpu') return softmaxOfExp(tf, x!, axis);
    const last = x!.rank - 1;
    if (axis === last) return tf.softmax(x!);
    const perm = range(x!.rank);
    perm[axis] = last;
    perm[last] = axis;
    return tf.transpose(tf.softmax(tf.transpose(x!, perm)), perm);
  },
});

/**
 * exp(x - max) / sum(exp(x - max)) along `axis`, for webgpu, whose Softmax loses the NaN of a row holding +Infinity
 * (+Infinity - +Infinity), as its exp does: here the NaN is kept, and the row's sum spreads it to the whole row.
 */
function softmaxOfExp(tf: TF, x: Tensor, axis: number): Tensor {
  const shifted = tf.sub(x, tf.max(x, axis, true));
  const e = keepNaN(tf, shifted, tf.exp(shifted), 'webgpu', ['webgpu']);
  return tf.div(e, tf.sum(e, axis, true));
}

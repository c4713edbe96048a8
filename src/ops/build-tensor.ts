/**
 * A tensor whose values the builder step computes (gather index vectors, per-position divisors). It is a node
 * without inputs, so the plan's constant folding materialises it once at build() and keeps it on the backend.
 */
import type { MLOperand } from './builder-internals.js';
import type { OpCall } from './op-call.js';
import { defineOp } from './registry.js';

type Values = readonly number[] | Int32Array | Float32Array;

interface BuildTensorAttrs {
  /**
   * The values, or a function computing them when the plan folds the node (not while a graph is only being built):
   * a builder step does no work that grows with a tensor's size. Large ones are typed arrays (V8 aborts the process on
   * plain arrays of more than about 2^27 elements).
   */
  readonly values: Values | (() => Values);
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
}

defineOp<BuildTensorAttrs>({
  name: 'buildTensor',
  lower(_inputs, { values, shape, dtype }, { tf }) {
    // Values made by a function are the tensor's own; stored ones are copied, as the node may be folded again.
    const own = typeof values === 'function' ? values() : values.slice();
    return tf.tensor(own as number[] | Int32Array | Float32Array, [...shape], dtype);
  },
});

export function buildTensor(call: OpCall, values: BuildTensorAttrs['values'], shape: readonly number[],
  dtype: 'float32' | 'int32'): MLOperand {
  const attrs: BuildTensorAttrs = { values, shape, dtype };
  return call.emitOne([], { ...attrs }, { dataType: dtype, shape }, 'buildTensor');
}

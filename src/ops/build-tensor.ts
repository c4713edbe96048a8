/**
 * A tensor whose values the builder step computes (gather index vectors, per-position divisors). It is a node
 * without inputs, so the plan's constant folding materialises it once at build() and keeps it on the backend.
 */
import type { MLOperand } from './builder-internals.js';
import type { OpCall } from './op-call.js';
import { defineOp } from './registry.js';

interface BuildTensorAttrs {
  /** The values, or a function computing them when the plan folds the node (not while a graph is only being built). */
  readonly values: readonly number[] | (() => readonly number[]);
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
}

defineOp<BuildTensorAttrs>({
  name: 'buildTensor',
  lower(_inputs, { values, shape, dtype }, { tf }) {
    return tf.tensor([...(typeof values === 'function' ? values() : values)], [...shape], dtype);
  },
});

export function buildTensor(call: OpCall, values: BuildTensorAttrs['values'], shape: readonly number[],
  dtype: 'float32' | 'int32'): MLOperand {
  const attrs: BuildTensorAttrs = { values, shape, dtype };
  return call.emitOne([], { ...attrs }, { dataType: dtype, shape }, 'buildTensor');
}

/**
 * triangular: the upper or lower triangle of each matrix of the last two dimensions, everything else zero.
 * The triangle is a 0/1 mask known at build time (a constant [rows, columns] node); the lowering selects between the
 * input and zero, so Infinity and NaN outside the triangle become 0 too.
 */
import { toBoolean, toDictionary, toLong } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import { buildTensor } from './build-tensor.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit } from './registry.js';
import { maskedOnHost } from './host-kernels.js';

type Coverage = 'all' | 'none' | 'some';

interface TriangularAttrs {
  readonly coverage: Coverage;
}

function buildTriangular(call: OpCall, inputArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const o = toDictionary<{ upper: unknown; diagonal: unknown }>(call.where, 'options', options);
  const upper = toBoolean(o.upper, true);
  const diagonal = o.diagonal === undefined ? 0 : toLong(call.where, 'options.diagonal', o.diagonal);
  const rank = input.shape.length;
  const rows = input.shape[rank - 2]!;
  const columns = input.shape[rank - 1]!;
  // Entry (i, j) is kept when j - i >= diagonal (upper) or j - i <= diagonal (lower); j - i spans
  // [-(rows - 1), columns - 1].
  const kept = (i: number, j: number) => (upper ? j - i >= diagonal : j - i <= diagonal);
  const all = upper ? -(rows - 1) >= diagonal : columns - 1 <= diagonal;
  const none = upper ? columns - 1 < diagonal : -(rows - 1) > diagonal;
  const coverage: Coverage = all ? 'all' : none ? 'none' : 'some';
  // Computed when the plan folds the node: a symbolic graph's build-time trials make rows and columns large.
  const mask = (): Float32Array => {
    const values = new Float32Array(rows * columns);
    for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) values[i * columns + j] = kept(i, j) ? 1 : 0;
    return values;
  };
  // float32, not int32: a webgl context keeps int32 values on the cpu backend, and with them the steps reading them.
  const maskOperand = coverage === 'some' ? buildTensor(call, mask, [rows, columns], 'float32') : null;
  return call.emitOne([input, maskOperand], { coverage }, { dataType: input.dataType, shape: input.shape });
}

defineOp<TriangularAttrs>({
  name: 'triangular',
  method: { length: 1, optionsIndex: 1, build: (call, input, options) => buildTriangular(call, input, options) },
  limits: { input: limit(ALL_TYPES, 2), output: limit(ALL_TYPES, 2) },
  lowerHost: ([x, mask], { coverage }, { outputs }) => maskedOnHost(x!, coverage === 'some' ? mask! : null, coverage === 'all', outputs[0]!),
  lower: ([x, mask], { coverage }, { tf }) => {
    if (coverage === 'all') return x!;
    if (coverage === 'none') return tf.zerosLike(x!);
    // A batch of matrices as one rank-3 tensor (WebGL's Select handles rank <= 4); the 0/1 mask is repeated over the
    // batch before it becomes a condition, since a bool tensor is not tiled reliably everywhere.
    const shape = x!.shape;
    const [rows, columns] = shape.slice(-2) as [number, number];
    const batch = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const matrices = tf.reshape(x!, [batch, rows, columns]);
    const repeated = batch === 1 ? tf.reshape(mask!, [1, rows, columns]) : tf.tile(tf.reshape(mask!, [1, rows, columns]), [batch, 1, 1]);
    const condition = tf.notEqual(repeated, tf.scalar(0));
    return tf.reshape(tf.where(condition, matrices, tf.zerosLike(matrices)), shape);
  },
});

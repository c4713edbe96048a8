/** What the com.microsoft normalizations share: the root-mean-square normalization. */
import type { NodeImport } from './node-import.js';
import type { Operand } from './webnn-types.js';

/**
 * x / sqrt(mean(x^2 over the axes) + epsilon), and 1 / sqrt(mean + epsilon) (kept dimensions). float16 statistics are
 * computed in float32, as ONNX Runtime's stash_type 1 has them.
 */
export function rmsNormalize(n: NodeImport, x: Operand, axes: readonly number[], epsilon: number): { normalized: Operand; invStdDev: Operand } {
  const b = n.builder;
  const wide = x.dataType === 'float16' ? b.cast(x, 'float32') : x;
  const meanSquare = b.reduceMean(b.mul(wide, wide), { axes: [...axes], keepDimensions: true });
  const invStdDev = b.reciprocal(b.sqrt(b.add(meanSquare, n.scalar(wide.dataType, epsilon))));
  const normalized = b.mul(wide, invStdDev);
  if (wide === x) return { normalized, invStdDev };
  return { normalized: b.cast(normalized, x.dataType), invStdDev: b.cast(invStdDev, x.dataType) };
}

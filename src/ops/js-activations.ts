/**
 * The activations of TF.js's fused kernels (conv-util.ts FusedActivation) applied in place to float32 values, by the
 * kernels of ours that fuse them (js-product.ts, normalization.ts). NaN stays NaN: every test is `< 0`.
 */

/**
 * Applies activation `kind` ('linear' or a FusedActivation kind) to `y` from `start` to `end`: leakyrelu and elu take
 * `alpha`, prelu `slope` from `slopeStart`, one value per position along rows of `rowLength` values.
 */
export function activateInPlace(y: Float32Array, kind: string, alpha: number, slope: Float32Array | null, rowLength: number,
  start = 0, end = y.length, slopeStart = 0): void {
  switch (kind) {
    case 'relu': for (let i = start; i < end; i++) if (y[i]! < 0) y[i] = 0; break;
    case 'relu6': for (let i = start; i < end; i++) y[i] = y[i]! < 0 ? 0 : y[i]! > 6 ? 6 : y[i]!; break;
    case 'leakyrelu': for (let i = start; i < end; i++) if (y[i]! < 0) y[i] = alpha * y[i]!; break;
    case 'prelu': for (let i = start; i < end; i++) if (y[i]! < 0) y[i] = slope![slopeStart + ((i - start) % rowLength)]! * y[i]!; break;
    case 'elu': for (let i = start; i < end; i++) if (y[i]! < 0) y[i] = alpha * Math.expm1(y[i]!); break;
    case 'sigmoid': for (let i = start; i < end; i++) y[i] = 1 / (1 + Math.exp(-y[i]!)); break;
    default: break;
  }
}

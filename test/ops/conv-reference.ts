/**
 * Float64 references for the convolution and pooling tests, written as direct loops over NCHW indices straight
 * from the spec's definitions. Other layouts are produced by transposing data with `transposeData`.
 */
import { strides as stridesOf } from '../util/harness.js';

export interface Data {
  data: number[];
  shape: number[];
}

export function transposeData(x: Data, perm: readonly number[]): Data {
  const shape = perm.map((p) => x.shape[p]!);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(shape);
  const data = new Array<number>(x.data.length);
  for (let i = 0; i < data.length; i++) {
    let rem = i;
    let src = 0;
    for (let d = 0; d < shape.length; d++) {
      const idx = Math.floor(rem / outStrides[d]!);
      rem %= outStrides[d]!;
      src += idx * inStrides[perm[d]!]!;
    }
    data[i] = x.data[src]!;
  }
  return { data, shape };
}

export const NCHW_TO_NHWC = [0, 2, 3, 1];
export const NHWC_TO_NCHW = [0, 3, 1, 2];

export interface ConvParams {
  padding?: number[];
  strides?: number[];
  dilations?: number[];
  groups?: number;
}

/** conv2d over input NCHW and filter OIHW ([out, in / groups, h, w]). */
export function conv2dRef(x: Data, w: Data, bias: number[] | undefined, p: ConvParams = {}): Data {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [o, ig, kh, kw] = w.shape as [number, number, number, number];
  const [pt, pb, pl, pr] = p.padding ?? [0, 0, 0, 0];
  const [sh, sw] = p.strides ?? [1, 1];
  const [dh, dw] = p.dilations ?? [1, 1];
  const groups = p.groups ?? 1;
  const oh = Math.floor((h - (kh - 1) * dh - 1 + pt! + pb!) / sh!) + 1;
  const ow = Math.floor((wd - (kw - 1) * dw - 1 + pl! + pr!) / sw!) + 1;
  const og = o / groups;
  const out = new Array<number>(n * o * oh * ow).fill(0);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < o; oc++) {
      const g = Math.floor(oc / og);
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let acc = bias ? bias[oc]! : 0;
          for (let ic = 0; ic < ig; ic++) {
            const inC = g * ig + ic;
            for (let i = 0; i < kh; i++) {
              const iy = y * sh! + i * dh! - pt!;
              if (iy < 0 || iy >= h) continue;
              for (let j = 0; j < kw; j++) {
                const ix = xo * sw! + j * dw! - pl!;
                if (ix < 0 || ix >= wd) continue;
                acc += x.data[((b * c + inC) * h + iy) * wd + ix]! * w.data[((oc * ig + ic) * kh + i) * kw + j]!;
              }
            }
          }
          out[((b * o + oc) * oh + y) * ow + xo] = acc;
        }
      }
    }
  }
  return { data: out, shape: [n, o, oh, ow] };
}

export interface ConvTransposeParams extends ConvParams {
  outputPadding?: number[];
  outputSizes?: number[];
}

/**
 * convTranspose2d over input NCHW and filter IOHW ([in, out / groups, h, w]): every input element scatters
 * input * filter tap into output position (input index * stride + tap index * dilation - beginning padding).
 */
export function convTranspose2dRef(x: Data, w: Data, bias: number[] | undefined, p: ConvTransposeParams = {}): Data {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [, og, kh, kw] = w.shape as [number, number, number, number];
  const [pt, pb, pl, pr] = p.padding ?? [0, 0, 0, 0];
  const [sh, sw] = p.strides ?? [1, 1];
  const [dh, dw] = p.dilations ?? [1, 1];
  const groups = p.groups ?? 1;
  const [oph, opw] = p.outputPadding ?? [0, 0];
  const oh = p.outputSizes?.[0] ?? (h - 1) * sh! + (kh - 1) * dh! + 1 - pt! - pb! + oph!;
  const ow = p.outputSizes?.[1] ?? (wd - 1) * sw! + (kw - 1) * dw! + 1 - pl! - pr! + opw!;
  const o = og * groups;
  const out = new Array<number>(n * o * oh * ow).fill(0);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < o; oc++) {
      for (let y = 0; y < oh; y++) for (let xo = 0; xo < ow; xo++) out[((b * o + oc) * oh + y) * ow + xo] = bias ? bias[oc]! : 0;
    }
    for (let ic = 0; ic < c; ic++) {
      // ic / (c / groups), in integers: groups need not divide the channels.
      const g = Math.floor((ic * groups) / c);
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < wd; ix++) {
          const v = x.data[((b * c + ic) * h + iy) * wd + ix]!;
          for (let ocl = 0; ocl < og; ocl++) {
            const oc = g * og + ocl;
            for (let i = 0; i < kh; i++) {
              const y = iy * sh! + i * dh! - pt!;
              if (y < 0 || y >= oh) continue;
              for (let j = 0; j < kw; j++) {
                const xo = ix * sw! + j * dw! - pl!;
                if (xo < 0 || xo >= ow) continue;
                out[((b * o + oc) * oh + y) * ow + xo]! += v * w.data[((ic * og + ocl) * kh + i) * kw + j]!;
              }
            }
          }
        }
      }
    }
  }
  return { data: out, shape: [n, o, oh, ow] };
}

export type PoolKind = 'average' | 'l2' | 'max';

export interface PoolParams {
  window: number[];
  padding?: number[];
  strides?: number[];
  dilations?: number[];
  outputSize: number[];
}

/**
 * Pooling over input NCHW. Padded cells take no part: the average divides by the number of input cells in the
 * window, max behaves as if padding were -Infinity, l2 as if it were 0.
 */
export function pool2dRef(kind: PoolKind, x: Data, p: PoolParams): Data {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [kh, kw] = p.window as [number, number];
  const [pt, , pl] = p.padding ?? [0, 0, 0, 0];
  const [sh, sw] = p.strides ?? [1, 1];
  const [dh, dw] = p.dilations ?? [1, 1];
  const [oh, ow] = p.outputSize as [number, number];
  const out = new Array<number>(n * c * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let sum = 0;
          let count = 0;
          let max = -Infinity;
          for (let i = 0; i < kh; i++) {
            const iy = y * sh! + i * dh! - pt!;
            if (iy < 0 || iy >= h) continue;
            for (let j = 0; j < kw; j++) {
              const ix = xo * sw! + j * dw! - pl!;
              if (ix < 0 || ix >= wd) continue;
              const v = x.data[((b * c + ch) * h + iy) * wd + ix]!;
              sum += kind === 'l2' ? v * v : v;
              count++;
              max = Math.max(max, v);
            }
          }
          out[((b * c + ch) * oh + y) * ow + xo] = kind === 'max' ? max : kind === 'l2' ? Math.sqrt(sum) : sum / count;
        }
      }
    }
  }
  return { data: out, shape: [n, c, oh, ow] };
}

/** The conv net's forward pass in float64, straight from the ONNX operator definitions (NCHW). */
import { CLASSES, INPUT_SHAPE, SHRINK_LAMBDA, type ConvNet, type ConvParams } from './conv-net.js';

interface Nchw {
  data: Float64Array;
  shape: [number, number, number, number];
}

const at = (t: Nchw, n: number, c: number, y: number, x: number) =>
  t.data[((n * t.shape[1] + c) * t.shape[2] + y) * t.shape[3] + x]!;

function conv(t: Nchw, p: ConvParams): Nchw {
  const [n, inC, h, w] = t.shape;
  const [outC, inPerGroup, kh, kw] = p.shape;
  const [sy, sx] = p.strides;
  const [top, left, bottom, right] = p.pads;
  const oh = Math.floor((h + top + bottom - kh) / sy) + 1;
  const ow = Math.floor((w + left + right - kw) / sx) + 1;
  const outPerGroup = outC / p.groups;
  if (inPerGroup * p.groups !== inC) throw new Error('channel count does not match the groups');
  const out = new Float64Array(n * outC * oh * ow);
  let i = 0;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outC; o++) {
      const g = Math.floor(o / outPerGroup);
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          let sum = p.bias[o]!;
          for (let ci = 0; ci < inPerGroup; ci++) {
            for (let ky = 0; ky < kh; ky++) {
              const iy = y * sy - top + ky;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = x * sx - left + kx;
                if (ix < 0 || ix >= w) continue;
                sum += p.weight[((o * inPerGroup + ci) * kh + ky) * kw + kx]! * at(t, b, g * inPerGroup + ci, iy, ix);
              }
            }
          }
          out[i++] = sum;
        }
      }
    }
  }
  return { data: out, shape: [n, outC, oh, ow] };
}

const map = (t: Nchw, f: (v: number) => number): Nchw => ({ data: t.data.map(f), shape: t.shape });

function maxPool2x2(t: Nchw): Nchw {
  const [n, c, h, w] = t.shape;
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const out = new Float64Array(n * c * oh * ow);
  let i = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          out[i++] = Math.max(at(t, b, ch, 2 * y, 2 * x), at(t, b, ch, 2 * y, 2 * x + 1),
            at(t, b, ch, 2 * y + 1, 2 * x), at(t, b, ch, 2 * y + 1, 2 * x + 1));
        }
      }
    }
  }
  return { data: out, shape: [n, c, oh, ow] };
}

/** GlobalAveragePool then Flatten: [n, c]. */
function globalAverage(t: Nchw): Float64Array {
  const [n, c, h, w] = t.shape;
  const out = new Float64Array(n * c);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sum += at(t, b, ch, y, x);
      out[b * c + ch] = sum / (h * w);
    }
  }
  return out;
}

export interface ConvNetOutputs {
  logits: Float64Array;
  probs: Float64Array;
}

export function convNetReference(net: ConvNet, input: Float32Array): ConvNetOutputs {
  const image: Nchw = { data: Float64Array.from(input), shape: [...INPUT_SHAPE] };
  const stemPool = maxPool2x2(map(conv(image, net.conv1), (v) => Math.max(v, 0)));
  const l = SHRINK_LAMBDA;
  const pooled = net.cpuShrink ? map(stemPool, (v) => (v < -l ? v + l : v > l ? v - l : 0)) : stemPool;
  const branch = map(conv(pooled, net.conv2), (v) => Math.min(Math.max(v, 0), net.clipMax));
  const shortcut = conv(pooled, net.shortcut);
  const joined: Nchw = { data: branch.data.map((v, i) => v + shortcut.data[i]!), shape: branch.shape };
  const features = globalAverage(joined);
  const [n, c] = [joined.shape[0], joined.shape[1]];
  const logits = new Float64Array(n * CLASSES);
  const probs = new Float64Array(n * CLASSES);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < CLASSES; k++) {
      let sum = net.fcBias[k]!;
      for (let ch = 0; ch < c; ch++) sum += features[b * c + ch]! * net.fcWeight[k * c + ch]!;
      logits[b * CLASSES + k] = sum;
    }
    const row = logits.subarray(b * CLASSES, (b + 1) * CLASSES);
    const max = Math.max(...row);
    const exps = Array.from(row, (v) => Math.exp(v - max));
    const total = exps.reduce((a, e) => a + e, 0);
    exps.forEach((e, k) => { probs[b * CLASSES + k] = e / total; });
  }
  return { logits, probs };
}

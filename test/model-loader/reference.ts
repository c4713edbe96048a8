/** Float64 references for the importer's tests, written from the ONNX operator definitions. */
import { broadcastTo, size, strides } from '../util/harness.js';
import { transposeData } from '../ops/conv-reference.js';

export interface Tensor {
  shape: number[];
  data: number[];
}

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, k) => {
    const x = a[a.length - rank + k] ?? 1;
    const y = b[b.length - rank + k] ?? 1;
    return x === 1 ? y : x;
  });
}

export function binaryRef(a: Tensor, b: Tensor, fn: (x: number, y: number) => number): Tensor {
  const shape = broadcastShape(a.shape, b.shape);
  const x = broadcastTo(a.data, a.shape, shape);
  const y = broadcastTo(b.data, b.shape, shape);
  return { shape, data: x.map((v, i) => fn(v, y[i]!)) };
}

export function unaryRef(a: Tensor, fn: (x: number) => number): Tensor {
  return { shape: [...a.shape], data: a.data.map(fn) };
}

/** The ONNX Transpose of `a`: the convolution tests' reference transposition. */
export function transposeRef(a: Tensor, perm: readonly number[]): Tensor {
  return transposeData(a, perm);
}

/** [M, K] x [K, N], with optional transposes, alpha, beta and C broadcast to [M, N]. */
export function gemmRef(a: Tensor, b: Tensor, c: Tensor | null, o: { alpha?: number; beta?: number; transA?: boolean; transB?: boolean }): Tensor {
  const A = o.transA ? transposeRef(a, [1, 0]) : a;
  const B = o.transB ? transposeRef(b, [1, 0]) : b;
  const [m, k] = A.shape as [number, number];
  const n = B.shape[1]!;
  const C = c ? broadcastTo(c.data, c.shape, [m, n]) : null;
  const data: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += A.data[i * k + p]! * B.data[p * n + j]!;
      data.push((o.alpha ?? 1) * sum + (C ? (o.beta ?? 1) * C[i * n + j]! : 0));
    }
  }
  return { shape: [m, n], data };
}

/** Batched matmul of rank >= 2 operands with broadcast batch axes. */
export function matmulRef(a: Tensor, b: Tensor): Tensor {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const A = broadcastTo(a.data, a.shape, [...batch, m, k]);
  const B = broadcastTo(b.data, b.shape, [...batch, k, n]);
  const data: number[] = [];
  for (let t = 0; t < size(batch); t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += A[t * m * k + i * k + p]! * B[t * k * n + p * n + j]!;
        data.push(sum);
      }
    }
  }
  return { shape: [...batch, m, n], data };
}

/** Reduces `axes` with fn over the values of each group. */
export function reduceRef(a: Tensor, axes: readonly number[], keep: boolean, fn: (values: number[]) => number): Tensor {
  const outShape = a.shape.map((d, k) => (axes.includes(k) ? 1 : d));
  const groups = new Map<number, number[]>();
  const inStrides = strides(a.shape);
  const outStrides = strides(outShape);
  for (let i = 0; i < a.data.length; i++) {
    let rest = i;
    let key = 0;
    for (let d = 0; d < a.shape.length; d++) {
      const index = Math.floor(rest / inStrides[d]!);
      rest -= index * inStrides[d]!;
      if (!axes.includes(d)) key += index * outStrides[d]!;
    }
    const list = groups.get(key) ?? [];
    list.push(a.data[i]!);
    groups.set(key, list);
  }
  const data = Array.from({ length: size(outShape) }, (_, k) => fn(groups.get(k)!));
  return { shape: keep ? outShape : a.shape.filter((_, k) => !axes.includes(k)), data };
}

export function softmaxRef(a: Tensor, axis: number): Tensor {
  const max = reduceRef(a, [axis], true, (v) => Math.max(...v));
  const shifted = binaryRef(a, max, (x, m) => Math.exp(x - m));
  const sum = reduceRef(shifted, [axis], true, (v) => v.reduce((p, q) => p + q, 0));
  return binaryRef(shifted, sum, (x, s) => x / s);
}

/** Elements at start + j * step along every axis. */
export function sliceRef(a: Tensor, starts: readonly number[], sizes: readonly number[], steps: readonly number[]): Tensor {
  const inStrides = strides(a.shape);
  const data: number[] = [];
  const walk = (axis: number, offset: number): void => {
    if (axis === a.shape.length) {
      data.push(a.data[offset]!);
      return;
    }
    for (let j = 0; j < sizes[axis]!; j++) walk(axis + 1, offset + (starts[axis]! + j * steps[axis]!) * inStrides[axis]!);
  };
  walk(0, 0);
  return { shape: [...sizes], data };
}

/** ONNX Resize on the last two axes of NCHW: sampling position from the output position, then nearest or bilinear. */
export function resizeRef(a: Tensor, outH: number, outW: number, mode: 'nearest' | 'linear',
  coordinate: (x: number, scale: number) => number, round: (x: number) => number): Tensor {
  const [n, c, h, w] = a.shape as [number, number, number, number];
  const data: number[] = [];
  const at = (b: number, ch: number, y: number, x: number) => a.data[((b * c + ch) * h + y) * w + x]!;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const y = Math.min(Math.max(coordinate(oy, outH / h), 0), h - 1);
          const x = Math.min(Math.max(coordinate(ox, outW / w), 0), w - 1);
          if (mode === 'nearest') {
            data.push(at(b, ch, Math.min(Math.max(round(y), 0), h - 1), Math.min(Math.max(round(x), 0), w - 1)));
            continue;
          }
          const [y0, x0] = [Math.floor(y), Math.floor(x)];
          const [y1, x1] = [Math.min(y0 + 1, h - 1), Math.min(x0 + 1, w - 1)];
          const [ty, tx] = [y - y0, x - x0];
          const top = at(b, ch, y0, x0) * (1 - tx) + at(b, ch, y0, x1) * tx;
          const bottom = at(b, ch, y1, x0) * (1 - tx) + at(b, ch, y1, x1) * tx;
          data.push(top * (1 - ty) + bottom * ty);
        }
      }
    }
  }
  return { shape: [n, c, outH, outW], data };
}

/** ONNX's pads [x1_begin, x2_begin, x1_end, x2_end] as the references' [top, bottom, left, right]. */
export const topBottomLeftRight = (pads: readonly number[]): number[] => [pads[0]!, pads[2]!, pads[1]!, pads[3]!];

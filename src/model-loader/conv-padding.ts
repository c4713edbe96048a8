/** ONNX's pads and auto_pad as WebNN's [beginning, ending] per spatial axis. */
import type { NodeImport } from './node-import.js';

export interface SpatialParams {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
}

export function spatialParams(n: NodeImport, kernel: readonly number[]): SpatialParams {
  const rank = kernel.length;
  return {
    kernel,
    strides: n.ints('strides') ?? new Array<number>(rank).fill(1),
    dilations: n.ints('dilations') ?? new Array<number>(rank).fill(1),
  };
}

/** [begins, ends] of a convolution or pooling, from pads or auto_pad. */
export function forwardPads(n: NodeImport, inputSizes: readonly number[], p: SpatialParams): [number[], number[]] {
  const rank = inputSizes.length;
  const autoPad = n.string('auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const pads = n.ints('pads') ?? new Array<number>(2 * rank).fill(0);
    if (pads.length !== 2 * rank) throw n.invalid(`pads has ${pads.length} values, not ${2 * rank}`);
    if (pads.some((v) => v < 0)) throw n.unsupported('negative pads are not mapped');
    return [pads.slice(0, rank), pads.slice(rank)];
  }
  if (autoPad === 'VALID') return [new Array<number>(rank).fill(0), new Array<number>(rank).fill(0)];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') throw n.invalid(`auto_pad '${autoPad}' is not an ONNX value`);
  const begins: number[] = [];
  const ends: number[] = [];
  inputSizes.forEach((size, k) => {
    const stride = p.strides[k]!;
    const out = Math.ceil(size / stride);
    const total = Math.max(0, (out - 1) * stride + (p.kernel[k]! - 1) * p.dilations[k]! + 1 - size);
    const half = Math.floor(total / 2);
    begins.push(autoPad === 'SAME_UPPER' ? half : total - half);
    ends.push(autoPad === 'SAME_UPPER' ? total - half : half);
  });
  return [begins, ends];
}

/** WebNN's 2-D padding order: [beginHeight, endHeight, beginWidth, endWidth]. */
export const webnnPadding = ([begins, ends]: [number[], number[]]): number[] =>
  [begins[0]!, ends[0]!, begins[1]!, ends[1]!];

/**
 * com.microsoft's RotaryEmbedding: the first rotary_embedding_dim values of each head turned by the angles of their
 * positions, as (x1 cos - x2 sin, x2 cos + x1 sin) over the halves of those values or (interleaved) over their pairs.
 */
import type { Converter, ConverterTable } from './converter.js';
import { hostTensor, toNumbers } from './host-tensor.js';
import type { NodeImport } from './node-import.js';
import type { Operand } from './webnn-types.js';

interface RotaryLayout {
  batch: number;
  sequence: number;
  heads: number;
  headSize: number;
  rotaryDim: number;
}

function layoutOf(n: NodeImport, shape: readonly number[], cacheWidth: number): RotaryLayout {
  let heads = n.int('num_heads', 0);
  const rotaryAttribute = n.int('rotary_embedding_dim', 0);
  if (rotaryAttribute > 0 && shape.length === 3 && heads === 0) throw n.invalid('rotary_embedding_dim needs num_heads');
  if (shape.length === 4) {
    const [batch, headCount, sequence, headSize] = shape as [number, number, number, number];
    return { batch, sequence, heads: headCount, headSize, rotaryDim: rotaryAttribute || headSize };
  }
  if (shape.length !== 3) throw n.invalid(`its input has rank ${shape.length}, not 3 or 4`);
  const [batch, sequence, hidden] = shape as [number, number, number];
  if (heads === 0) heads = hidden / (2 * cacheWidth);
  const headSize = hidden / heads;
  if (!Number.isInteger(headSize)) throw n.invalid(`hidden size ${hidden} is not a multiple of the head count ${heads}`);
  return { batch, sequence, heads, headSize, rotaryDim: rotaryAttribute || headSize };
}

/** cos or sin of each (batch, position): rows of the cache picked by position_ids, as (batch or 1, sequence, half). */
function anglesOf(n: NodeImport, cacheInput: number, layout: RotaryLayout): Operand {
  const b = n.builder;
  const half = layout.rotaryDim / 2;
  const cacheShape = n.shape(cacheInput);
  if (cacheShape.length !== 2 || cacheShape[1] !== half) {
    throw n.invalid(`its cache of shape [${cacheShape.join(', ')}] is not (max_sequence_length, ${half})`);
  }
  const positionShape = n.shape(1);
  const offsetOnly = positionShape.length === 1;
  if (offsetOnly ? positionShape[0] !== 1 : positionShape.join() !== [layout.batch, layout.sequence].join()) {
    throw n.invalid(`position_ids of shape [${positionShape.join(', ')}] is neither (1) nor (batch, sequence)`);
  }
  const positions = n.host(1);
  const cache = n.host(cacheInput);
  if (positions && cache) {
    const ids = toNumbers(positions);
    const rows = offsetOnly ? Array.from({ length: layout.sequence }, (_, s) => ids[0]! + s) : ids;
    const values = toNumbers(cache);
    if (rows.some((r) => r < 0 || r >= cacheShape[0]!)) throw n.invalid(`a position is outside [0, ${cacheShape[0]})`);
    const data = rows.flatMap((r) => values.slice(r * half, (r + 1) * half));
    const shape = [offsetOnly ? 1 : layout.batch, layout.sequence, half];
    const host = hostTensor(cache.dataType, shape, data);
    return b.constant({ dataType: n.operand(0).dataType, shape }, host.data);
  }
  let indices = n.operand(1);
  if (offsetOnly) {
    // Positions offset + 0 .. offset + sequence - 1, as a (1, sequence) row.
    const steps = b.constant({ dataType: indices.dataType, shape: [1, layout.sequence] },
      hostTensor(indices.dataType, [1, layout.sequence], Array.from({ length: layout.sequence }, (_, s) => s)).data);
    indices = b.add(b.reshape(indices, [1, 1]), steps);
  }
  return b.gather(n.operand(cacheInput), indices, { axis: 0 });
}

/** x1 cos - x2 sin and x2 cos + x1 sin, for halves x1, x2 (shapes broadcasting with cos and sin). */
function rotate(n: NodeImport, x1: Operand, x2: Operand, cos: Operand, sin: Operand): [Operand, Operand] {
  const b = n.builder;
  return [b.sub(b.mul(x1, cos), b.mul(x2, sin)), b.add(b.mul(x2, cos), b.mul(x1, sin))];
}

/**
 * Heads x (4-D, the head axis last) with their first rotaryDim values turned by cos and sin, which broadcast to
 * x's first three axes and have rotaryDim / 2 values.
 */
export function rotateHeads(n: NodeImport, x: Operand, cos: Operand, sin: Operand, rotaryDim: number, interleaved: boolean): Operand {
  const b = n.builder;
  const half = rotaryDim / 2;
  const headSize = x.shape[3]!;
  const lead = x.shape.slice(0, 3);
  const part = (start: number, size: number) => b.slice(x, [0, 0, 0, start], [...lead, size]);
  let rotated: Operand;
  if (!interleaved) {
    rotated = b.concat(rotate(n, part(0, half), part(half, half), cos, sin), 3);
  } else {
    // Pairs (x[2i], x[2i + 1]) as a trailing axis of 2.
    const pairs = b.reshape(part(0, rotaryDim), [...lead, half, 2]);
    const pick = (k: number) => b.reshape(b.slice(pairs, [0, 0, 0, 0, k], [...lead, half, 1]), [...lead, half]);
    const [even, odd] = rotate(n, pick(0), pick(1), cos, sin);
    rotated = b.reshape(b.concat([b.reshape(even, [...lead, half, 1]), b.reshape(odd, [...lead, half, 1])], 4), [...lead, rotaryDim]);
  }
  return rotaryDim === headSize ? rotated : b.concat([rotated, part(rotaryDim, headSize - rotaryDim)], 3);
}

/** Its scale attribute is left unused, as ONNX Runtime leaves it. */
const rotaryEmbedding: Converter = {
  convert(n) {
    const b = n.builder;
    n.require(n.int('is_packed_batching', 0) === 0, 'is_packed_batching = 1 is not mapped');
    const inputShape = n.shape(0);
    const layout = layoutOf(n, inputShape, n.shape(2)[1] ?? 0);
    const { batch, sequence, heads, headSize, rotaryDim } = layout;
    if (rotaryDim % 2 !== 0 || rotaryDim > headSize) throw n.invalid(`rotary_embedding_dim ${rotaryDim} is odd or above the head size ${headSize}`);
    const half = rotaryDim / 2;
    const fourD = inputShape.length === 4;
    // Heads as (batch, sequence, heads, head) for 3-D inputs, (batch, heads, sequence, head) for 4-D ones; the angles
    // get a unit heads axis in the same place.
    const x = fourD ? n.operand(0) : b.reshape(n.operand(0), [batch, sequence, heads, headSize]);
    const shapeAngles = (angles: Operand) => b.reshape(angles, fourD
      ? [angles.shape[0]!, 1, sequence, half] : [angles.shape[0]!, sequence, 1, half]);
    const y = rotateHeads(n, x, shapeAngles(anglesOf(n, 2, layout)), shapeAngles(anglesOf(n, 3, layout)), rotaryDim, n.int('interleaved', 0) === 1);
    return fourD ? y : b.reshape(y, [...inputShape]);
  },
};

export const MICROSOFT_ROTARY_CONVERTERS: ConverterTable = [
  ['RotaryEmbedding', rotaryEmbedding],
];

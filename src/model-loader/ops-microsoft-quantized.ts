/**
 * com.microsoft's block-quantized weights: MatMulNBits (A times a weight matrix stored as 2-, 4- or 8-bit values, each
 * block of K with its scale and zero point) and GatherBlockQuantized (rows of such a table, e.g. token embeddings).
 * The quantized tensors are constants: they are dequantized on the host, in float64 rounded once to the scales' or
 * activation's type, and the product or gather is WebNN's.
 */
import type { Converter, ConverterTable } from './converter.js';
import { hostData, numberToFloat16Bits, toNumbers, type HostTensor } from './host-tensor.js';
import { stridesOf } from './host-ops.js';
import type { NodeImport } from './node-import.js';
import type { Operand } from './webnn-types.js';

/** Value j of a packed row of `bits`-bit values (the first value in the lowest bits of its byte). */
function unpacked(bytes: ArrayLike<number>, rowStart: number, j: number, bits: number): number {
  const bit = j * bits;
  return (bytes[rowStart + (bit >> 3)]! >> (bit & 7)) & ((1 << bits) - 1);
}

function uint8Constant(n: NodeImport, k: number, what: string): HostTensor {
  const host = n.constant(k, what);
  if (host.dataType !== 'uint8') throw n.unsupported(`its ${what} of type ${host.dataType} are not mapped (uint8 only)`);
  return host;
}

interface Quantization {
  bits: number;
  blockSize: number;
  /** Blocks per column of the weights (ceil(K / block_size)). */
  blocks: number;
}

/**
 * The zero point of column n, block j: packed uint8 values (a row of ceil(blocks * bits / 8) bytes per column), or
 * 2^(bits - 1) when the input is left out.
 */
function zeroPointsOf(n: NodeImport, columns: number, q: Quantization): (column: number, block: number) => number {
  const middle = 2 ** (q.bits - 1);
  if (!n.has(3)) return () => middle;
  const host = n.constant(3, 'zero points');
  if (host.dataType !== 'uint8') throw n.unsupported(`zero points of type ${host.dataType} are not mapped (packed uint8 only)`);
  const rowBytes = Math.ceil((q.blocks * q.bits) / 8);
  if (host.data.length !== columns * rowBytes) throw n.invalid(`its zero points hold ${host.data.length} bytes, not ${columns * rowBytes}`);
  const bytes = host.data as Uint8Array;
  return (column, block) => unpacked(bytes, column * rowBytes, block, q.bits);
}

/** The (K, N) weights in the activation type, dequantized from B (N, blocks, block bytes), scales and zero points. */
function dequantizedWeights(n: NodeImport, depth: number, columns: number, activation: Operand): Operand {
  const q: Quantization = { bits: n.int('bits', 4), blockSize: n.int('block_size', 0), blocks: 0 };
  n.require(q.bits === 2 || q.bits === 4 || q.bits === 8, `bits = ${q.bits} is not mapped (2, 4 or 8)`);
  if (q.blockSize < 16 || (q.blockSize & (q.blockSize - 1)) !== 0) throw n.invalid(`block_size ${q.blockSize} is not a power of 2 of at least 16`);
  q.blocks = Math.ceil(depth / q.blockSize);
  const rowBytes = (q.blocks * q.blockSize * q.bits) / 8;
  const packed = uint8Constant(n, 1, 'quantized weights');
  if (packed.data.length !== columns * rowBytes) throw n.invalid(`its B holds ${packed.data.length} bytes, not ${columns * rowBytes} (N, blocks, block bytes)`);
  const scales = toNumbers(n.constant(2, 'scales'));
  if (scales.length !== columns * q.blocks) throw n.invalid(`it has ${scales.length} scales, not N * blocks = ${columns * q.blocks}`);
  const zeroPoint = zeroPointsOf(n, columns, q);
  // With g_idx (act-order quantization) ONNX Runtime's results depart from this dequantization even for g_idx of the
  // blocks in order, when zero points are given: refused rather than guessed.
  n.require(!n.has(4), 'g_idx is not mapped');
  const bytes = packed.data as Uint8Array;
  const values = new Float64Array(depth * columns);
  for (let column = 0; column < columns; column++) {
    for (let k = 0; k < depth; k++) {
      const block = Math.floor(k / q.blockSize);
      const value = unpacked(bytes, column * rowBytes, k, q.bits);
      values[k * columns + column] = (value - zeroPoint(column, block)) * scales[column * q.blocks + block]!;
    }
  }
  const shape = [depth, columns];
  if (activation.dataType === 'float16') {
    return n.builder.constant({ dataType: 'float16', shape }, Uint16Array.from(values, numberToFloat16Bits));
  }
  if (activation.dataType !== 'float32') throw n.invalid(`its input A is ${activation.dataType}, not a float type`);
  return n.builder.constant({ dataType: 'float32', shape }, Float32Array.from(values));
}

const matMulNBits: Converter = {
  convert(n) {
    const b = n.builder;
    const depth = n.int('K', 0);
    const columns = n.int('N', 0);
    let a = n.operand(0);
    if (a.shape[a.shape.length - 1] !== depth) throw n.invalid(`the last axis of A is ${a.shape[a.shape.length - 1]}, not K = ${depth}`);
    const weights = dequantizedWeights(n, depth, columns, a);
    const vector = a.shape.length === 1;
    if (vector) a = b.reshape(a, [1, depth]);
    let y = b.matmul(a, weights);
    if (n.has(5)) y = b.add(y, n.operand(5));
    return vector ? b.reshape(y, [columns]) : y;
  },
};

/**
 * The values of packed uint8 data (each byte holding 8 / bits values along the last axis, the first in the lowest
 * bits) with the logical shape: the last axis times 8 / bits.
 */
function unpackedTensor(host: HostTensor, bits: number): { shape: number[]; values: number[] } {
  const perByte = 8 / bits;
  const shape = [...host.shape];
  shape[shape.length - 1]! *= perByte;
  const bytes = host.data as Uint8Array;
  return { shape, values: Array.from({ length: bytes.length * perByte }, (_, j) => unpacked(bytes, 0, j, bits)) };
}

const gatherBlockQuantized: Converter = {
  convert(n) {
    const bits = n.int('bits', 4);
    n.require(bits === 4 || bits === 8, `bits = ${bits} is not mapped (4 or 8)`);
    const blockSize = n.int('block_size', 128);
    if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw n.invalid(`block_size ${blockSize} is not a power of 2 of at least 16`);
    const data = unpackedTensor(uint8Constant(n, 0, 'quantized data'), bits);
    const rank = data.shape.length;
    const quantizeAxis = n.axis(n.int('quantize_axis', 1), rank);
    if (quantizeAxis !== rank - 1) throw n.invalid('the quantize_axis of uint8 data must be its last axis, as ONNX Runtime requires');
    const gatherAxis = n.axis(n.int('gather_axis', 0), rank);
    const scales = n.constant(2, 'scales');
    const blockShape = data.shape.map((d, k) => (k === quantizeAxis ? Math.ceil(d / blockSize) : d));
    if (scales.shape.join() !== blockShape.join()) throw n.invalid(`its scales of shape [${scales.shape.join(', ')}] are not [${blockShape.join(', ')}]`);
    const scaleValues = toNumbers(scales);
    const zeroPoints = n.has(3) ? unpackedTensor(uint8Constant(n, 3, 'zero points'), bits) : null;
    // Zero points are packed like the data, along the last axis: their rows padded to whole bytes.
    const zeroShape = zeroPoints?.shape ?? blockShape;
    if (zeroPoints && zeroShape.some((d, k) => k < rank - 1 ? d !== blockShape[k] : d !== Math.ceil(blockShape[k]! * bits / 8) * (8 / bits))) {
      throw n.invalid(`its zero points of logical shape [${zeroShape.join(', ')}] do not pack the scales' [${blockShape.join(', ')}]`);
    }
    const [dataStrides, blockStrides, zeroStrides] = [stridesOf(data.shape), stridesOf(blockShape), stridesOf(zeroShape)];
    const values = data.values.map((q, i) => {
      let [block, zeroIndex] = [0, 0];
      for (let k = 0; k < rank; k++) {
        const index = Math.floor(i / dataStrides[k]!) % data.shape[k]!;
        const blockIndex = k === quantizeAxis ? Math.floor(index / blockSize) : index;
        block += blockIndex * blockStrides[k]!;
        zeroIndex += blockIndex * zeroStrides[k]!;
      }
      const zero = zeroPoints ? zeroPoints.values[zeroIndex]! : 2 ** (bits - 1);
      return (q - zero) * scaleValues[block]!;
    });
    const dataType = scales.dataType === 'float16' ? 'float16' : 'float32';
    const table = n.builder.constant({ dataType, shape: data.shape }, hostData(dataType, values));
    // Negative indices count from the end of the gathered axis, which WebNN's gather leaves undefined.
    const indices = n.operand(1);
    const dim = (v: number) => n.builder.constant({ dataType: indices.dataType, shape: [] }, hostData(indices.dataType, [v]));
    const wrapped = n.builder.where(n.builder.lesser(indices, dim(0)), n.builder.add(indices, dim(data.shape[gatherAxis]!)), indices);
    return n.builder.gather(table, wrapped, { axis: gatherAxis });
  },
};

export const MICROSOFT_QUANTIZED_CONVERTERS: ConverterTable = [
  ['MatMulNBits', matMulNBits],
  ['GatherBlockQuantized', gatherBlockQuantized],
];

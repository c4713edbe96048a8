/**
 * com.microsoft's block-quantized weights: MatMulNBits (A times a weight matrix stored as 2-, 4- or 8-bit values, each
 * block of K with its scale and zero point). The weights are constants: they are dequantized on the host, in float64
 * rounded once to the activation type, and the product is WebNN's matmul.
 */
import type { Converter, ConverterTable } from './converter.js';
import { numberToFloat16Bits, toNumbers, type HostTensor } from './host-tensor.js';
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
  // ONNX Runtime reads zero points otherwise when g_idx (act-order quantization) is given: left to it.
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

export const MICROSOFT_QUANTIZED_CONVERTERS: ConverterTable = [
  ['MatMulNBits', matMulNBits],
];

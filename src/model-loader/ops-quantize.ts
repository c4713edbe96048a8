/**
 * DequantizeLinear and QuantizeLinear, per tensor, per axis or per block. A constant DequantizeLinear (the weights of
 * a QDQ model) folds on the host: (x - zero point) * scale is exact in float64 and rounds once to float32, as WebNN's
 * float32 arithmetic does.
 */
import type { Converter, ConverterTable } from './converter.js';
import { elementCount, hostTensor, toNumbers, type HostTensor } from './host-tensor.js';
import type { NodeImport } from './node-import.js';
import type { Operand, OperandDataType } from './webnn-types.js';

/** The shape scale and zero point take in WebNN: the input's rank, with their sizes on `axis` (per axis or block). */
function parameterShape(n: NodeImport, inputShape: readonly number[], parameterDims: readonly number[]): number[] {
  const rank = inputShape.length;
  if (parameterDims.length === 0 || elementCount(parameterDims) === 1 && parameterDims.length <= 1) return inputShape.map(() => 1);
  if (parameterDims.length === rank) return [...parameterDims];
  if (parameterDims.length !== 1) throw n.invalid(`scale of rank ${parameterDims.length} for an input of rank ${rank}`);
  const axis = n.axis(n.int('axis', 1), rank);
  return inputShape.map((_, k) => (k === axis ? parameterDims[0]! : 1));
}

function parameter(n: NodeImport, k: number, shape: number[], fallbackType: OperandDataType): Operand {
  if (!n.has(k)) {
    return n.builder.constant({ dataType: fallbackType, shape }, hostTensor(fallbackType, shape, new Array<number>(elementCount(shape)).fill(0)).data);
  }
  const host = n.host(k);
  if (host) return n.builder.constant({ dataType: host.dataType as OperandDataType, shape }, host.data);
  return n.builder.reshape(n.operand(k), shape);
}

/** Host values broadcast blockwise: each parameter covers input.shape / parameter.shape elements per axis. */
function blockwise(values: readonly number[], shape: readonly number[], inputShape: readonly number[]): (position: number) => number {
  const blocks = inputShape.map((d, k) => d / shape[k]!);
  return (position) => {
    let rest = position;
    let flat = 0;
    let stride = 1;
    const index = new Array<number>(inputShape.length);
    for (let k = inputShape.length - 1; k >= 0; k--) {
      index[k] = rest % inputShape[k]!;
      rest = Math.floor(rest / inputShape[k]!);
    }
    for (let k = inputShape.length - 1; k >= 0; k--) {
      flat += Math.floor(index[k]! / blocks[k]!) * stride;
      stride *= shape[k]!;
    }
    return values[flat]!;
  };
}

function foldDequantize(n: NodeImport, x: HostTensor, scale: HostTensor, zeroPoint: HostTensor | null): HostTensor {
  const shape = parameterShape(n, x.shape, scale.shape);
  const scaleAt = blockwise(toNumbers(scale), shape, x.shape);
  const zeroAt = zeroPoint ? blockwise(toNumbers(zeroPoint), shape, x.shape) : () => 0;
  const values = toNumbers(x).map((v, i) => (v - zeroAt(i)) * scaleAt(i));
  return hostTensor(scale.dataType, x.shape, values);
}

const dequantizeLinear: Converter = {
  minOpset: 10,
  convert(n) {
    n.require(n.int('block_size', 0) === 0 || n.rank(1) === n.rank(0), 'block_size with a scale of another rank is not mapped');
    const x = n.host(0);
    const scale = n.host(1);
    const zeroPoint = n.has(2) ? n.host(2) : null;
    if (x && scale && (zeroPoint || !n.has(2))) return foldDequantize(n, x, scale, zeroPoint);
    const input = n.operand(0);
    const shape = parameterShape(n, input.shape, n.shape(1));
    return n.builder.dequantizeLinear(input, parameter(n, 1, shape, 'float32'), parameter(n, 2, shape, input.dataType));
  },
};

const quantizeLinear: Converter = {
  minOpset: 10,
  convert(n) {
    n.require(n.int('block_size', 0) === 0 || n.rank(1) === n.rank(0), 'block_size with a scale of another rank is not mapped');
    n.require(n.int('saturate', 1) === 1, 'saturate = 0 is not mapped');
    const input = n.operand(0);
    const shape = parameterShape(n, input.shape, n.shape(1));
    const outputType = n.has(2) ? n.dataType(2) : 'uint8';
    if (outputType !== 'uint8' && outputType !== 'int8' && outputType !== 'int32') {
      throw n.unsupported(`quantizing to ${outputType} is not mapped`);
    }
    return n.builder.quantizeLinear(input, parameter(n, 1, shape, input.dataType), parameter(n, 2, shape, outputType));
  },
};

export const QUANTIZE_CONVERTERS: ConverterTable = [
  ['DequantizeLinear', dequantizeLinear],
  ['QuantizeLinear', quantizeLinear],
];

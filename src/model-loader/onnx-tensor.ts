/** TensorProto records (raw_data or the typed fields) to host tensors, and ONNX element types to data types. */
import { elementCount, type HostData, type HostDataType, type HostTensor } from './host-tensor.js';

export interface TensorProtoRecord {
  name?: string;
  dims: bigint[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: bigint[];
  doubleData?: number[];
  uint64Data?: bigint[];
  dataLocation?: number;
}

/** TensorProto.DataType numbers to data types; absent ones (string, complex, bfloat16, float8, int4) are refused. */
const ELEMENT_TYPES: ReadonlyMap<number, HostDataType> = new Map<number, HostDataType>([
  [1, 'float32'], [2, 'uint8'], [3, 'int8'], [4, 'uint16'], [5, 'int16'], [6, 'int32'], [7, 'int64'], [9, 'bool'],
  [10, 'float16'], [11, 'float64'], [12, 'uint32'], [13, 'uint64'],
]);

export function dataTypeOfElemType(elemType: number, where: string): HostDataType {
  const type = ELEMENT_TYPES.get(elemType);
  if (!type) throw new TypeError(`${where}: ONNX element type ${elemType} is not supported`);
  return type;
}

const BYTES: Record<HostDataType, number> = {
  float32: 4, float16: 2, float64: 8, int32: 4, uint32: 4, int64: 8, uint64: 8, int16: 2, uint16: 2, int8: 1,
  uint8: 1, bool: 1,
};

function viewOf(dataType: HostDataType, buffer: ArrayBuffer): HostData {
  switch (dataType) {
    case 'float32': return new Float32Array(buffer);
    case 'float64': return new Float64Array(buffer);
    case 'int32': return new Int32Array(buffer);
    case 'uint32': return new Uint32Array(buffer);
    case 'int64': return new BigInt64Array(buffer);
    case 'uint64': return new BigUint64Array(buffer);
    case 'int16': return new Int16Array(buffer);
    case 'float16':
    case 'uint16': return new Uint16Array(buffer);
    case 'int8': return new Int8Array(buffer);
    case 'uint8':
    case 'bool': return new Uint8Array(buffer);
  }
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** raw_data is little-endian; on a big-endian host each element's bytes are reversed. */
function fromRawData(dataType: HostDataType, raw: Uint8Array): HostData {
  // A copy of its own: the bytes protobufjs gives share the model's buffer at an offset that need not be aligned (and
  // a Node Buffer's slice() would share it still).
  const bytes = new Uint8Array(raw);
  const size = BYTES[dataType];
  if (!littleEndian && size > 1) for (let k = 0; k < bytes.length; k += size) bytes.subarray(k, k + size).reverse();
  return viewOf(dataType, bytes.buffer);
}

function fromTypedField(dataType: HostDataType, t: TensorProtoRecord): HostData {
  switch (dataType) {
    case 'float32': return Float32Array.from(t.floatData ?? []);
    case 'float64': return Float64Array.from(t.doubleData ?? []);
    case 'int64': return BigInt64Array.from(t.int64Data ?? []);
    case 'uint32': return Uint32Array.from(t.uint64Data ?? [], Number);
    case 'uint64': return BigUint64Array.from(t.uint64Data ?? []);
    case 'int32': return Int32Array.from(t.int32Data ?? []);
    case 'int16': return Int16Array.from(t.int32Data ?? []);
    // float16 values travel in int32_data as their bits.
    case 'float16':
    case 'uint16': return Uint16Array.from(t.int32Data ?? []);
    case 'int8': return Int8Array.from(t.int32Data ?? []);
    case 'uint8':
    case 'bool': return Uint8Array.from(t.int32Data ?? []);
  }
}

export function tensorFromProto(t: TensorProtoRecord, where: string): HostTensor {
  if (t.dataLocation === 1) {
    throw new TypeError(`${where}: its data is stored outside the model (external data), which load() cannot read`);
  }
  const dataType = dataTypeOfElemType(t.dataType ?? 0, where);
  const shape = t.dims.map(Number);
  const data = t.rawData && t.rawData.length > 0 ? fromRawData(dataType, t.rawData) : fromTypedField(dataType, t);
  if (data.length !== elementCount(shape)) {
    throw new TypeError(`${where}: ${data.length} values for shape [${shape.join(', ')}]`);
  }
  return { dataType, shape, data };
}

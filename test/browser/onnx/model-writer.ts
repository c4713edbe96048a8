/**
 * Writes ONNX models (ModelProto bytes) from nodes, initializers and inputs/outputs: float32 by default, any element
 * type on request, initializers as raw_data or as the typed fields, free dimensions by name.
 */
import * as protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from '../../../src/model-loader/onnx-schema.js';

const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
const ModelProto = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType numbers. */
export const ELEM = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, double: 11 } as const;
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7 } as const;

export type OnnxAttribute =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorData }
  | { kind: 'graph'; value: object };

export const int = (value: number): OnnxAttribute => ({ kind: 'int', value });
export const ints = (value: readonly number[]): OnnxAttribute => ({ kind: 'ints', value });
export const float = (value: number): OnnxAttribute => ({ kind: 'float', value });
export const floats = (value: readonly number[]): OnnxAttribute => ({ kind: 'floats', value });
export const string = (value: string): OnnxAttribute => ({ kind: 'string', value });
export const tensor = (value: TensorData): OnnxAttribute => ({ kind: 'tensor', value });
/** A subgraph (If's branches): the GraphProto of a writer's nodes, initializers and outputs. */
export const graph = (writer: OnnxModelWriter, name: string): OnnxAttribute => ({ kind: 'graph', value: writer.graphProto(name) });

/**
 * A tensor's values: elemType says how the data is typed where the array alone does not (bool and float16 bits in a
 * Uint8Array / Uint16Array). typed: true writes the typed field (float_data, int32_data, int64_data) instead of raw_data.
 */
export interface TensorData {
  shape: readonly number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array | Uint16Array;
  elemType?: number;
  typed?: boolean;
}

function elemTypeOf(t: TensorData): number {
  if (t.elemType !== undefined) return t.elemType;
  if (t.data instanceof Float32Array) return ELEM.float;
  if (t.data instanceof Float64Array) return ELEM.double;
  if (t.data instanceof BigInt64Array) return ELEM.int64;
  if (t.data instanceof Int32Array) return ELEM.int32;
  if (t.data instanceof Int8Array) return ELEM.int8;
  if (t.data instanceof Uint8Array) return ELEM.uint8;
  throw new Error('a Uint16Array needs elemType (float16)');
}

/** raw_data is little-endian. */
function littleEndianBytes(data: TensorData['data']): Uint8Array {
  const bytes = new Uint8Array(data.length * data.BYTES_PER_ELEMENT);
  const view = new DataView(bytes.buffer);
  const size = data.BYTES_PER_ELEMENT;
  data.forEach((v: number | bigint, i: number) => {
    if (typeof v === 'bigint') view.setBigInt64(i * 8, v, true);
    else if (data instanceof Float32Array) view.setFloat32(i * 4, v, true);
    else if (data instanceof Float64Array) view.setFloat64(i * 8, v, true);
    else if (size === 4) view.setInt32(i * 4, v, true);
    else if (size === 2) view.setUint16(i * 2, v, true);
    else bytes[i] = v & 0xff;
  });
  return bytes;
}

/** An int64 as protobufjs's {low, high} pair: exact beyond 2^53, where a number is not. */
function longBits(v: bigint): { low: number; high: number; unsigned: boolean } {
  return { low: Number(BigInt.asIntN(32, v)), high: Number(BigInt.asIntN(32, v >> 32n)), unsigned: false };
}

export function tensorProto(name: string, t: TensorData): object {
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) throw new Error(`tensor ${name}: ${t.data.length} values for shape [${t.shape}]`);
  const base = { name, dims: [...t.shape], dataType: elemTypeOf(t) };
  if (!t.typed) return { ...base, rawData: littleEndianBytes(t.data) };
  if (t.data instanceof Float32Array) return { ...base, floatData: [...t.data] };
  if (t.data instanceof Float64Array) return { ...base, doubleData: [...t.data] };
  if (t.data instanceof BigInt64Array) return { ...base, int64Data: Array.from(t.data, longBits) };
  return { ...base, int32Data: [...t.data] };
}

function valueInfo(name: string, shape: readonly (number | string)[] | null, elemType: number) {
  const dim = shape?.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, ...(dim ? { shape: { dim } } : {}) } } };
}

export class OnnxModelWriter {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private readonly nodeList: { opType: string; name: string }[] = [];

  constructor(readonly opsetVersion: number, readonly irVersion: number) {}

  /** A graph input; a string dimension is a free dimension of that name. */
  input(name: string, shape: readonly (number | string)[], elemType: number = ELEM.float): string {
    this.inputs.push(valueInfo(name, shape, elemType));
    return name;
  }

  output(name: string, shape: readonly (number | string)[] | null, elemType: number = ELEM.float): void {
    this.outputs.push(valueInfo(name, shape, elemType));
  }

  /** A constant; float32 data or int64 (e.g. a shape) data, or any TensorData. */
  initializer(name: string, shape: readonly number[], data: TensorData['data'], options: { elemType?: number; typed?: boolean } = {}): string {
    this.initializers.push(tensorProto(name, { shape, data, ...options }));
    return name;
  }

  /** Adds a node of the default (ai.onnx) domain with one output, named after the node. Returns the output name. */
  node(opType: string, name: string, inputs: readonly string[], attributes: Record<string, OnnxAttribute> = {}): string {
    this.nodeWithOutputs(opType, name, inputs, [name], attributes);
    return name;
  }

  /** Adds a node with the outputs named; domain '' is ai.onnx. */
  nodeWithOutputs(opType: string, name: string, inputs: readonly string[], outputs: readonly string[],
    attributes: Record<string, OnnxAttribute> = {}, domain = ''): void {
    const attribute = Object.entries(attributes).map(([attrName, a]) => {
      const base = { name: attrName, type: ATTRIBUTE_TYPE[a.kind] };
      switch (a.kind) {
        case 'int': return { ...base, i: a.value };
        case 'ints': return { ...base, ints: [...a.value] };
        case 'float': return { ...base, f: a.value };
        case 'floats': return { ...base, floats: [...a.value] };
        case 'string': return { ...base, s: new TextEncoder().encode(a.value) };
        case 'tensor': return { ...base, t: tensorProto('', a.value) };
        case 'graph': return { ...base, g: a.value };
      }
    });
    this.nodes.push({ name, opType, input: [...inputs], output: [...outputs], attribute, ...(domain ? { domain } : {}) });
    this.nodeList.push({ opType, name });
  }

  /** The nodes' op types and names, in the order they were added. */
  get nodeSummary(): readonly { opType: string; name: string }[] {
    return this.nodeList;
  }

  graphProto(name: string): object {
    return { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }

  encode(extraOpsets: readonly { domain: string; version: number }[] = []): Uint8Array {
    const model = {
      irVersion: this.irVersion,
      producerName: 'webnn-polyfill-tests',
      opsetImport: [{ domain: '', version: this.opsetVersion }, ...extraOpsets],
      graph: this.graphProto('main'),
    };
    const error = ModelProto.verify(model);
    if (error) throw new Error(`invalid ModelProto: ${error}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}

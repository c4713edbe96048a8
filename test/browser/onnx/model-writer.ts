/** Writes ONNX models (ModelProto bytes) from nodes, float32 initializers and fixed-shape float32 inputs/outputs. */
import * as protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from './onnx-schema.js';

const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
const ModelProto = root.lookupType('onnx.ModelProto');

const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_TYPE = { float: 1, int: 2, floats: 6, ints: 7 } as const;

export type OnnxAttribute =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: readonly number[] };

export const int = (value: number): OnnxAttribute => ({ kind: 'int', value });
export const ints = (value: readonly number[]): OnnxAttribute => ({ kind: 'ints', value });
export const float = (value: number): OnnxAttribute => ({ kind: 'float', value });

interface TensorProtoObject {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

function littleEndianBytes(values: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(values.length * values.BYTES_PER_ELEMENT);
  const view = new DataView(bytes.buffer);
  values.forEach((v: number | bigint, i: number) => {
    if (typeof v === 'bigint') view.setBigInt64(i * 8, v, true);
    else view.setFloat32(i * 4, v, true);
  });
  return bytes;
}

function valueInfo(name: string, shape: readonly number[]) {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  };
}

export class OnnxModelWriter {
  private readonly nodes: object[] = [];
  private readonly initializers: TensorProtoObject[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private readonly nodeList: { opType: string; name: string }[] = [];

  constructor(readonly opsetVersion: number, readonly irVersion: number) {}

  input(name: string, shape: readonly number[]): string {
    this.inputs.push(valueInfo(name, shape));
    return name;
  }

  output(name: string, shape: readonly number[]): void {
    this.outputs.push(valueInfo(name, shape));
  }

  /** A constant; float32 data or int64 (e.g. a shape) data. */
  initializer(name: string, shape: readonly number[], data: Float32Array | BigInt64Array): string {
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`initializer ${name}: ${data.length} values for shape [${shape}]`);
    const dataType = data instanceof Float32Array ? FLOAT : INT64;
    this.initializers.push({ name, dims: [...shape], dataType, rawData: littleEndianBytes(data) });
    return name;
  }

  /** Adds a node of the default (ai.onnx) domain with one output, named after the node. Returns the output name. */
  node(opType: string, name: string, inputs: readonly string[], attributes: Record<string, OnnxAttribute> = {}): string {
    const attribute = Object.entries(attributes).map(([attrName, a]) => {
      const base = { name: attrName, type: ATTRIBUTE_TYPE[a.kind] };
      switch (a.kind) {
        case 'int': return { ...base, i: a.value };
        case 'ints': return { ...base, ints: [...a.value] };
        case 'float': return { ...base, f: a.value };
        case 'floats': return { ...base, floats: [...a.value] };
      }
    });
    this.nodes.push({ name, opType, input: [...inputs], output: [name], attribute });
    this.nodeList.push({ opType, name });
    return name;
  }

  /** The nodes' op types and names, in the order they were added. */
  get nodeSummary(): readonly { opType: string; name: string }[] {
    return this.nodeList;
  }

  encode(): Uint8Array {
    const model = {
      irVersion: this.irVersion,
      producerName: 'webnn-polyfill-tests',
      opsetImport: [{ domain: '', version: this.opsetVersion }],
      graph: {
        name: 'main',
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    const error = ModelProto.verify(model);
    if (error) throw new Error(`invalid ModelProto: ${error}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}

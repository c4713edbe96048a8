/**
 * ONNX ModelProto bytes to the plain records the importer reads: nodes with their attributes, initializers as typed
 * arrays, the graph's inputs and outputs with their element types and dimensions. Synchronous, so that a host whose
 * calls cannot wait (wasi-nn's load) can validate a model before any graph is built.
 */
import * as protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from './onnx-schema.js';
import { tensorFromProto, type TensorProtoRecord } from './onnx-tensor.js';
import type { HostTensor } from './host-tensor.js';

const ModelProto = protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');

export type OnnxAttributeValue = number | bigint | string | HostTensor | readonly number[] | readonly string[] | OnnxGraph;

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  /** '' for the default operator set (ai.onnx). */
  readonly domain: string;
  /** '' marks an optional input left out. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttributeValue>;
}

/** A dimension: a size, a named free dimension (dim_param), or null where the model says nothing. */
export type OnnxDimension = number | string | null;

export interface OnnxValueInfo {
  readonly name: string;
  /** The TensorProto.DataType number. */
  readonly elemType: number;
  /** null where the model gives no shape. */
  readonly dims: readonly OnnxDimension[] | null;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, HostTensor>;
  /** The graph's inputs that no initializer provides. */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly producer: string;
  /** Operator set versions by domain ('' for ai.onnx). */
  readonly opsets: ReadonlyMap<string, number>;
  readonly graph: OnnxGraph;
}

interface AttributeRecord {
  name?: string;
  type?: number;
  f?: number;
  i?: bigint;
  s?: Uint8Array;
  t?: TensorProtoRecord;
  g?: GraphRecord;
  floats: number[];
  ints: bigint[];
  strings: Uint8Array[];
  refAttrName?: string;
}
interface ValueInfoRecord {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim: { dimValue?: bigint; dimParam?: string }[] } } };
}
interface NodeRecord {
  name?: string;
  opType?: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeRecord[];
}
interface GraphRecord {
  name?: string;
  node: NodeRecord[];
  initializer: TensorProtoRecord[];
  input: ValueInfoRecord[];
  output: ValueInfoRecord[];
}
interface ModelRecord {
  irVersion?: bigint;
  producerName?: string;
  producerVersion?: string;
  graph?: GraphRecord;
  opsetImport: { domain?: string; version?: bigint }[];
}

const ATTRIBUTE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;
const utf8 = new TextDecoder();

function attributeValue(a: AttributeRecord, where: string): OnnxAttributeValue {
  if (a.refAttrName) throw new TypeError(`${where}: attribute '${a.name}' refers to a function's attribute`);
  switch (a.type) {
    case ATTRIBUTE.FLOAT: return a.f ?? 0;
    case ATTRIBUTE.INT: return Number(a.i ?? 0n);
    case ATTRIBUTE.STRING: return utf8.decode(a.s ?? new Uint8Array());
    case ATTRIBUTE.TENSOR: return tensorFromProto(a.t ?? { dims: [] }, `${where}, attribute '${a.name}'`);
    case ATTRIBUTE.GRAPH: return graphFrom(a.g ?? { node: [], initializer: [], input: [], output: [] });
    case ATTRIBUTE.FLOATS: return a.floats;
    case ATTRIBUTE.INTS: return a.ints.map(Number);
    case ATTRIBUTE.STRINGS: return a.strings.map((s) => utf8.decode(s));
    default: throw new TypeError(`${where}: attribute '${a.name}' has a type (${a.type}) this importer does not read`);
  }
}

function valueInfoFrom(v: ValueInfoRecord): OnnxValueInfo {
  const tensorType = v.type?.tensorType;
  const dims = tensorType?.shape?.dim.map((d): OnnxDimension =>
    d.dimValue !== undefined ? Number(d.dimValue) : d.dimParam ? d.dimParam : null) ?? null;
  return { name: v.name ?? '', elemType: tensorType?.elemType ?? 0, dims };
}

function graphFrom(g: GraphRecord): OnnxGraph {
  const initializers = new Map<string, HostTensor>();
  for (const t of g.initializer) initializers.set(t.name ?? '', tensorFromProto(t, `initializer '${t.name}'`));
  const nodes = g.node.map((n, k): OnnxNode => {
    const name = n.name || `#${k}`;
    const where = `node '${name}' (${n.opType})`;
    return {
      name,
      opType: n.opType ?? '',
      domain: n.domain === 'ai.onnx' ? '' : n.domain ?? '',
      inputs: n.input,
      outputs: n.output,
      attributes: new Map(n.attribute.map((a) => [a.name ?? '', attributeValue(a, where)])),
    };
  });
  return {
    name: g.name ?? '',
    nodes,
    initializers,
    inputs: g.input.filter((i) => !initializers.has(i.name ?? '')).map(valueInfoFrom),
    outputs: g.output.map(valueInfoFrom),
  };
}

/** Decodes ModelProto bytes; a TypeError if they are not an ONNX model this importer can read. */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  let record: ModelRecord;
  try {
    record = ModelProto.toObject(ModelProto.decode(bytes), { longs: BigInt, arrays: true }) as ModelRecord;
  } catch (error) {
    throw new TypeError(`not an ONNX model: ${(error as Error).message}`, { cause: error });
  }
  if (!record.graph) throw new TypeError('not an ONNX model: it has no graph');
  const opsets = new Map<string, number>();
  for (const o of record.opsetImport) opsets.set(o.domain === 'ai.onnx' ? '' : o.domain ?? '', Number(o.version ?? 0n));
  // IR version 3 and later name their operator sets; earlier models imply ai.onnx version 1.
  if (opsets.size === 0) opsets.set('', 1);
  return {
    irVersion: Number(record.irVersion ?? 0n),
    producer: [record.producerName, record.producerVersion].filter(Boolean).join(' '),
    opsets,
    graph: graphFrom(record.graph),
  };
}

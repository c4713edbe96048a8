/**
 * An ONNX graph built with a WebNN MLGraphBuilder: graph inputs become builder inputs (free dimensions fixed by
 * freeDimensionOverrides, or named dimensions where the builder runs the dynamic-shape proposal), initializers and
 * Constant nodes stay on the host until an operation takes them (so shape arithmetic folds at load time), and each
 * node is converted by the converter of its operator. Synchronous up to build(), which the caller awaits.
 */
import { notSupported, nodeLabel } from './errors.js';
import { NodeImport, isHost, type Produced, type Value, type ValueStore } from './node-import.js';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxValueInfo } from './onnx-model.js';
import { dataTypeOfElemType } from './onnx-tensor.js';
import { CONVERTERS, MAX_OPSET } from './converters.js';
import { DEFAULT_DOMAIN_CONTRIB_CONVERTERS, MICROSOFT_CONVERTERS, MICROSOFT_MAX_OPSET } from './converters-microsoft.js';
import type { Converter } from './converter.js';
import { trackInputUse } from './input-use.js';
import { operandFromHost, webnnTypeOf } from './materialize.js';
import type { GraphBuilder, Operand, OperandDataType, SupportLimits } from './webnn-types.js';
import { dynamicBuilderOf, namedInputDimension, type Dimension, type DimensionBounds } from './symbolic.js';

export interface ImportOptions {
  /** Sizes of the named free dimensions (dim_param) of the model's inputs. */
  freeDimensionOverrides?: Record<string, number>;
  /**
   * Bounds of the named dimensions the other free dimensions become when the builder runs the dynamic-shape proposal
   * (its bounded form, checked at dispatch).
   */
  dimensionBounds?: Record<string, DimensionBounds>;
}

/** A graph input or output as the model presents it: its name, WebNN data type and shape (sizes and names). */
export interface TensorDescription {
  readonly name: string;
  readonly dataType: OperandDataType;
  readonly shape: readonly Dimension[];
}

export interface ImportedGraph {
  readonly inputs: readonly TensorDescription[];
  readonly outputs: readonly TensorDescription[];
  /** The operands to build, by output name. */
  readonly outputOperands: Record<string, Operand>;
  /** The inputs the built graph has (those its outputs depend on), in the model's order. */
  readonly graphInputs: readonly string[];
}

/**
 * An input's descriptor shape: free dimensions take their sizes from freeDimensionOverrides, or, where the builder
 * runs the dynamic-shape proposal (`named`), become named dimensions (bounded by dimensionBounds).
 */
function inputShape(info: OnnxValueInfo, options: ImportOptions, named: boolean): (Dimension | object)[] {
  if (!info.dims) throw notSupported(`input '${info.name}' has no shape in the model`);
  const overrides = options.freeDimensionOverrides ?? {};
  return info.dims.map((d, k) => {
    if (typeof d === 'number' && d > 0) return d;
    if (typeof d === 'string') {
      const size = overrides[d];
      if (size === undefined && named) return namedInputDimension(d, options.dimensionBounds?.[d]);
      if (size === undefined) {
        throw notSupported(`input '${info.name}' has the free dimension '${d}' (axis ${k}): give its size in freeDimensionOverrides`);
      }
      if (!Number.isInteger(size) || size < 1) throw new TypeError(`freeDimensionOverrides['${d}'] must be a positive integer`);
      return size;
    }
    throw notSupported(`input '${info.name}' has an unnamed dimension of unknown size (axis ${k})`);
  });
}

class Values implements ValueStore {
  private readonly values = new Map<string, Value>();
  private readonly constants = new Map<string, Operand>();

  constructor(
    private readonly builder: GraphBuilder,
    private readonly limits: SupportLimits,
    private readonly opsets: ReadonlyMap<string, number>,
  ) {}

  /** A subgraph's nodes imported in this graph's scope (the branch an If takes); its outputs' values. */
  inline(graph: OnnxGraph): (Value | undefined)[] {
    for (const [name, tensor] of graph.initializers) this.set(name, { host: tensor });
    importNodes(this.builder, this, this.opsets, graph.nodes);
    return graph.outputs.map((o) => this.get(o.name));
  }

  get(name: string): Value | undefined {
    return this.values.get(name);
  }

  set(name: string, value: Value): void {
    this.values.set(name, value);
  }

  operandOf(name: string, value: Value, node: NodeImport): Operand {
    if ('operand' in value) return value.operand;
    let operand = this.constants.get(name);
    if (!operand) {
      operand = operandFromHost(this.builder, value.host, this, node);
      this.constants.set(name, operand);
    }
    return operand;
  }

  supports(op: string, member: string, dataType: OperandDataType): boolean {
    return supportedBy(this.limits, op, member, dataType);
  }
}

/** The operators of each domain ('' is ai.onnx), and the newest opset of it their converters follow. */
const DOMAINS: ReadonlyMap<string, { converters: ReadonlyMap<string, Converter>; maxOpset: number }> = new Map([
  // ONNX Runtime registers a few contrib operators (SimplifiedLayerNormalization) in the default domain.
  ['', { converters: new Map([...DEFAULT_DOMAIN_CONTRIB_CONVERTERS, ...CONVERTERS]), maxOpset: MAX_OPSET }],
  ['com.microsoft', { converters: MICROSOFT_CONVERTERS, maxOpset: MICROSOFT_MAX_OPSET }],
]);

/** Converts each node in order, its outputs becoming values the later nodes read. */
function importNodes(builder: GraphBuilder, values: Values, opsets: ReadonlyMap<string, number>, nodes: readonly OnnxNode[]): void {
  for (const node of nodes) {
    const opset = opsets.get(node.domain);
    const label = nodeLabel(node.name, node.opType, node.domain, opset ?? 0);
    if (opset === undefined) throw new TypeError(`${label}: the model imports no operator set for its domain`);
    const domain = DOMAINS.get(node.domain);
    const converter = domain?.converters.get(node.opType);
    if (!domain || !converter) throw notSupported(`${label}: the operator is not supported`);
    const [lowest, highest] = [converter.minOpset ?? 1, converter.maxOpset ?? domain.maxOpset];
    if (opset < lowest || opset > highest) {
      throw notSupported(`${label}: this importer maps ${node.opType} for opsets ${lowest} to ${highest}`);
    }
    const n = new NodeImport(builder, node, opset, values);
    let produced: Produced | readonly Produced[];
    try {
      produced = converter.convert(n);
    } catch (error) {
      // A builder's TypeError says what WebNN refused; the node it came from is said here. With named dimensions in its
      // inputs, it is what this importer cannot express for sizes known only at run time.
      if (error instanceof TypeError && !error.message.startsWith('node ') && n.namedDimensions().length > 0) {
        throw notSupported(`${n.label}: not mapped for the named dimensions of its inputs (${n.namedDimensions().join(', ')}): ${error.message}`);
      }
      if (error instanceof TypeError && !error.message.startsWith('node ')) throw new TypeError(`${n.label}: ${error.message}`, { cause: error });
      throw error;
    }
    const list = Array.isArray(produced) ? produced as readonly Produced[] : [produced as Produced];
    node.outputs.forEach((name, k) => {
      if (name === '') return;
      const p = list[k];
      // Optional outputs a converter does not compute (Dropout's mask, MaxPool's indices) must go unused.
      if (p === undefined) return;
      values.set(name, isHost(p) ? { host: p } : { operand: p });
    });
  }
}

export function importOnnxGraph(
  givenBuilder: GraphBuilder, limits: SupportLimits, model: OnnxModel, options: ImportOptions = {},
): ImportedGraph {
  const inputUse = trackInputUse(givenBuilder);
  const builder = inputUse.builder;
  const values = new Values(builder, limits, model.opsets);
  const { graph } = model;
  for (const [name, tensor] of graph.initializers) values.set(name, { host: tensor });

  const inputOperands = new Set<Operand>();
  const dynamicBuilder = dynamicBuilderOf(builder);
  const inputs = graph.inputs.map((info): TensorDescription => {
    const onnxType = dataTypeOfElemType(info.elemType, `input '${info.name}'`);
    const dataType = webnnTypeOf(onnxType);
    if (!dataType || !supportedBy(limits, 'input', '', dataType)) {
      throw notSupported(`input '${info.name}': ${onnxType} has no WebNN input type on this context`);
    }
    const shape = inputShape(info, options, dynamicBuilder !== null);
    const operand = dynamicBuilder ? dynamicBuilder.input(info.name, { dataType, shape })
      : builder.input(info.name, { dataType, shape: shape as number[] });
    inputOperands.add(operand);
    values.set(info.name, { operand });
    return { name: info.name, dataType, shape: [...operand.shape] };
  });

  importNodes(builder, values, model.opsets, graph.nodes);

  const outputOperands: Record<string, Operand> = {};
  const outputs = graph.outputs.map((info): TensorDescription => {
    const value = values.get(info.name);
    if (!value) throw new TypeError(`output '${info.name}' is produced by no node (or by an output this importer does not compute)`);
    let operand: Operand;
    if ('host' in value) operand = builder.identity(operandOfConstantOutput(builder, info.name, values));
    // WebNN builds no graph whose output is one of its inputs (an Identity chain from an input to an output).
    else if (inputOperands.has(value.operand)) operand = builder.identity(value.operand);
    else operand = value.operand;
    outputOperands[info.name] = operand;
    return { name: info.name, dataType: operand.dataType, shape: [...operand.shape] };
  });
  const graphInputs = inputUse.inputsOf(Object.values(outputOperands));
  return { inputs, outputs, outputOperands, graphInputs: inputs.map((i) => i.name).filter((name) => graphInputs.has(name)) };
}

type TensorLimits = { dataTypes?: readonly string[] } | undefined;

/** Whether the context's opSupportLimits() lists the data type for an operation's member ('' for input/constant). */
function supportedBy(limits: SupportLimits, op: string, member: string, dataType: OperandDataType): boolean {
  const entry = (limits as Record<string, unknown>)[op] as Record<string, TensorLimits> | TensorLimits;
  const tensorLimits = (member ? (entry as Record<string, TensorLimits> | undefined)?.[member] : entry) as TensorLimits;
  return tensorLimits?.dataTypes?.includes(dataType) ?? false;
}

/** A constant made an output goes through identity, as WebNN builds no graph whose output is a constant. */
function operandOfConstantOutput(builder: GraphBuilder, name: string, values: Values): Operand {
  const node = new NodeImport(builder, {
    name: `output '${name}'`, opType: 'Identity', domain: '', inputs: [name], outputs: [name], attributes: new Map(),
  }, 0, values);
  return node.operand(0);
}

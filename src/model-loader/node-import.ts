/**
 * What a converter sees of one ONNX node: its inputs as WebNN operands or as host constants, its attributes, the
 * builder, and errors that name the node, its operator and the opset.
 */
import { nodeLabel, notSupported } from './errors.js';
import { hostTensor, toNumbers, type HostDataType, type HostTensor } from './host-tensor.js';
import type { OnnxAttributeValue, OnnxGraph, OnnxNode } from './onnx-model.js';
import { dynamicBuilderOf, isStaticShape, type Dimension, type DynamicGraphBuilder } from './symbolic.js';
import type { GraphBuilder, Operand, OperandDataType } from './webnn-types.js';

/** A value of the graph: a WebNN operand, or a tensor still on the host. */
export type Value = { readonly operand: Operand } | { readonly host: HostTensor };

/** What a converter gives back for each output: an operand or a host tensor (folded at load time). */
export type Produced = Operand | HostTensor;

export const isHost = (p: Produced): p is HostTensor => 'data' in p;

export interface ValueStore {
  get(name: string): Value | undefined;
  /** The WebNN operand of a value, made a constant (once) if it is on the host. */
  operandOf(name: string, value: Value, node: NodeImport): Operand;
  supports(op: string, member: string, dataType: OperandDataType): boolean;
  inline(graph: OnnxGraph): (Value | undefined)[];
}

export class NodeImport {
  readonly label: string;

  constructor(
    readonly builder: GraphBuilder,
    readonly node: OnnxNode,
    /** The model's version of the node's operator set. */
    readonly opset: number,
    private readonly values: ValueStore,
  ) {
    this.label = nodeLabel(node.name, node.opType, node.domain, opset);
  }

  /** A NotSupportedError naming the node. */
  unsupported(what: string): Error {
    return notSupported(`${this.label}: ${what}`);
  }

  /** A TypeError naming the node (the model breaks an ONNX rule). */
  invalid(what: string): Error {
    return new TypeError(`${this.label}: ${what}`);
  }

  get inputCount(): number {
    return this.node.inputs.length;
  }

  /** Whether input k is given (ONNX leaves optional inputs out with an empty name). */
  has(k: number): boolean {
    return (this.node.inputs[k] ?? '') !== '';
  }

  private value(k: number): Value {
    const name = this.node.inputs[k] ?? '';
    if (name === '') throw this.invalid(`input ${k} is missing`);
    const value = this.values.get(name);
    if (!value) throw this.invalid(`input '${name}' is produced by no earlier node, initializer or graph input`);
    return value;
  }

  /** Whether output k of the node is used (ONNX leaves optional outputs out with an empty name). */
  outputWanted(k: number): boolean {
    return (this.node.outputs[k] ?? '') !== '';
  }

  /** A scalar constant of `dataType` holding `value`. */
  scalar(dataType: OperandDataType, value: number): Operand {
    return this.builder.constant({ dataType, shape: [] }, hostTensor(dataType, [], [value]).data);
  }

  operand(k: number): Operand {
    return this.values.operandOf(this.node.inputs[k]!, this.value(k), this);
  }

  /** Input k as a host tensor, or null if it is computed at run time. */
  host(k: number): HostTensor | null {
    const value = this.value(k);
    return 'host' in value ? value.host : null;
  }

  /** Input k, which must be known at load time (a shape, axes, bounds). */
  constant(k: number, what: string): HostTensor {
    const host = this.host(k);
    if (!host) throw this.unsupported(`its ${what} (input ${k}) must be a constant, known when the model loads`);
    return host;
  }

  constantNumbers(k: number, what: string): number[] {
    return toNumbers(this.constant(k, what));
  }

  /** Input k's sizes; a NotSupportedError where one is a named dimension (converters that map those use dims()). */
  shape(k: number): readonly number[] {
    const dims = this.dims(k);
    if (isStaticShape(dims)) return dims;
    const axis = dims.findIndex((d) => typeof d === 'string');
    throw this.unsupported(`it needs the sizes of input ${k} when the model loads, and its axis ${axis} is the named dimension '${dims[axis]}'`);
  }

  /** Input k's dimensions: sizes, and names where the dynamic-shape proposal leaves them to dispatch. */
  dims(k: number): readonly Dimension[] {
    const value = this.value(k);
    return 'host' in value ? value.host.shape : value.operand.shape;
  }

  rank(k: number): number {
    return this.dims(k).length;
  }

  /** The names among the dimensions of the node's inputs (under the dynamic-shape proposal). */
  namedDimensions(): string[] {
    const names = new Set<string>();
    this.node.inputs.forEach((name, k) => {
      if (name === '' || !this.values.get(name)) return;
      for (const d of this.dims(k)) if (typeof d === 'string') names.add(d);
    });
    return [...names];
  }

  /** The builder's dynamic-shape operations (there are named dimensions only where it has them). */
  dynamic(): DynamicGraphBuilder {
    const builder = dynamicBuilderOf(this.builder);
    if (!builder) throw this.unsupported('its shape arguments are computed at run time, which needs the dynamic-shape proposal');
    return builder;
  }

  dataType(k: number): HostDataType {
    const value = this.value(k);
    return 'host' in value ? value.host.dataType : value.operand.dataType;
  }

  allHost(): boolean {
    return this.node.inputs.every((name, k) => name === '' || this.host(k) !== null);
  }

  supports(op: string, member: string, dataType: OperandDataType): boolean {
    return this.values.supports(op, member, dataType);
  }

  private attribute(name: string): OnnxAttributeValue | undefined {
    return this.node.attributes.get(name);
  }

  int(name: string, fallback: number): number {
    const a = this.attribute(name);
    if (a === undefined) return fallback;
    if (typeof a !== 'number') throw this.invalid(`attribute '${name}' is not an int`);
    return a;
  }

  float(name: string, fallback: number): number {
    const a = this.attribute(name);
    if (a === undefined) return fallback;
    if (typeof a !== 'number') throw this.invalid(`attribute '${name}' is not a float`);
    return a;
  }

  ints(name: string): readonly number[] | undefined {
    const a = this.attribute(name);
    if (a === undefined) return undefined;
    if (!Array.isArray(a) || a.some((v) => typeof v !== 'number')) throw this.invalid(`attribute '${name}' is not ints`);
    return a as readonly number[];
  }

  string(name: string, fallback: string): string {
    const a = this.attribute(name);
    if (a === undefined) return fallback;
    if (typeof a !== 'string') throw this.invalid(`attribute '${name}' is not a string`);
    return a;
  }

  tensor(name: string): HostTensor | undefined {
    const a = this.attribute(name);
    if (a === undefined) return undefined;
    if (typeof a !== 'object' || !('data' in a)) throw this.invalid(`attribute '${name}' is not a tensor`);
    return a;
  }

  graph(name: string): OnnxGraph {
    const a = this.attribute(name);
    if (typeof a !== 'object' || a === null || !('nodes' in a)) throw this.invalid(`attribute '${name}' is not a graph`);
    return a;
  }

  /** A subgraph inlined in the node's scope: the values of its outputs. */
  inline(graph: OnnxGraph): Produced[] {
    return this.values.inline(graph).map((value, k) => {
      if (!value) throw this.invalid(`output ${k} of its subgraph '${graph.name}' is produced by nothing`);
      return 'host' in value ? value.host : value.operand;
    });
  }

  hasAttribute(name: string): boolean {
    return this.node.attributes.has(name);
  }

  /** An axis in [-rank, rank) as a non-negative axis. */
  axis(axis: number, rank: number): number {
    if (axis < -rank || axis >= rank) throw this.invalid(`axis ${axis} is outside [${-rank}, ${rank})`);
    return axis < 0 ? axis + rank : axis;
  }

  /** Refuses an attribute value the mapping does not cover. */
  require(condition: boolean, what: string): void {
    if (!condition) throw this.unsupported(what);
  }
}

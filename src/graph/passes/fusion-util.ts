import type { FusedActivation } from '../../ops/conv-util.js';
import { getOp } from '../../ops/registry.js';
import { elementCount, nextId, type GraphNode, type OperandDescriptor, type OperandRef } from '../ir.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../../types/float16.js';

/**
 * What the fusion and folding passes share: who reads a value, constants, per-channel shapes, nodes made by a pass
 * and the activations TF.js's fused kernels apply.
 */

/**
 * The one node reading `ref` (once), or null when it is read elsewhere too or is a graph output: a step is absorbed
 * only when nothing else can observe the intermediate result that disappears.
 */
export type SoleReader = (ref: OperandRef) => GraphNode | null;

export function soleReaderOf(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): SoleReader {
  const readers = readersOf(order, outputs);
  return (ref) => {
    const list = readers(ref);
    return list?.length === 1 ? list[0]! : null;
  };
}

/** The nodes reading `ref` (a node reading it twice counted twice), or null when it is a graph output. */
export function readersOf(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>):
  (ref: OperandRef) => readonly GraphNode[] | null {
  const readers = new Map<OperandRef, GraphNode[]>();
  for (const node of order) {
    for (const ref of node.inputs) {
      if (!ref) continue;
      const list = readers.get(ref);
      if (list) list.push(node);
      else readers.set(ref, [node]);
    }
  }
  const graphOutputs = new Set(outputs.values());
  return (ref) => (graphOutputs.has(ref) ? null : readers.get(ref) ?? []);
}

/**
 * True for a constant, and for the result of a node computed from constants only (a constant re-laid-out by an
 * earlier pass, say): the plan computes such nodes once at build (Plan's constant folding).
 */
export function isConstant(ref: OperandRef): boolean {
  const known = constantness.get(ref);
  if (known !== undefined) return known;
  const { source } = ref;
  let result = source.kind === 'constant' || source.kind === 'constant-tensor';
  if (source.kind === 'node') {
    const { node } = source;
    result = getOp(node.op).foldable !== false && node.inputs.every((input) => !input || isConstant(input));
  }
  constantness.set(ref, result);
  return result;
}

const constantness = new WeakMap<OperandRef, boolean>();

/** The value of a float constant holding one element (any rank), when its bytes are at hand; else null. */
export function scalarValue(ref: OperandRef | null | undefined): number | null {
  if (!ref || ref.source.kind !== 'constant' || elementCount(ref.desc.shape) !== 1) return null;
  const { bytes } = ref.source;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (ref.desc.dataType === 'float32') return view.getFloat32(0, true);
  if (ref.desc.dataType === 'float16') return float16BitsToNumber(view.getUint16(0, true));
  return null;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * True when `shape` broadcast against `outShape` varies along `axis` at most: every other dimension is 1, and the
 * shape has no more dimensions than the output.
 */
export function variesAlongOnly(shape: readonly number[], outShape: readonly number[], axis: number): boolean {
  if (shape.length > outShape.length) return false;
  const offset = outShape.length - shape.length;
  return shape.every((d, i) => d === 1 || (i + offset === axis && d === outShape[axis]));
}

/**
 * The other input of a two-input node reading `value`, when it is a constant of the same data type holding one value
 * per entry along `axis` of `value` (or one value), and the node's result has `value`'s shape.
 */
export function perChannelConstant(node: GraphNode, value: OperandRef, axis: number): OperandRef | null {
  const [a, b] = node.inputs;
  if (!a || !b || node.outputs.length !== 1 || a === b) return null;
  const other = a === value ? b : b === value ? a : null;
  if (!other || !isConstant(other) || other.desc.dataType !== value.desc.dataType) return null;
  if (!sameShape(node.outputs[0]!.desc.shape, value.desc.shape)) return null;
  return variesAlongOnly(other.desc.shape, value.desc.shape, axis) ? other : null;
}

/** A node made by a pass, with one fresh output of `desc`; ids are the first input's, as the builder's would be unique. */
export function internalNode(op: string, inputs: readonly (OperandRef | null)[], attrs: Record<string, unknown>,
  desc: OperandDescriptor, like: OperandRef): GraphNode {
  const outputs: OperandRef[] = [];
  const node: GraphNode = { id: like.id, op, inputs, attrs, outputs, label: '' };
  outputs.push({ id: like.id, builder: like.builder, desc, source: { kind: 'node', node, index: 0 } });
  return node;
}

/** A float32 or float16 constant of `shape` holding `value` everywhere, made by a pass (of `like`'s builder). */
export function filledConstant(like: OperandRef, dataType: 'float32' | 'float16', shape: readonly number[], value: number): OperandRef {
  const count = elementCount(shape);
  const bytes = dataType === 'float32'
    ? new Uint8Array(new Float32Array(count).fill(value).buffer)
    : new Uint8Array(new Uint16Array(count).fill(numberToFloat16Bits(value)).buffer);
  return { id: nextId(), builder: like.builder, desc: { dataType, shape }, source: { kind: 'constant', bytes } };
}

/** A new value described as `like`, computed by `node` (a rewritten node whose result is now an intermediate). */
export function freshValue(like: OperandRef, node: GraphNode): OperandRef {
  return { id: nextId(), builder: like.builder, desc: like.desc, source: { kind: 'node', node, index: 0 } };
}

/** clamp(input, min, max) giving `output`, in place of `replacing` (its id and label). */
export function clampNode(input: OperandRef, output: OperandRef, minValue: number, maxValue: number, replacing: GraphNode): GraphNode {
  return {
    id: replacing.id, op: 'clamp', inputs: [input], attrs: { minValue, maxValue, exactMin: minValue, exactMax: maxValue },
    outputs: [output], label: replacing.label,
  };
}

/**
 * The constant as a fresh rank-1 [channels] tensor, computed once at build (its input is a constant). The fused
 * kernels need a rank-1 bias or prelu slope, and wasm checks the rank of the stored data, which a reshape keeps.
 */
export function channelVectorNode(value: OperandRef, channels: number): GraphNode {
  return internalNode('conv.channelVector', [value], { channels }, { dataType: value.desc.dataType, shape: [channels] }, value);
}

/** Nodes of a chain (first to last, each the sole reader of the one before) and the nodes that replace them. */
export interface Rewrite {
  readonly replaced: readonly GraphNode[];
  readonly nodes: readonly GraphNode[];
}

/**
 * The order with each rewrite's nodes where the last node of its chain was: everything the new nodes read (the
 * chain's inputs, constants made by later nodes) comes before it, so the order stays topological.
 */
export function applyRewrites(order: readonly GraphNode[], rewrites: readonly Rewrite[]): GraphNode[] {
  const removed = new Set<GraphNode>();
  const placed = new Map<GraphNode, readonly GraphNode[]>();
  for (const { replaced, nodes } of rewrites) {
    for (const node of replaced) removed.add(node);
    placed.set(replaced[replaced.length - 1]!, nodes);
  }
  return order.flatMap((node) => placed.get(node) ?? (removed.has(node) ? [] : [node]));
}

/** Number of nodes produced by fusion among `nodes` (a diagnostic the tests read). */
export function fusedNodeCount(nodes: readonly GraphNode[]): number {
  return nodes.filter((node) => node.attrs['fused'] === true).length;
}

/**
 * The upper bound of a clamp(0, max) that no fused activation computes (max finite and not 6): a fused relu and a
 * clamp to max after the kernel compute it, one kernel (a min) instead of two.
 */
export function clampCeilingOf(node: GraphNode, value: OperandRef): number | null {
  if (node.op !== 'clamp' || node.inputs[0] !== value || node.outputs.length !== 1) return null;
  if (node.outputs[0]!.desc.dataType !== value.desc.dataType) return null;
  const min = numberAttr(node.attrs['minValue'], -Infinity);
  const max = numberAttr(node.attrs['maxValue'], Infinity);
  return min === 0 && Number.isFinite(max) && max > 0 && max !== 6 ? max : null;
}

/** Operations that add up products of what they read as their first input (ops/conv-util.ts kernelActivation). */
const SUMS = new Set(['conv2d', 'convTranspose2d', 'matmul', 'gemm']);

/** True when every reader of `value` sums it, as its first input only (readers null: `value` is a graph output). */
export function readBySums(value: OperandRef, readers: readonly GraphNode[] | null): boolean {
  return readers !== null && readers.length > 0 &&
    readers.every((r) => SUMS.has(r.op) && r.inputs[0] === value && !r.inputs.slice(1).includes(value));
}

function numberAttr(value: unknown, absent: number): number {
  if (value === undefined) return absent;
  return typeof value === 'number' ? value : NaN;
}

export interface FusableActivation {
  readonly activation: FusedActivation;
  /** prelu's slope, a constant varying along the channel axis at most. */
  readonly slope: OperandRef | null;
}

/**
 * The fused-kernel activation computing exactly what `node` computes on `value` (its input), if there is one;
 * `channelAxis` is the axis of `value` a prelu slope may vary along.
 */
export function activationOf(node: GraphNode, value: OperandRef, channelAxis: number): FusableActivation | null {
  if (node.outputs.length !== 1 || node.outputs[0]!.desc.dataType !== value.desc.dataType) return null;
  if (node.inputs[0] !== value) return null;
  const attrs = node.attrs;
  const plain = (activation: FusedActivation): FusableActivation => ({ activation, slope: null });
  switch (node.op) {
    case 'relu': return plain({ kind: 'relu' });
    case 'sigmoid': return plain({ kind: 'sigmoid' });
    case 'clamp': {
      const min = numberAttr(attrs['minValue'], -Infinity);
      const max = numberAttr(attrs['maxValue'], Infinity);
      if (min !== 0) return null;
      if (max === 6) return plain({ kind: 'relu6' });
      if (max === Infinity) return plain({ kind: 'relu' });
      return null;
    }
    case 'leakyRelu': {
      const alpha = attrs['alpha'];
      return typeof alpha === 'number' && Number.isFinite(alpha) ? plain({ kind: 'leakyrelu', alpha }) : null;
    }
    case 'elu': return attrs['alpha'] === 1 ? plain({ kind: 'elu' }) : null;
    case 'prelu': {
      const slope = perChannelConstant(node, value, channelAxis);
      return slope && node.inputs[1] === slope ? { activation: { kind: 'prelu' }, slope } : null;
    }
    default: return null;
  }
}

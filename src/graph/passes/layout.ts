import { getOp, type LayoutRule } from '../../ops/registry.js';
import { isIdentity } from '../../ops/layout-rules.js';
import { byteSizeOf } from '../../types/data-type.js';
import { elementCount, nextId, type GraphNode, type OperandDescriptor, type OperandRef } from '../ir.js';

type Perm = readonly number[];

const keyOf = (perm: Perm): string => perm.join(',');
const permOf = (key: string): Perm => (key === '' ? [] : key.split(',').map(Number));
const identity = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);
const permuted = (shape: readonly number[], perm: Perm): number[] => perm.map((p) => shape[p]!);

/**
 * Layout propagation. TF.js's convolution, pooling and resampling kernels work on NHWC data; an NCHW node lowers to
 * transpose, kernel, transpose. This pass keeps each value in the order its producer computes it most cheaply: an
 * NCHW convolution reads its input held as NHWC and leaves its result that way, and every operation with a layout
 * rule (ops/layout-rules.ts: elementwise operations, concat, slice, pad, reductions, normalizations, pools, ...)
 * works on the data as it is held, its axis attributes renumbered. A value is transposed only where a node without
 * a rule (reshape, matmul, ...) or a graph output needs its logical order; transposes of constants are made at build.
 * A transpose node itself becomes a renumbering and disappears.
 *
 * Each logical value has versions, by permutation: version `perm` holds transpose(value, perm). Graph outputs keep
 * their OperandRefs and logical order.
 */
export function optimizeLayout(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  if (!order.some((node) => getOp(node.op).layout?.preferred?.(node.attrs) != null)) return [...order];
  return new LayoutPropagation(outputs).run(order);
}

class LayoutPropagation {
  readonly #nodes: GraphNode[] = [];
  readonly #versions = new Map<OperandRef, Map<string, OperandRef>>();
  /** Versions of lower-rank values broadcast to a higher rank (key: rank and permutation). */
  readonly #broadcasts = new Map<OperandRef, Map<string, OperandRef>>();
  readonly #graphOutputs: ReadonlySet<OperandRef>;
  readonly #outputs: ReadonlyMap<string, OperandRef>;
  /** OperandRefs made by this pass for its nodes' results. */
  readonly #madeHere = new Set<OperandRef>();

  constructor(outputs: ReadonlyMap<string, OperandRef>) {
    this.#outputs = outputs;
    this.#graphOutputs = new Set(outputs.values());
  }

  run(order: readonly GraphNode[]): GraphNode[] {
    for (const node of order) this.#place(node);
    for (const ref of this.#outputs.values()) {
      const held = this.#hold(ref, identity(ref.desc.shape.length));
      if (held === ref) continue;
      // An output held by another OperandRef (transposes that cancelled out) takes that OperandRef's place where a
      // node made it here, or else is copied to its own.
      if (this.#madeHere.has(held) && !this.#graphOutputs.has(held)) this.#rename(held, ref);
      else this.#emit('identity', [held], {}, [ref.desc], [ref], '');
    }
    return this.#nodes;
  }

  #rename(from: OperandRef, to: OperandRef): void {
    const swap = (r: OperandRef | null) => (r === from ? to : r);
    for (const [i, node] of this.#nodes.entries()) {
      if (!node.inputs.includes(from) && !node.outputs.includes(from)) continue;
      this.#nodes[i] = { ...node, inputs: node.inputs.map(swap), outputs: node.outputs.map((r) => swap(r)!) };
    }
    this.#madeHere.delete(from);
  }

  #versionsOf(ref: OperandRef): Map<string, OperandRef> {
    let versions = this.#versions.get(ref);
    if (!versions) {
      // Graph inputs and constants are held in their logical order.
      versions = new Map([[keyOf(identity(ref.desc.shape.length)), ref]]);
      this.#versions.set(ref, versions);
    }
    return versions;
  }

  /** The permutation a value was first held in (the one its producer computed). */
  #primaryPerm(ref: OperandRef): Perm {
    return permOf(this.#versionsOf(ref).keys().next().value!);
  }

  #emit(op: string, inputs: readonly (OperandRef | null)[], attrs: Readonly<Record<string, unknown>>,
    descs: readonly OperandDescriptor[], reuse: readonly (OperandRef | null)[], label: string, id = nextId()): OperandRef[] {
    const outputs: OperandRef[] = [];
    const node: GraphNode = { id, op, inputs, attrs, outputs, label };
    descs.forEach((desc, index) => {
      const builder = (inputs.find((r) => r) ?? reuse[index])!.builder;
      const made = reuse[index] ?? { id: nextId(), builder, desc, source: { kind: 'node', node, index } };
      if (made !== reuse[index]) this.#madeHere.add(made);
      outputs.push(made);
    });
    this.#nodes.push(node);
    return outputs;
  }

  /** `ref` held in `perm`: an existing version, or one made from another by a transpose (a reshape where only size-1 axes move). */
  #hold(ref: OperandRef, perm: Perm): OperandRef {
    const versions = this.#versionsOf(ref);
    const key = keyOf(perm);
    const existing = versions.get(key);
    if (existing) return existing;
    const [fromKey, from] = versions.entries().next().value!;
    const fromPerm = permOf(fromKey);
    const shape = permuted(ref.desc.shape, perm);
    // The identity version of a graph output is the output itself.
    const reuse = isIdentity(perm) && this.#graphOutputs.has(ref) ? ref : null;
    const relative = perm.map((p) => fromPerm.indexOf(p));
    const held = (reuse ? null : this.#permutedConstant(from, relative, shape)) ?? this.#rearrange(from, relative, shape, reuse);
    versions.set(key, held);
    return held;
  }

  /** `ref` of lower rank, broadcast to `rank` and held in `perm` (an elementwise operand). */
  #holdBroadcast(ref: OperandRef, rank: number, perm: Perm): OperandRef {
    const own = ref.desc.shape.length;
    if (own === rank) return this.#hold(ref, perm);
    if (isIdentity(perm)) return this.#hold(ref, identity(own));
    let versions = this.#broadcasts.get(ref);
    if (!versions) this.#broadcasts.set(ref, versions = new Map());
    const key = `${rank}:${keyOf(perm)}`;
    const existing = versions.get(key);
    if (existing) return existing;
    const expanded = [...new Array<number>(rank - own).fill(1), ...ref.desc.shape];
    const shape = permuted(expanded, perm);
    const source = this.#hold(ref, identity(own));
    const asExpanded: OperandRef = { ...source, desc: { dataType: source.desc.dataType, shape: expanded } };
    const held = this.#permutedConstant(asExpanded, perm, shape) ?? this.#rearrange(
      this.#emit('reshape', [source], { shape: expanded }, [asExpanded.desc], [null], '')[0]!, perm, shape, null);
    versions.set(key, held);
    return held;
  }

  /** transpose(from, perm) as a reshape when only size-1 axes move, else as a transpose node. */
  #rearrange(from: OperandRef, perm: Perm, shape: number[], reuse: OperandRef | null): OperandRef {
    const desc = { dataType: from.desc.dataType, shape };
    const moved = perm.filter((p) => from.desc.shape[p] !== 1);
    const orderKept = moved.every((p, i) => i === 0 || p > moved[i - 1]!);
    if (orderKept) return this.#emit('reshape', [from], { shape }, [desc], [reuse], '')[0]!;
    return this.#emit('transpose', [from], { permutation: [...perm] }, [desc], [reuse], '')[0]!;
  }

  /** For a constant given by bytes, the transposed constant made now; null for anything else. */
  #permutedConstant(from: OperandRef, perm: Perm, shape: number[]): OperandRef | null {
    if (from.source.kind !== 'constant') return null;
    const bytes = permutedBytes(from.source.bytes, from.desc.shape, perm, byteSizeOf(from.desc.dataType));
    return { id: nextId(), builder: from.builder, desc: { dataType: from.desc.dataType, shape }, source: { kind: 'constant', bytes } };
  }

  #place(node: GraphNode): void {
    if (node.op === 'transpose') {
      // A renumbering: the data stays as it is held, whatever the order.
      const input = node.inputs[0]!;
      const perm = this.#primaryPerm(input);
      const q = node.attrs['permutation'] as readonly number[];
      this.#versions.set(node.outputs[0]!, new Map([[keyOf(perm.map((p) => q.indexOf(p))), this.#hold(input, perm)]]));
      return;
    }
    const rule = getOp(node.op).layout as LayoutRule<Record<string, unknown>> | undefined;
    const perm = rule ? this.#choosePerm(node, rule) : null;
    const env = { inputs: node.inputs.map((r) => r?.desc ?? null), outputs: node.outputs.map((r) => r.desc) };
    const change = perm && !isIdentity(perm) ? rule!.permute(node.attrs, perm, env) : null;
    if (!change) {
      const held = node.inputs.map((r) => r && this.#hold(r, identity(r.desc.shape.length)));
      if (held.every((r, i) => r === node.inputs[i])) this.#nodes.push(node);
      else this.#emit(node.op, held, node.attrs, env.outputs, node.outputs, node.label, node.id);
      return;
    }
    const dataInputs = rule!.dataInputs;
    const rank = perm!.length;
    const held = node.inputs.map((r, i) => {
      if (!r) return null;
      if (dataInputs && !dataInputs.includes(i)) return this.#hold(r, identity(r.desc.shape.length));
      return this.#holdBroadcast(r, rank, perm!);
    });
    const descs = node.outputs.map((o, i) => ({ dataType: o.desc.dataType, shape: permuted(o.desc.shape, change.outputPerms[i]!) }));
    const reuse = node.outputs.map((o, i) => (isIdentity(change.outputPerms[i]!) ? o : null));
    const produced = this.#emit(node.op, held, change.attrs, descs, reuse, node.label, node.id);
    node.outputs.forEach((out, i) => {
      this.#versions.set(out, new Map([[keyOf(change.outputPerms[i]!), produced[i]!]]));
    });
  }

  /**
   * The permutation to compute `node` in: the one its kernels prefer, else the one most of its (non-constant,
   * full-rank) data inputs are already held in, ties going to the first input's own.
   */
  #choosePerm(node: GraphNode, rule: LayoutRule<Record<string, unknown>>): Perm | null {
    const preferred = rule.preferred?.(node.attrs);
    if (preferred) return preferred;
    const positions = rule.dataInputs ?? node.inputs.map((_, i) => i);
    const refs = positions.map((i) => node.inputs[i]).filter((r): r is OperandRef => !!r);
    // Elementwise operands of lower rank broadcast: the data's rank is the highest.
    const rank = Math.max(...refs.map((r) => r.desc.shape.length));
    const candidates = refs.filter((r) => r.desc.shape.length === rank && r.source.kind === 'node');
    let best: Perm | null = null;
    let bestCount = 0;
    for (const ref of candidates) {
      const perm = this.#primaryPerm(ref);
      const count = candidates.filter((r) => this.#versionsOf(r).has(keyOf(perm))).length;
      if (count > bestCount) {
        best = perm;
        bestCount = count;
      }
    }
    return best;
  }
}

/**
 * Transposed constants by their source bytes, made once: the plans of a dynamic-shape graph's input-shape signatures
 * share constants by their bytes (dynamic/dynamic-graph.ts), so each run of this pass must give the same bytes.
 */
const transposedBytes = new WeakMap<Uint8Array, Map<string, Uint8Array>>();

function permutedBytes(bytes: Uint8Array, shape: readonly number[], perm: Perm, size: number): Uint8Array {
  let byLayout = transposedBytes.get(bytes);
  if (!byLayout) transposedBytes.set(bytes, byLayout = new Map());
  const key = `${shape.join(',')}|${keyOf(perm)}|${size}`;
  let permuted = byLayout.get(key);
  if (!permuted) byLayout.set(key, permuted = transposeBytes(bytes, shape, perm, size));
  return permuted;
}

/** The bytes of an array of `shape` (elements of `size` bytes) transposed by `perm`. */
export function transposeBytes(bytes: Uint8Array, shape: readonly number[], perm: Perm, size: number): Uint8Array {
  const rank = shape.length;
  const out = new Uint8Array(bytes.length);
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let a = rank - 1; a >= 0; a--) {
    strides[a] = stride;
    stride *= shape[a]!;
  }
  const outShape = permuted(shape, perm);
  const inStrides = perm.map((p) => strides[p]!);
  const index = new Array<number>(rank).fill(0);
  const count = elementCount(shape);
  let from = 0;
  for (let i = 0; i < count; i++) {
    out.set(bytes.subarray(from * size, from * size + size), i * size);
    for (let a = rank - 1; a >= 0; a--) {
      index[a]!++;
      from += inStrides[a]!;
      if (index[a]! < outShape[a]!) break;
      from -= inStrides[a]! * outShape[a]!;
      index[a] = 0;
    }
  }
  return out;
}

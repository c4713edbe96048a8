import type * as tfc from '@tensorflow/tfjs-core';
import { getOp, type LowerEnv, type OpDefinition, type TF } from '../ops/registry.js';
import type { BackendName } from '../runtime/backends.js';
import {
  activateBackendNow, atPlacement, copyToActiveBackend, homePlacement, operationPlacement, type Placement,
} from '../runtime/placement.js';
import { storageDtypeOf } from '../types/data-type.js';
import { holdsType, HostTensor, isHostTensor } from '../types/host-tensor.js';
import type { GraphNode, OperandDescriptor, OperandRef } from './ir.js';

type Tensor = tfc.Tensor;
/** A value of the plan: a TF.js tensor in storage dtype, or a host array (uint32, int64, uint64 and host steps' inputs). */
export type Value = Tensor | HostTensor;

interface Step {
  /** The node's operation and attributes (not the node: it reaches the builder's copies of constant bytes). */
  readonly name: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly op: OpDefinition<Record<string, unknown>>;
  readonly inputSlots: readonly (number | null)[];
  readonly outputSlots: readonly number[];
  /** Slots whose last reader is this step: disposed as soon as it has run. */
  release: number[];
  /** Where the step runs: a TF.js backend (then env.backend) or the host (OpDefinition.lowerHost). */
  readonly on: Placement;
  readonly env: LowerEnv;
}

/**
 * A copy of a value onto the backend of the steps that read it there (see runtime/placement.ts). Copies of constants
 * are made once, at build, by constant folding.
 */
const TRANSFER: OpDefinition<Record<string, unknown>> = {
  name: 'transfer',
  lower: ([x]) => copyToActiveBackend(x!),
};

/** A value moved between the host and a TF.js backend (the active one), or copied between two backends. */
function transferValue(tf: TF, x: Value, to: Placement, dataType: OperandDescriptor['dataType']): Value {
  if (to === 'host') {
    if (isHostTensor(x)) return x.clone();
    return new HostTensor(dataType, x.shape, x.dataSync() as Float32Array | Int32Array);
  }
  // Only values of TF.js storage types cross to a backend; their host arrays are Float32Array / Int32Array.
  if (isHostTensor(x)) return tf.tensor(x.values as Float32Array | Int32Array, x.shape as number[], storageDtypeOf(dataType));
  return copyToActiveBackend(x);
}

/** tf.tidy() over plan values: host values are no tensors, and tidy() leaves them alone. */
function tidyValues(tf: TF, fn: () => Value[]): Value[] {
  return tf.tidy(() => fn() as unknown as tfc.TensorContainer) as unknown as Value[];
}

function checkShape(step: Step, shape: readonly number[], desc: OperandDescriptor): void {
  if (shape.length !== desc.shape.length || shape.some((d, k) => d !== desc.shape[k])) {
    throw new Error(`${step.name}: lowering produced shape [${shape.join(',')}], expected [${desc.shape.join(',')}]`);
  }
}

/**
 * An execution plan: constants already on the backend, steps in topological order, every intermediate disposed
 * right after its last reader. Built once by build(); dispatch() only calls run().
 *
 * Every value has a home backend: graph inputs, outputs and constants that of their data type in the context
 * (homePlacement: the host for uint32, int64 and uint64), step results that of their step (operationPlacement). A
 * step reading a value homed elsewhere reads a copy made by a transfer step (shared by all its readers there), so no
 * value is ever moved by the engine. Host steps run OpDefinition.lowerHost over typed arrays.
 */
export class Plan {
  readonly #tf: TF;
  #slotCount: number;
  #inputSlots: ReadonlyMap<string, number>;
  #outputSlots: ReadonlyMap<string, number>;
  /** The home backend of each graph output, as #outputSlots. */
  #outputHomes: ReadonlyMap<string, Placement>;
  readonly #constants: Map<number, Value>;
  #steps: Step[];
  readonly #descs: OperandDescriptor[];
  /** The home backend of each slot. */
  readonly #homes: Placement[];

  /** Constants that belong to the caller (shared by several plans): never disposed here. */
  readonly #shared: ReadonlySet<Value>;

  constructor(tf: TF, backend: LowerEnv['backend'], order: readonly GraphNode[], inputs: ReadonlyMap<string, OperandRef>,
    outputs: ReadonlyMap<string, OperandRef>, uploadConstant: (ref: OperandRef) => Value, shared: ReadonlySet<Value> = new Set()) {
    this.#tf = tf;
    this.#shared = shared;
    const slotOf = new Map<OperandRef, number>();
    this.#descs = [];
    this.#homes = [];
    const slot = (ref: OperandRef): number => {
      let s = slotOf.get(ref);
      if (s === undefined) {
        s = this.#descs.length;
        slotOf.set(ref, s);
        this.#descs.push(ref.desc);
        this.#homes.push(homePlacement(backend, ref.desc.dataType));
      }
      return s;
    };
    this.#constants = new Map();
    try {
      this.#steps = [];
      this.#inputSlots = new Map();
      this.#outputSlots = new Map();
      this.#outputHomes = new Map();
      this.#slotCount = 0;
      this.#compile(tf, backend, order, inputs, outputs, uploadConstant, slot);
      this.#addTransfers(tf, backend);
      this.#slotCount = this.#descs.length;
      this.#foldConstants();
      this.#groupByBackend(backend);
      this.#planLifetimes();
    } catch (error) {
      // A graph that fails to compile leaves nothing behind on the backend.
      this.dispose();
      throw error;
    }
  }

  #compile(tf: TF, backend: LowerEnv['backend'], order: readonly GraphNode[], inputs: ReadonlyMap<string, OperandRef>,
    outputs: ReadonlyMap<string, OperandRef>, uploadConstant: (ref: OperandRef) => Value, slot: (ref: OperandRef) => number): void {
    const inputSlots = new Map<string, number>();
    for (const [name, ref] of inputs) inputSlots.set(name, slot(ref));
    this.#steps = [];
    for (const node of order) {
      const inputSlotsOfNode = node.inputs.map((ref) => {
        if (!ref) return null;
        const s = slot(ref);
        if ((ref.source.kind === 'constant' || ref.source.kind === 'constant-tensor') && !this.#constants.has(s)) {
          // Bytes are uploaded to the active backend; a constant MLTensor's data is already on its home backend.
          this.#constants.set(s, atPlacement(this.#homes[s]!, () => uploadConstant(ref)));
        }
        return s;
      });
      const inputDescs = node.inputs.map((r) => r?.desc ?? null);
      const outputDescs = node.outputs.map((r) => r.desc);
      const op = getOp(node.op);
      const runsOn = operationPlacement(backend, inputDescs, outputDescs, op.int32InputsArePositions);
      if (runsOn === 'host' && !op.lowerHost) throw new Error(`${node.op} has no lowering for uint32, int64 or uint64`);
      const outputSlotsOfNode = node.outputs.map(slot);
      for (const s of outputSlotsOfNode) this.#homes[s] = runsOn;
      this.#steps.push({
        name: node.op,
        attrs: node.attrs,
        op,
        inputSlots: inputSlotsOfNode,
        outputSlots: outputSlotsOfNode,
        release: [],
        on: runsOn,
        env: { tf, backend: runsOn === 'host' ? backend : runsOn, inputs: inputDescs, outputs: outputDescs },
      });
    }
    const outputSlots = new Map<string, number>();
    for (const [name, ref] of outputs) outputSlots.set(name, slot(ref));
    this.#inputSlots = inputSlots;
    this.#outputSlots = outputSlots;
  }

  /**
   * Inserts a transfer step before the first step that reads a value on a backend other than the value's home, and
   * one at the end for each output computed away from its data type's home.
   */
  #addTransfers(tf: TF, backend: BackendName): void {
    const copies = new Map<string, number>();
    const placed: Step[] = [];
    const copyOf = (s: number, to: Placement): number => {
      const key = `${s}:${to}`;
      let copy = copies.get(key);
      if (copy === undefined) {
        copy = this.#descs.length;
        copies.set(key, copy);
        const desc = this.#descs[s]!;
        this.#descs.push(desc);
        this.#homes.push(to);
        placed.push({
          name: TRANSFER.name, attrs: {}, op: TRANSFER, inputSlots: [s], outputSlots: [copy], release: [], on: to,
          env: { tf, backend: to === 'host' ? backend : to, inputs: [desc], outputs: [desc] },
        });
      }
      return copy;
    };
    for (const step of this.#steps) {
      const runsOn = step.on;
      const inputSlots = step.inputSlots.map((s) => (s === null || this.#homes[s] === runsOn ? s : copyOf(s, runsOn)));
      placed.push({ ...step, inputSlots });
    }
    const outputSlots = new Map<string, number>();
    const outputHomes = new Map<string, Placement>();
    for (const [name, s] of this.#outputSlots) {
      const home = homePlacement(backend, this.#descs[s]!.dataType);
      outputSlots.set(name, this.#homes[s] === home ? s : copyOf(s, home));
      outputHomes.set(name, home);
    }
    this.#steps = placed;
    this.#outputSlots = outputSlots;
    this.#outputHomes = outputHomes;
  }

  get stepCount(): number {
    return this.#steps.length;
  }

  /** Nodes whose inputs are all constants run once now; their results become constants. */
  #foldConstants(): void {
    const tf = this.#tf;
    this.#steps = this.#steps.filter((step) => {
      if (step.op.foldable === false) return true;
      if (!step.inputSlots.every((s) => s === null || this.#constants.has(s))) return true;
      const results = atPlacement(step.on, () => tidyValues(tf, () => this.#runStep(step, (s) => this.#constants.get(s)!)));
      results.forEach((t, i) => this.#constants.set(step.outputSlots[i]!, t));
      return false;
    });
    // Folded constants nobody reads any more are released now.
    const read = new Set<number>();
    for (const step of this.#steps) for (const s of step.inputSlots) if (s !== null) read.add(s);
    for (const s of this.#outputSlots.values()) read.add(s);
    for (const [s, t] of this.#constants) {
      if (!read.has(s)) {
        if (!this.#shared.has(t)) t.dispose();
        this.#constants.delete(s);
      }
    }
  }

  /**
   * Reorders the steps, in an order still topological, so that steps of one backend run together: each switch of
   * TF.js's active backend scans its whole kernel registry. Among the steps ready on the active backend, the earliest
   * of the original order runs first.
   */
  #groupByBackend(backend: BackendName): void {
    const steps = this.#steps;
    if (steps.every((step) => step.on === backend)) return;
    const producer = new Map<number, number>();
    steps.forEach((step, i) => { for (const s of step.outputSlots) producer.set(s, i); });
    const dependents = steps.map((): number[] => []);
    const pending = steps.map((step, i) => {
      const producers = new Set(step.inputSlots.flatMap((s) => (s !== null && producer.has(s) ? [producer.get(s)!] : [])));
      for (const p of producers) dependents[p]!.push(i);
      return producers.size;
    });
    const ready = new Map<Placement, number[]>();
    const markReady = (i: number) => {
      const queue = ready.get(steps[i]!.on) ?? [];
      let at = queue.length;
      while (at > 0 && queue[at - 1]! > i) at--;
      queue.splice(at, 0, i);
      ready.set(steps[i]!.on, queue);
    };
    pending.forEach((n, i) => { if (n === 0) markReady(i); });
    const ordered: Step[] = [];
    let active: Placement = backend;
    while (ordered.length < steps.length) {
      if (!ready.get(active)?.length) active = [...ready].find(([, queue]) => queue.length > 0)![0];
      const i = ready.get(active)!.shift()!;
      ordered.push(steps[i]!);
      for (const d of dependents[i]!) if (--pending[d]! === 0) markReady(d);
    }
    this.#steps = ordered;
  }

  #planLifetimes(): void {
    const pinned = new Set<number>([...this.#inputSlots.values(), ...this.#outputSlots.values(), ...this.#constants.keys()]);
    const lastUse = new Map<number, number>();
    this.#steps.forEach((step, i) => {
      for (const s of step.outputSlots) lastUse.set(s, i); // an output nobody reads dies with its step
      for (const s of step.inputSlots) if (s !== null) lastUse.set(s, i);
    });
    for (const [s, i] of lastUse) if (!pinned.has(s)) this.#steps[i]!.release.push(s);
  }

  #runStep(step: Step, value: (slot: number) => Value): Value[] {
    const inputs = step.inputSlots.map((s) => (s === null ? null : value(s)));
    if (step.op === TRANSFER) return [transferValue(this.#tf, inputs[0]!, step.on, step.env.outputs[0]!.dataType)];
    if (step.on === 'host') return this.#runHostStep(step, inputs as (HostTensor | null)[]);
    const tensors = inputs as (Tensor | null)[];
    const produced = step.op.lower(tensors, step.attrs, step.env);
    const outputs = Array.isArray(produced) ? produced : [produced];
    if (outputs.length !== step.outputSlots.length) {
      throw new Error(`${step.name}: lowering produced ${outputs.length} outputs, expected ${step.outputSlots.length}`);
    }
    return outputs.map((t, i) => {
      const desc = step.env.outputs[i]!;
      const dtype = storageDtypeOf(desc.dataType);
      // A lowering may hand back one of its inputs; a fresh handle keeps disposal per slot.
      let out = tensors.includes(t) ? t.clone() : t;
      if (out.dtype !== dtype) out = this.#tf.cast(out, dtype);
      checkShape(step, out.shape, desc);
      return out;
    });
  }

  #runHostStep(step: Step, inputs: readonly (HostTensor | null)[]): HostTensor[] {
    const produced = step.op.lowerHost!(inputs, step.attrs, step.env);
    const outputs = Array.isArray(produced) ? produced : [produced];
    if (outputs.length !== step.outputSlots.length) {
      throw new Error(`${step.name}: host lowering produced ${outputs.length} outputs, expected ${step.outputSlots.length}`);
    }
    return outputs.map((t, i) => {
      const desc = step.env.outputs[i]!;
      if (t.dataType !== desc.dataType || !holdsType(t.values, desc.dataType)) {
        throw new Error(`${step.name}: host lowering produced ${t.dataType}, expected ${desc.dataType}`);
      }
      checkShape(step, t.shape, desc);
      return inputs.includes(t) ? t.clone() : t;
    });
  }

  /**
   * Runs the plan, each step on its backend; inputs must be on the home backends of their data types, and so are the
   * outputs. Returns fresh tensors, one per output name, owned by the caller. TF.js's active backend is restored.
   */
  run(inputs: ReadonlyMap<string, Value>): Map<string, Value> {
    const previous = this.#tf.getBackend();
    try {
      return this.#run(inputs);
    } finally {
      activateBackendNow(previous);
    }
  }

  #run(inputs: ReadonlyMap<string, Value>): Map<string, Value> {
    const tf = this.#tf;
    const names = [...this.#outputSlots.keys()];
    const results = tidyValues(tf, () => {
      const values = new Array<Value | undefined>(this.#slotCount);
      for (const [s, t] of this.#constants) values[s] = t;
      for (const [name, s] of this.#inputSlots) values[s] = inputs.get(name);
      const external = new Set<Value>(values.filter((t): t is Value => t !== undefined));
      for (const step of this.#steps) {
        if (step.on !== 'host') activateBackendNow(step.on);
        const outs = this.#runStep(step, (s) => values[s]!);
        step.outputSlots.forEach((s, i) => { values[s] = outs[i]; });
        for (const s of step.release) {
          values[s]!.dispose();
          values[s] = undefined;
        }
      }
      // Every output is a tensor of its own, even when two names share an operand or an output is a constant.
      const handedOut = new Set<Value>();
      return names.map((name) => {
        const t = values[this.#outputSlots.get(name)!]!;
        // Cloned on its own backend: a kernel on another one would move the shared data there.
        const fresh = external.has(t) || handedOut.has(t) ? (isHostTensor(t) ? t.clone() : atPlacement(this.#outputHomes.get(name)!, () => t.clone())) : t;
        handedOut.add(fresh);
        return fresh;
      });
    });
    return new Map(names.map((name, i) => [name, results[i]!]));
  }

  dispose(): void {
    for (const t of this.#constants.values()) if (!this.#shared.has(t)) t.dispose();
    this.#constants.clear();
  }
}

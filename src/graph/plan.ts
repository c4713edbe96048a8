import type * as tfc from '@tensorflow/tfjs-core';
import { getOp, type LowerEnv, type OpDefinition, type TF } from '../ops/registry.js';
import { storageDtypeOf } from '../types/data-type.js';
import type { GraphNode, OperandDescriptor, OperandRef } from './ir.js';

type Tensor = tfc.Tensor;

interface Step {
  /** The node's operation and attributes (not the node: it reaches the builder's copies of constant bytes). */
  readonly name: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly op: OpDefinition<Record<string, unknown>>;
  readonly inputSlots: readonly (number | null)[];
  readonly outputSlots: readonly number[];
  /** Slots whose last reader is this step: disposed as soon as it has run. */
  release: number[];
  readonly env: LowerEnv;
}

/**
 * An execution plan: constants already on the backend, steps in topological order, every intermediate disposed
 * right after its last reader. Built once by build(); dispatch() only calls run().
 */
export class Plan {
  readonly #tf: TF;
  #slotCount: number;
  #inputSlots: ReadonlyMap<string, number>;
  #outputSlots: ReadonlyMap<string, number>;
  readonly #constants: Map<number, Tensor>;
  #steps: Step[];
  readonly #descs: OperandDescriptor[];

  constructor(tf: TF, backend: LowerEnv['backend'], order: readonly GraphNode[], inputs: ReadonlyMap<string, OperandRef>,
    outputs: ReadonlyMap<string, OperandRef>, uploadConstant: (ref: OperandRef) => Tensor) {
    this.#tf = tf;
    const slotOf = new Map<OperandRef, number>();
    this.#descs = [];
    const slot = (ref: OperandRef): number => {
      let s = slotOf.get(ref);
      if (s === undefined) {
        s = slotOf.size;
        slotOf.set(ref, s);
        this.#descs.push(ref.desc);
      }
      return s;
    };
    this.#constants = new Map();
    try {
      this.#steps = [];
      this.#inputSlots = new Map();
      this.#outputSlots = new Map();
      this.#slotCount = 0;
      this.#compile(tf, backend, order, inputs, outputs, uploadConstant, slot);
      this.#slotCount = slotOf.size;
      this.#foldConstants();
      this.#planLifetimes();
    } catch (error) {
      // A graph that fails to compile leaves nothing behind on the backend.
      this.dispose();
      throw error;
    }
  }

  #compile(tf: TF, backend: LowerEnv['backend'], order: readonly GraphNode[], inputs: ReadonlyMap<string, OperandRef>,
    outputs: ReadonlyMap<string, OperandRef>, uploadConstant: (ref: OperandRef) => Tensor, slot: (ref: OperandRef) => number): void {
    const inputSlots = new Map<string, number>();
    for (const [name, ref] of inputs) inputSlots.set(name, slot(ref));
    this.#steps = [];
    for (const node of order) {
      const inputSlotsOfNode = node.inputs.map((ref) => {
        if (!ref) return null;
        const s = slot(ref);
        if ((ref.source.kind === 'constant' || ref.source.kind === 'constant-tensor') && !this.#constants.has(s)) {
          this.#constants.set(s, uploadConstant(ref));
        }
        return s;
      });
      this.#steps.push({
        name: node.op,
        attrs: node.attrs,
        op: getOp(node.op),
        inputSlots: inputSlotsOfNode,
        outputSlots: node.outputs.map(slot),
        release: [],
        env: { tf, backend, inputs: node.inputs.map((r) => r?.desc ?? null), outputs: node.outputs.map((r) => r.desc) },
      });
    }
    const outputSlots = new Map<string, number>();
    for (const [name, ref] of outputs) outputSlots.set(name, slot(ref));
    this.#inputSlots = inputSlots;
    this.#outputSlots = outputSlots;
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
      const results = tf.tidy(() => this.#runStep(step, (s) => this.#constants.get(s)!));
      results.forEach((t, i) => this.#constants.set(step.outputSlots[i]!, t));
      return false;
    });
    // Folded constants nobody reads any more are released now.
    const read = new Set<number>();
    for (const step of this.#steps) for (const s of step.inputSlots) if (s !== null) read.add(s);
    for (const s of this.#outputSlots.values()) read.add(s);
    for (const [s, t] of this.#constants) {
      if (!read.has(s)) {
        t.dispose();
        this.#constants.delete(s);
      }
    }
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

  #runStep(step: Step, value: (slot: number) => Tensor): Tensor[] {
    const inputs = step.inputSlots.map((s) => (s === null ? null : value(s)));
    const produced = step.op.lower(inputs, step.attrs, step.env);
    const outputs = Array.isArray(produced) ? produced : [produced];
    if (outputs.length !== step.outputSlots.length) {
      throw new Error(`${step.name}: lowering produced ${outputs.length} outputs, expected ${step.outputSlots.length}`);
    }
    return outputs.map((t, i) => {
      const desc = step.env.outputs[i]!;
      const dtype = storageDtypeOf(desc.dataType);
      // A lowering may hand back one of its inputs; a fresh handle keeps disposal per slot.
      let out = inputs.includes(t) ? t.clone() : t;
      if (out.dtype !== dtype) out = this.#tf.cast(out, dtype);
      if (out.shape.length !== desc.shape.length || out.shape.some((d, k) => d !== desc.shape[k])) {
        throw new Error(`${step.name}: lowering produced shape [${out.shape}], expected [${desc.shape}]`);
      }
      return out;
    });
  }

  /** Runs the plan on TF.js's active backend. Returns fresh tensors, one per output name, owned by the caller. */
  run(inputs: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
    const tf = this.#tf;
    const names = [...this.#outputSlots.keys()];
    const results = tf.tidy(() => {
      const values = new Array<Tensor | undefined>(this.#slotCount);
      for (const [s, t] of this.#constants) values[s] = t;
      for (const [name, s] of this.#inputSlots) values[s] = inputs.get(name);
      const external = new Set<Tensor>(values.filter((t): t is Tensor => t !== undefined));
      for (const step of this.#steps) {
        const outs = this.#runStep(step, (s) => values[s]!);
        step.outputSlots.forEach((s, i) => { values[s] = outs[i]; });
        for (const s of step.release) {
          values[s]!.dispose();
          values[s] = undefined;
        }
      }
      // Every output is a tensor of its own, even when two names share an operand or an output is a constant.
      const handedOut = new Set<Tensor>();
      return names.map((name) => {
        const t = values[this.#outputSlots.get(name)!]!;
        const fresh = external.has(t) || handedOut.has(t) ? t.clone() : t;
        handedOut.add(fresh);
        return fresh;
      });
    });
    return new Map(names.map((name, i) => [name, results[i]!]));
  }

  dispose(): void {
    for (const t of this.#constants.values()) t.dispose();
    this.#constants.clear();
  }
}

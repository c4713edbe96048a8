import type * as tfc from '@tensorflow/tfjs-core';
import { getOp, type LowerEnv, type OpDefinition, type TF } from '../ops/registry.js';
import { takesAnyType } from '../ops/host-kernels.js';
import type { BackendName } from '../runtime/backends.js';
import {
  activateBackendNow, atPlacement, copyToActiveBackend, homePlacement, operationPlacement, withBackend, type Placement,
} from '../runtime/placement.js';
import { KernelProgram, recordKernels, replayAllowed } from '../runtime/kernel-replay.js';
import { noteReadByPackingKernel, tensorFromValues, valuesInPlace } from '../runtime/tensor-values.js';
import { runsJsKernels } from '../runtime/js-kernels.js';
import { storageDtypeOf, type StorageDtype } from '../types/data-type.js';
import { holdsType, HostTensor, type HostValues, isHostTensor } from '../types/host-tensor.js';
import { elementCount, type GraphNode, type OperandDescriptor, type OperandRef } from './ir.js';

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
  /** The TF.js dtype of each output (its data type's storage dtype). */
  readonly outputDtypes: readonly StorageDtype[];
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

/**
 * Backends that cannot read a tensor synchronously: webgpu (TF.js reads its buffers synchronously through canvases,
 * which the polyfill refuses, runtime/webgpu-start.ts). A value moved off such a backend during a run is read
 * asynchronously, and the plan runs as a promise (Plan.runAsync).
 */
const READS_ASYNC_ONLY: ReadonlySet<Placement> = new Set(['webgpu']);

/**
 * transferValue for a value read asynchronously: `values` are its storage values, `to` another backend (written there
 * with no switch of TF.js's active backend) or the host.
 */
function valueFromRead(values: Float32Array | Int32Array, shape: readonly number[], to: Placement,
  dataType: OperandDescriptor['dataType']): Value {
  if (to === 'host') return new HostTensor(dataType, shape, values);
  return tensorFromValues(to, values, shape, false);
}

/** tf.tidy() over plan values: host values are no tensors, and tidy() leaves them alone. */
function tidyValues(tf: TF, fn: () => Value[]): Value[] {
  return tf.tidy(() => fn() as unknown as tfc.TensorContainer) as unknown as Value[];
}

function checkShape(step: Step, shape: readonly number[], desc: OperandDescriptor): void {
  const expected = desc.shape;
  let same = shape.length === expected.length;
  for (let k = 0; same && k < shape.length; k++) same = shape[k] === expected[k];
  if (!same) throw new Error(`${step.name}: lowering produced shape [${shape.join(',')}], expected [${expected.join(',')}]`);
}

/**
 * Intermediates of this many elements and more are disposed right after their last reader, which bounds a run's
 * memory; smaller ones are left to the run's tf.tidy(), which disposes them together at its end for less than one
 * dispose() each costs in between kernels (a tenth of the time of a tiny add).
 */
const RELEASE_AFTER_LAST_USE_ELEMENTS = 1024;

/** A step's inputs read from the values of a run (null where an optional input is absent). */
function readInputs(step: Step, values: readonly (Value | undefined)[]): (Value | null)[] {
  const slots = step.inputSlots;
  const inputs = new Array<Value | null>(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    inputs[i] = s === null ? null : values[s]!;
  }
  return inputs;
}

function outputCountError(step: Step, count: number): Error {
  return new Error(`${step.name}: lowering produced ${count} outputs, expected ${step.outputSlots.length}`);
}

/** How run() hands out one graph output. */
interface OutputBinding {
  readonly name: string;
  readonly slot: number;
  /** Where a clone is made (the output's home backend). */
  readonly home: Placement;
  /**
   * The slot's value is not the run's own (an input or a constant) or is handed out under an earlier name already:
   * the output gets a clone, so that every output is a tensor of its own.
   */
  readonly clone: boolean;
}

/** The largest result, in elements, of a node Plan.#keptOnHost keeps on the host. */
const KEPT_ON_HOST_MAX_ELEMENTS = 4096;

/** Runs beyond the first that warmUp() makes while runs keep getting faster, and the time they may take. */
const WARM_UP_MAX_EXTRA_RUNS = 8;
const WARM_UP_EXTRA_MS = 25;

/** The most input values a plan of host steps alone keeps from its last run (#runOnHost): shape computations. */
const HOST_RUN_KEPT_MAX_ELEMENTS = 1024;

/** Whether two arrays of integers hold the same values (float arrays never do here: they are not kept). */
function sameIntegers(a: HostValues, b: HostValues): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * After a run through TF.js's engine: which of its kernels read the run's inputs and outputs is not known here, and any
 * may have kept weights packed from them (runtime/tensor-values.ts forgetPackedWeights).
 */
function noteEngineRun(inputs: Iterable<Value | undefined>, outputs: Iterable<Value>): void {
  for (const value of inputs) if (value !== undefined && !isHostTensor(value)) noteReadByPackingKernel(value.dataId);
  for (const value of outputs) if (!isHostTensor(value)) noteReadByPackingKernel(value.dataId);
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
  /** The graph inputs' names and slots in the order run() takes their values; the outputs' names as it returns them. */
  #inputNames: readonly string[] = [];
  #inputSlotList: readonly number[] = [];
  #outputNames: readonly string[] = [];
  /** Each input's and output's position in those orders (dispatch() puts the bound tensors in them). */
  #inputPositions: ReadonlyMap<string, number> = new Map();
  #outputPositions: ReadonlyMap<string, number> = new Map();
  #outputSlots: ReadonlyMap<string, number>;
  /** The home backend of each graph output, as #outputSlots. */
  #outputHomes: ReadonlyMap<string, Placement>;
  readonly #constants: Map<number, Value>;
  #steps: Step[];
  readonly #descs: OperandDescriptor[];
  /** The home backend of each slot. */
  readonly #homes: Placement[];
  /** The graph outputs in the order run() returns them. */
  #outputs: readonly OutputBinding[] = [];
  /** The values of a run by slot: the constants stay, the other slots are set during a run and cleared after it. */
  readonly #values: (Value | undefined)[] = [];
  /** The slots that are not constants. */
  readonly #transientSlots: number[] = [];
  /** The graph inputs' slots. */
  #inputSlotSet: ReadonlySet<number> = new Set();
  /** A run has completed: every step's results had their expected shapes. */
  #shapesChecked = false;
  /** Some step moves a value off a backend that reads asynchronously only: runs are runAsync()'s. */
  #runsAsync = false;
  /** Every step runs on the host. */
  #hostOnly = false;
  /** A run of a plan of host steps alone, kept by value: its inputs' values and (copies of) its outputs. */
  #lastHostRun: { readonly inputs: readonly HostValues[]; readonly outputs: readonly HostTensor[] } | null = null;
  #warmedUp = false;

  /** Constants that belong to the caller (shared by several plans): never disposed here. */
  readonly #shared: ReadonlySet<Value>;
  readonly #backend: BackendName;
  /**
   * The kernels of a run, recorded by build()'s warm-up, replayed by the dispatches. A plan the dynamic-shape proposal
   * makes at a dispatch records its second run: one that runs once (input shapes cycling through more signatures than
   * are kept) does not pay for recording.
   */
  #program: KernelProgram | null = null;
  #runsBeforeRecording = 1;

  constructor(tf: TF, backend: LowerEnv['backend'], order: readonly GraphNode[], inputs: ReadonlyMap<string, OperandRef>,
    outputs: ReadonlyMap<string, OperandRef>, uploadConstant: (ref: OperandRef) => Value, shared: ReadonlySet<Value> = new Set()) {
    this.#tf = tf;
    this.#shared = shared;
    this.#backend = backend;
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
      this.#runsAsync = this.#steps.some((step) => this.#readsAsync(step));
      this.#groupByBackend(backend);
      this.#planLifetimes();
      this.#prepareRuns();
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
      const placed = operationPlacement(backend, inputDescs, outputDescs, op.int32InputsArePositions);
      const runsOn = placed !== 'host' && this.#keptOnHost(op, inputSlotsOfNode, outputDescs) ? 'host' : placed;
      if (runsOn === 'host' && !op.lowerHost) throw new Error(`${node.op} has no lowering for uint32, int64 or uint64`);
      const outputSlotsOfNode = node.outputs.map(slot);
      for (const s of outputSlotsOfNode) this.#homes[s] = runsOn;
      this.#steps.push({
        name: node.op,
        attrs: node.attrs,
        op,
        inputSlots: inputSlotsOfNode,
        outputSlots: outputSlotsOfNode,
        outputDtypes: outputDescs.map((d) => storageDtypeOf(d.dataType)),
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
   * Whether a node that could run on a backend runs on the host instead: its inputs are all there already (results of
   * host steps, host constants), its host lowering computes its types exactly (takesAnyType), and its results are
   * small. The small int64 shape computations ONNX Runtime sends end in comparisons and logic of that kind; moving
   * one or two values to a backend for a kernel there costs more than the loop.
   */
  #keptOnHost(op: OpDefinition, inputSlots: readonly (number | null)[], outputs: readonly OperandDescriptor[]): boolean {
    if (!op.lowerHost || !takesAnyType(op.lowerHost)) return false;
    const present = inputSlots.filter((s): s is number => s !== null);
    return present.length > 0 && present.every((s) => this.#homes[s] === 'host') &&
      outputs.every((d) => elementCount(d.shape) <= KEPT_ON_HOST_MAX_ELEMENTS);
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
          name: TRANSFER.name, attrs: {}, op: TRANSFER, inputSlots: [s], outputSlots: [copy],
          outputDtypes: [storageDtypeOf(desc.dataType)], release: [], on: to,
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
      // A value computed on the host is handed out as it is: the dispatch writes it where the output tensor's values
      // are (over them, on wasm) rather than into a tensor made for the run and freed at the next.
      const handedOutAsIs = this.#homes[s] === home || this.#homes[s] === 'host';
      outputSlots.set(name, handedOutAsIs ? s : copyOf(s, home));
      outputHomes.set(name, home);
    }
    this.#steps = placed;
    this.#outputSlots = outputSlots;
    this.#outputHomes = outputHomes;
  }

  /** The graph inputs' names, in the order run() takes their values. */
  get inputNames(): readonly string[] {
    return this.#inputNames;
  }

  /** The graph outputs' names, in the order run() returns their values. */
  get outputNames(): readonly string[] {
    return this.#outputNames;
  }

  /** Each of inputNames' position in it. */
  get inputPositions(): ReadonlyMap<string, number> {
    return this.#inputPositions;
  }

  /** Each of outputNames' position in it. */
  get outputPositions(): ReadonlyMap<string, number> {
    return this.#outputPositions;
  }

  get stepCount(): number {
    return this.#steps.length;
  }

  /** Whether runs are asynchronous (runAsync()): some step moves a value off webgpu, which reads asynchronously only. */
  get runsAsync(): boolean {
    return this.#runsAsync;
  }

  /** Whether run() may compute outputs over tensors it is given (`into`): a plan of host steps alone never does. */
  get computesInto(): boolean {
    return !this.#hostOnly;
  }

  /** Whether warmUp() ran the plan to the end (its read back included) on zeros. */
  get warmedUp(): boolean {
    return this.#warmedUp;
  }

  /** A transfer step reading a value off a backend that reads asynchronously only. */
  #readsAsync(step: Step): boolean {
    const source = step.inputSlots[0];
    return step.op === TRANSFER && source !== null && source !== undefined && READS_ASYNC_ONLY.has(this.#homes[source]!) &&
      step.on !== this.#homes[source];
  }

  /** Nodes whose inputs are all constants run once now; their results become constants. */
  #foldConstants(): void {
    const tf = this.#tf;
    const values: (Value | undefined)[] = [];
    for (const [s, t] of this.#constants) values[s] = t;
    this.#steps = this.#steps.filter((step) => {
      // A constant on a backend read asynchronously only is moved by each run (build() is synchronous).
      if (step.op.foldable === false || this.#readsAsync(step)) return true;
      if (!step.inputSlots.every((s) => s === null || this.#constants.has(s))) return true;
      const results = atPlacement(step.on, () => tidyValues(tf, () => {
        this.#execute(step, values);
        return step.outputSlots.map((s) => values[s]!);
      }));
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

  /** Which step releases each intermediate (see RELEASE_AFTER_LAST_USE_ELEMENTS). */
  #planLifetimes(): void {
    const pinned = new Set<number>([...this.#inputSlots.values(), ...this.#outputSlots.values(), ...this.#constants.keys()]);
    const lastUse = new Map<number, number>();
    this.#steps.forEach((step, i) => {
      for (const s of step.outputSlots) lastUse.set(s, i); // an output nobody reads dies with its step
      for (const s of step.inputSlots) if (s !== null) lastUse.set(s, i);
    });
    for (const [s, i] of lastUse) {
      if (!pinned.has(s) && elementCount(this.#descs[s]!.shape) >= RELEASE_AFTER_LAST_USE_ELEMENTS) this.#steps[i]!.release.push(s);
    }
  }

  /** What run() needs beyond the steps, worked out once: how each output is handed out, the constants' slots filled. */
  #prepareRuns(): void {
    this.#hostOnly = this.#steps.every((step) => step.on === 'host');
    this.#inputNames = [...this.#inputSlots.keys()];
    this.#inputSlotList = [...this.#inputSlots.values()];
    const inputSlots = new Set(this.#inputSlots.values());
    this.#inputSlotSet = inputSlots;
    const handedOut = new Set<number>();
    this.#outputs = [...this.#outputSlots].map(([name, slot]) => {
      const own = !this.#constants.has(slot) && !inputSlots.has(slot) && !handedOut.has(slot);
      handedOut.add(slot);
      return { name, slot, home: this.#outputHomes.get(name)!, clone: !own };
    });
    this.#outputNames = this.#outputs.map(({ name }) => name);
    this.#inputPositions = new Map(this.#inputNames.map((name, i) => [name, i]));
    this.#outputPositions = new Map(this.#outputNames.map((name, i) => [name, i]));
    for (let s = 0; s < this.#slotCount; s++) {
      this.#values.push(this.#constants.get(s));
      if (!this.#constants.has(s)) this.#transientSlots.push(s);
    }
  }

  /** Runs one step over the values of a run and stores its results in their slots. */
  #execute(step: Step, values: (Value | undefined)[]): void {
    const inputs = readInputs(step, values);
    const slots = step.outputSlots;
    if (step.op === TRANSFER) {
      values[slots[0]!] = transferValue(this.#tf, inputs[0]!, step.on, step.env.outputs[0]!.dataType);
      return;
    }
    if (step.on === 'host') {
      const outputs = this.#runHostStep(step, inputs as (HostTensor | null)[]);
      for (let i = 0; i < slots.length; i++) values[slots[i]!] = outputs[i];
      return;
    }
    const produced = step.op.lower(inputs as (Tensor | null)[], step.attrs, step.env);
    if (!Array.isArray(produced)) {
      if (slots.length !== 1) throw outputCountError(step, 1);
      values[slots[0]!] = this.#settle(step, inputs, produced, 0);
      return;
    }
    if (produced.length !== slots.length) throw outputCountError(step, produced.length);
    for (let i = 0; i < slots.length; i++) values[slots[i]!] = this.#settle(step, inputs, produced[i]!, i);
  }

  /** The i-th result of a lowering as the plan keeps it: a handle of its own, in storage dtype, of the expected shape. */
  #settle(step: Step, inputs: readonly (Value | null)[], result: Tensor, i: number): Tensor {
    // A lowering may hand back one of its inputs; a fresh handle keeps disposal per slot.
    let out = inputs.includes(result) ? result.clone() : result;
    const dtype = step.outputDtypes[i]!;
    if (out.dtype !== dtype) out = this.#tf.cast(out, dtype);
    // A plan's shapes are fixed: once one run has produced them all (build()'s warm-up does), they are known right.
    if (!this.#shapesChecked) checkShape(step, out.shape, step.env.outputs[i]!);
    return out;
  }

  #runHostStep(step: Step, inputs: readonly (HostTensor | null)[]): HostTensor[] {
    const produced = step.op.lowerHost!(inputs, step.attrs, step.env);
    const outputs = Array.isArray(produced) ? produced : [produced];
    if (outputs.length !== step.outputSlots.length) throw outputCountError(step, outputs.length);
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
   * Runs the plan, each step on its backend, on the inputs' values in the order of inputNames; inputs must be on the
   * home backends of their data types, and so are the outputs, except those computed on the host, which are host
   * values whatever their data type. Returns fresh values in the order of outputNames, owned by the caller; or, for an
   * output `into` gives a tensor for (at the output's position), that tensor, its values replaced, where a replay's
   * last kernel for it could write over them (no other tensor shares them). TF.js's active backend is restored.
   */
  run(inputs: readonly Value[], into?: readonly (Value | undefined)[]): Value[] {
    if (this.#runsAsync) throw new Error('this plan reads values off webgpu: its runs are runAsync()\'s');
    if (this.#program !== null) {
      if (replayAllowed()) return this.#replay(this.#program, inputs, into);
    } else if (this.#runsBeforeRecording >= 0 && replayAllowed() && this.#runsBeforeRecording-- === 0) {
      if (this.#replayable()) return this.#runRecorded(inputs);
    }
    return this.#hostOnly ? this.#runOnHost(inputs) : this.#runThroughEngine(inputs);
  }

  /**
   * A run of a plan of host steps alone, whose outputs follow from its inputs' values and nothing else: when those
   * are the last run's, copies of that run's outputs are its outputs. ONNX Runtime sends such plans the same shapes at
   * every run (Silero VAD: four a run, each some gathers, comparisons and concatenations of int64 shapes).
   */
  #runOnHost(inputs: readonly Value[]): Value[] {
    const last = this.#lastHostRun;
    if (last !== null && this.#sameAsLastHostRun(inputs, last.inputs)) return last.outputs.map((t) => t.clone());
    this.#lastHostRun = null;
    const results = this.#runThroughEngine(inputs);
    const remembered = inputs.every((v) => isHostTensor(v) && !(v.values instanceof Float32Array)) &&
      inputs.reduce((n, v) => n + (v as HostTensor).values.length, 0) <= HOST_RUN_KEPT_MAX_ELEMENTS;
    if (remembered) {
      this.#lastHostRun = {
        inputs: inputs.map((v) => (v as HostTensor).values.slice()),
        outputs: results.map((t) => (t as HostTensor).clone()),
      };
    }
    return results;
  }

  #sameAsLastHostRun(inputs: readonly Value[], last: readonly HostValues[]): boolean {
    for (let i = 0; i < inputs.length; i++) {
      const value = inputs[i];
      if (!isHostTensor(value) || !sameIntegers(value.values, last[i]!)) return false;
    }
    return true;
  }

  #runThroughEngine(inputs: readonly Value[]): Value[] {
    const tf = this.#tf;
    const previous = tf.getBackend();
    const values = this.#values;
    try {
      this.#setInputs(values, inputs);
      // A run of host steps alone makes no TF.js tensor for a scope to collect.
      const results = this.#hostOnly ? this.#runSteps(values) : tidyValues(tf, () => this.#runSteps(values));
      this.#shapesChecked = true;
      if (!this.#hostOnly) noteEngineRun(inputs, results);
      return results;
    } finally {
      for (const s of this.#transientSlots) values[s] = undefined;
      activateBackendNow(previous);
    }
  }

  /** The inputs' values put in their slots of a run's values. */
  #setInputs(values: (Value | undefined)[], inputs: readonly Value[]): void {
    if (inputs.length !== this.#inputSlotList.length) throw new Error(`${inputs.length} inputs, the plan takes ${this.#inputSlotList.length}`);
    for (let i = 0; i < inputs.length; i++) values[this.#inputSlotList[i]!] = inputs[i];
  }

  #runSteps(values: (Value | undefined)[]): Value[] {
    let active = this.#tf.getBackend();
    for (const step of this.#steps) {
      if (step.on !== 'host' && step.on !== active) {
        activateBackendNow(step.on);
        active = step.on;
      }
      this.#execute(step, values);
      for (const s of step.release) {
        values[s]!.dispose();
        values[s] = undefined;
      }
    }
    return this.#outputs.map(({ slot, home, clone }) => {
      const t = values[slot]!;
      if (!clone) return t;
      // Cloned on its own backend: a kernel on another one would move the shared data there.
      return isHostTensor(t) ? t.clone() : atPlacement(home, () => t.clone());
    });
  }

  /**
   * run() for a plan that moves values off webgpu: the steps run as run() runs them, each transfer off webgpu awaiting
   * its value's read. The context's timeline runs nothing else of the context meanwhile; the app's TF.js may run, so
   * the active backend is set for each step and put back before each wait.
   */
  async runAsync(inputs: readonly Value[]): Promise<Value[]> {
    const tf = this.#tf;
    const previous = tf.getBackend();
    let active = previous;
    // A run's own values: another run of the plan may start while this one waits (warm-up and dispatches never overlap,
    // but nothing here depends on it).
    const values = [...this.#values];
    const kept = new Set<Value>();
    /** Values read off webgpu, by slot: every read that can start does so at the first wait, and all are awaited once. */
    const read = new Map<number, Float32Array | Int32Array>();
    try {
      this.#setInputs(values, inputs);
      for (let i = 0; i < this.#steps.length; i++) {
        const step = this.#steps[i]!;
        if (this.#readsAsync(step)) {
          const source = step.inputSlots[0]!;
          if (!read.has(source)) {
            // The app's code may use TF.js during the wait: its own backend is active then.
            activateBackendNow(previous);
            active = previous;
            await this.#readAhead(i, values, read);
          }
          const x = values[source] as Tensor;
          values[step.outputSlots[0]!] = valueFromRead(read.get(source)!, x.shape, step.on, step.env.outputs[0]!.dataType);
        } else {
          if (step.on !== 'host' && step.on !== active) {
            activateBackendNow(step.on);
            active = step.on;
          }
          tidyValues(tf, () => {
            this.#execute(step, values);
            return step.outputSlots.map((s) => values[s]!);
          });
        }
        for (const s of step.release) {
          values[s]!.dispose();
          values[s] = undefined;
        }
      }
      const results = this.#outputs.map(({ slot, home, clone }) => {
        const t = values[slot]!;
        const out = !clone ? t : isHostTensor(t) ? t.clone() : atPlacement(home, () => t.clone());
        kept.add(out);
        return out;
      });
      this.#shapesChecked = true;
      noteEngineRun(inputs, results);
      return results;
    } finally {
      activateBackendNow(previous);
      // Every value the run made but does not hand out; inputs and constants are not the run's.
      for (const s of this.#transientSlots) {
        const v = values[s];
        if (v !== undefined && !kept.has(v) && !this.#inputSlotSet.has(s)) v.dispose();
      }
    }
  }

  /** Reads off webgpu, into `read`, the sources of the steps from `first` on that move a value computed by now. */
  async #readAhead(first: number, values: readonly (Value | undefined)[], read: Map<number, Float32Array | Int32Array>): Promise<void> {
    const sources = new Set<number>();
    for (let i = first; i < this.#steps.length; i++) {
      const step = this.#steps[i]!;
      const source = step.inputSlots[0];
      if (this.#readsAsync(step) && source !== null && source !== undefined && values[source] !== undefined) sources.add(source);
    }
    const slots = [...sources];
    const arrays = await Promise.all(slots.map((s) => (values[s] as Tensor).data()));
    slots.forEach((s, i) => read.set(s, arrays[i] as Float32Array | Int32Array));
  }

  #replay(program: KernelProgram, inputs: readonly Value[], into?: readonly (Value | undefined)[]): Value[] {
    // A replay's values are all tensors of the context's backend (#replayable); an output tensor given on the host is
    // not one it can compute into.
    const hostInto = into !== undefined && into.some(isHostTensor);
    return program.run(inputs as readonly Tensor[],
      hostInto ? into.map((t) => (isHostTensor(t) ? undefined : t)) : into as readonly (Tensor | undefined)[] | undefined);
  }

  /** A run that is a fixed sequence of kernels of the context's backend, with no value on the host, can be replayed. */
  #replayable(): boolean {
    return this.#steps.every((step) => step.on === this.#backend && step.op !== TRANSFER) &&
      [...this.#constants.values()].every((t) => !isHostTensor(t));
  }

  /** Runs the plan, recording its kernels for replays. */
  #runRecorded(inputs: readonly Value[]): Value[] {
    const { outputs, program } = withBackend(this.#backend, () => recordKernels(() => this.#runThroughEngine(inputs) as Tensor[], {
      inputs: inputs as Tensor[],
      constants: [...this.#constants.values()] as Tensor[],
    }));
    this.#program = program;
    return outputs;
  }

  /**
   * Runs the plan once (twice on wasm when it has kernels no replay has run yet; more on wasm and cpu while a cheap
   * graph's runs get faster) on zero inputs and drops the results, so that the backends' one-time work for each kernel
   * and shape is done before the first dispatch: webgl compiles its shader programs, wasm sets up its XNNPACK
   * operators (packing their weights), and the code of the kernels run gets compiled by V8. Zeros are not the inputs
   * dispatches will see: an error here is left to them, which report what goes wrong on theirs. On webgl and webgpu,
   * returns a promise that settles when the last run's results have been read back.
   */
  warmUp(): Promise<void> | undefined {
    const feeds: Value[] = [];
    let results = null as Value[] | null;
    let readingBack = false;
    try {
      for (const s of this.#inputSlotList) {
        const { dataType, shape } = this.#descs[s]!;
        const home = this.#homes[s]!;
        // Uploaded and read back as writeTensor() and readTensor() do: webgl has shader programs for those too.
        const zeros = storageDtypeOf(dataType) === 'float32' ? new Float32Array(elementCount(shape)) : new Int32Array(elementCount(shape));
        feeds.push(home === 'host' ? HostTensor.zeros(dataType, shape) : tensorFromValues(home, zeros, shape, false));
      }
      if (this.#runsAsync) {
        readingBack = true;
        return this.runAsync(feeds).then((held) => {
          this.#warmedUp = true;
          for (const t of held.values()) t.dispose();
        }, () => undefined).finally(() => {
          for (const t of feeds.values()) t.dispose();
        });
      }
      this.#runsBeforeRecording = 0;
      const again = (readBack = true): number => {
        if (results) for (const t of results.values()) t.dispose();
        // Cleared first: should the run throw, `finally` must not dispose these again.
        results = null;
        const start = performance.now();
        results = this.run(feeds);
        if (!readBack) return performance.now() - start;
        this.#outputs.forEach(({ home }, i) => {
          const result = results![i]!;
          if (!isHostTensor(result) && !valuesInPlace(result, home)) result.dataSync();
        });
        return performance.now() - start;
      };
      // webgpu refuses synchronous reads (TF.js's dataSync() there returns zeros and breaks the device).
      const readsAsync = this.#backend === 'webgl' || this.#backend === 'webgpu';
      const first = again(!readsAsync);
      // On wasm, a kernel's first replays in a process run slower than later ones: its code is still in V8's
      // baseline tier, recompiled once hot (MobileNetV2, the first graph in a page: first dispatch 2.8x a steady one,
      // 1.03x after one more run here). webgl's one-time work, compiling shader programs, was done by the run above.
      let last = this.#program?.hasUnreplayedKernels && this.#backend === 'wasm' ? again() : first;
      // JavaScript kernels (cpu's, ours) run in V8's interpreter at first and get compiled as they run: a cheap graph
      // runs again while its runs still get markedly faster, within a few milliseconds (a 3-convolution net on cpu:
      // first dispatch 3.6x a steady one after a single run).
      let spent = 0;
      const extraRuns = runsJsKernels(this.#backend) ? WARM_UP_MAX_EXTRA_RUNS : 0;
      for (let runs = 0; runs < extraRuns && spent + last <= WARM_UP_EXTRA_MS; runs++) {
        const next = again();
        spent += next;
        const settled = next > 0.8 * last;
        last = next;
        if (settled) break;
      }
      if (!readsAsync) this.#warmedUp = true;
      if (readsAsync) {
        // Read back asynchronously, as readTensor() reads, which has one-time work of its own: a one-add graph's first
        // dispatch, second graph of a page, took 4.5 ms against 0.1 ms later ones. (Not a replay here too: webgl runs
        // small kernels on the cpu while their inputs are there, so a run after the first would leave the constants on
        // the GPU, and the graph's results would differ in the last bit from those of a graph compiled at dispatch.)
        const held = results!;
        readingBack = true;
        const reads = [...held.values()].map((t) => (isHostTensor(t) ? null : t.data()));
        return Promise.all(reads).then(() => {
          this.#warmedUp = true;
        }, () => undefined).finally(() => {
          for (const t of feeds.values()) t.dispose();
          for (const t of held.values()) t.dispose();
        });
      }
    } catch {
      // Left to the dispatches, which report what goes wrong on their inputs.
    } finally {
      if (!readingBack) {
        for (const t of feeds.values()) t.dispose();
        for (const t of results?.values() ?? []) t.dispose();
      }
    }
    return undefined;
  }

  dispose(): void {
    this.#program?.dispose();
    this.#program = null;
    for (const t of this.#constants.values()) if (!this.#shared.has(t)) t.dispose();
    this.#constants.clear();
    this.#values.length = 0;
  }
}

/**
 * A plan's run recorded once as the TF.js kernels it calls, then replayed by calling those kernels directly. Going
 * through the engine costs more than many kernels themselves: each op converts and checks its arguments, opens a
 * scope, wraps every result in a Tensor and tracks it; a tiny add on wasm takes about 4.5 µs that way against 3 µs
 * for the kernel alone, and on cpu 1.5 µs against 0.4 µs. A replay keeps every intermediate a bare TensorInfo
 * and hands back Tensors only for the outputs.
 *
 * A run can be replayed when it is a fixed sequence of kernels of one backend: its kernels read only graph inputs,
 * the plan's constants, results of earlier kernels, and tensors made during the run from values known without
 * reading any tensor (the scalars and index tables of lowerings, which thereby are made once). A run that reads
 * tensor data, makes tensors by other means, or whose kernels call back into the engine is not recorded.
 */
import { tf } from './backends.js';
import { directJsKernel } from './js-kernels.js';
import { forgetPackedWeights, noteReadByPackingKernel } from './tensor-values.js';
import { directWasmCallsChecked, directWasmKernel, type DirectKernel } from './wasm-direct-kernels.js';

type Tensor = tf.Tensor;
type TensorInfo = tf.TensorInfo;
type KernelBackend = tf.KernelBackend;
/** An optional kernel input the op left out, as the op left it out. */
type Absent<T> = T | null | undefined;

interface KernelCall {
  readonly kernelName: string;
  readonly kernelFunc: tf.KernelFunc;
  /** The call with everything its recorded shapes decide worked out once (wasm-direct-kernels.ts), where there is one. */
  direct: DirectKernel | null;
  readonly attrs: tf.NamedAttrMap;
  /** The names the kernel reads its inputs under, and the operand each is (null or undefined as the op passed it). */
  readonly inputNames: readonly string[];
  readonly inputOperands: readonly Absent<number>[];
  /** Kernels such as Concat take their inputs as an array. */
  readonly inputsAreArray: boolean;
  readonly outputOperands: readonly number[];
  /** The shape and type of each result, as recorded. */
  readonly outputInfos: readonly { readonly shape: readonly number[]; readonly dtype: tf.DataType }[];
  /** Whether a result is an input's data under another shape (Reshape): what it reads lives on in it. */
  readonly aliasesInput: boolean;
  /** Operands whose last reader this kernel is: disposed right after it. */
  readonly release: number[];
}

/**
 * The largest result, and the most bytes in all, a program keeps from one replay to the next (its arena): a small
 * kernel's result costs more to allocate, register and free than to compute (a [1, 32] layerNormalization on wasm).
 */
const ARENA_MAX_ELEMENTS = 1 << 14;
const ARENA_MAX_BYTES = 1 << 20;

/** A kernel of a steady replay (KernelProgram.#runSteady): its inputs, and the arena's tensor or the output it writes. */
interface SteadyKernel {
  readonly runInto: NonNullable<DirectKernel['runInto']>;
  readonly calls: DirectKernel['calls'];
  /** The kernel's input list, as the last full replay filled it. */
  readonly args: Absent<TensorInfo>[];
  readonly arena: TensorInfo | undefined;
  /** The output (by position) it writes where `arena` is undefined. */
  readonly output: number;
}

/** What a replay reads that the run does not make: the plan's inputs and constants. */
export interface ReplayOperands {
  readonly inputs: readonly Tensor[];
  readonly constants: readonly Tensor[];
}

/** Why recording a run failed: the run itself went on normally, only its program is not kept. */
class NotReplayable extends Error {}

interface EnginePrivates {
  runKernel(name: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap): Tensor | Tensor[];
  makeTensor(values: unknown, shape: number[], dtype: tf.DataType, backend?: KernelBackend): Tensor;
  makeTensorFromTensorInfo(info: TensorInfo, backend?: KernelBackend): Tensor;
  makeTensorFromDataId(dataId: object, shape: number[], dtype: tf.DataType, backend?: KernelBackend): Tensor;
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
  keep<T extends Tensor>(t: T): T;
  backend: KernelBackend;
  backendName: string;
  state: { profiling: boolean; tensorInfo: WeakMap<object, { backend: KernelBackend }> };
}

const engine = (): EnginePrivates => tf.engine() as unknown as EnginePrivates;

/**
 * Kernel functions some replay has run: a kernel's first runs in a process are slower (wasm code starts in V8's
 * baseline tier and is recompiled once hot), which build() pays for rather than the first dispatch (graph/plan.ts).
 */
const replayedKernels = new WeakSet<tf.KernelFunc>();

/** The kernels of one recorded run, with the tensors it made from known values (owned here). */
export class KernelProgram {
  readonly #backend: KernelBackend;
  readonly #calls: readonly KernelCall[];
  /** Operand slots: inputs first, then constants, then captured tensors, then kernel results. */
  readonly #operandCount: number;
  readonly #inputCount: number;
  /** The first operand slot of a kernel result (after inputs, constants and captured tensors). */
  readonly #firstResult: number;
  readonly #fixed: readonly Tensor[];
  readonly #captured: readonly Tensor[];
  readonly #outputOperands: readonly number[];
  readonly #values: (TensorInfo | undefined)[];
  /** One input map per kernel, filled in anew by each replay (kernels do not keep it). */
  readonly #inputMaps: (Record<string, Absent<TensorInfo>> | Absent<TensorInfo>[])[];
  /** Per kernel, the tensor its result is written into by every replay, where it is one of the arena's. */
  readonly #arena: (TensorInfo | undefined)[];
  /** Per operand, whether it is an arena tensor (never disposed by a replay). */
  readonly #inArena: boolean[];
  /**
   * Per kernel, whether replays skip it: a kernel handing back, under another shape, the data of an operand the
   * program does not make (an input or a constant), read only by kernels in a direct form, which took their shapes
   * from the recording. Its result is then that operand's own TensorInfo, borrowed (never disposed by a replay).
   */
  readonly #skipped: readonly boolean[];
  readonly #borrowed: boolean[];
  /** Per program output, the kernel computing it where that kernel can write into a tensor it is given, else -1. */
  readonly #outputWriters: readonly number[];
  /** Per kernel, during a replay, the caller's tensor it writes its result into, if any. */
  readonly #destinations: (Tensor | undefined)[];
  /** The inputs (by position), and the outputs (by position), that a kernel which may pack weights reads. */
  readonly #packedInputs: readonly number[];
  readonly #packedOutputs: readonly number[];
  /** A replay ran to its end: its kernels are in replayedKernels. */
  #replayed = false;
  /**
   * Where every kernel a replay runs writes into a tensor it is given (the arena's or the caller's), those kernels:
   * then a replay on the same tensors as the last one, written into as well, reads and writes the same tensors as it
   * did (#runSteady). Else null.
   */
  readonly #steadyKernels: readonly SteadyKernel[] | null;
  /** The inputs and the caller's output tensors of the last replay, where it wrote every output into those. */
  #lastInputs: readonly Tensor[] | null = null;
  #lastInto: readonly Tensor[] | null = null;
  /** What a replay on the last one's tensors does, as calls with their arguments bound (#stepsOf); made by the first. */
  #steadySteps: (() => void)[] | null = null;

  constructor(backend: KernelBackend, calls: KernelCall[], inputCount: number, fixed: readonly Tensor[],
    captured: readonly Tensor[], operandCount: number, outputOperands: readonly number[]) {
    this.#backend = backend;
    this.#calls = calls;
    this.#inputCount = inputCount;
    this.#fixed = fixed;
    this.#captured = captured;
    this.#operandCount = operandCount;
    this.#outputOperands = outputOperands;
    this.#firstResult = inputCount + fixed.length + captured.length;
    this.#values = new Array<TensorInfo | undefined>(operandCount);
    this.#inputMaps = calls.map((c) => (c.inputsAreArray || c.direct ? new Array<Absent<TensorInfo>>(c.inputNames.length) : {}));
    this.#inArena = new Array<boolean>(operandCount).fill(false);
    this.#borrowed = new Array<boolean>(operandCount).fill(false);
    this.#skipped = this.#planSkipped();
    this.#arena = this.#planArena();
    this.#planReleases();
    this.#outputWriters = outputOperands.map((o) => calls.findIndex((call) =>
      call.outputOperands.length === 1 && call.outputOperands[0] === o && call.direct?.runInto !== undefined));
    this.#destinations = new Array<Tensor | undefined>(calls.length);
    const packed = this.#readByPackingKernels();
    this.#packedInputs = Array.from({ length: inputCount }, (_, i) => i).filter((i) => packed.has(i));
    this.#packedOutputs = outputOperands.flatMap((o, i) => (packed.has(o) ? [i] : []));
    this.#steadyKernels = this.#planSteadyKernels();
  }

  #planSteadyKernels(): SteadyKernel[] | null {
    const kernels: SteadyKernel[] = [];
    for (let c = 0; c < this.#calls.length; c++) {
      if (this.#skipped[c]) continue;
      const runInto = this.#calls[c]!.direct?.runInto;
      const arena = this.#arena[c];
      const output = this.#outputWriters.indexOf(c);
      if (!runInto || (arena === undefined && output < 0)) return null;
      kernels.push({ runInto, calls: this.#calls[c]!.direct!.calls, args: this.#inputMaps[c] as Absent<TensorInfo>[], arena, output });
    }
    return kernels;
  }

  /** Which kernels replays skip (#skipped), marking their results borrowed. */
  #planSkipped(): boolean[] {
    const outputs = new Set(this.#outputOperands);
    const readByOthers = new Set<number>();
    for (const call of this.#calls) {
      if (!call.direct) for (const o of call.inputOperands) if (o != null) readByOthers.add(o);
    }
    return this.#calls.map((call) => {
      const source = call.inputOperands.length === 1 ? call.inputOperands[0] : null;
      const result = call.outputOperands.length === 1 ? call.outputOperands[0]! : -1;
      const skipped = call.aliasesInput && call.direct !== null && source != null && source < this.#firstResult &&
        result >= 0 && !outputs.has(result) && !readByOthers.has(result);
      if (skipped) this.#borrowed[result] = true;
      return skipped;
    });
  }

  /**
   * The operands a kernel that may keep weights packed from its inputs reads (one not known to keep nothing, and not
   * one handing back its input's data), itself or through other kernels' aliases of it (same data id).
   */
  #readByPackingKernels(): Set<number> {
    const read = new Set<number>();
    for (let c = this.#calls.length - 1; c >= 0; c--) {
      const call = this.#calls[c]!;
      const packs = !call.direct?.keepsNothing && !call.aliasesInput;
      if (!packs && !(call.aliasesInput && call.outputOperands.some((o) => read.has(o)))) continue;
      for (const o of call.inputOperands) if (o != null) read.add(o);
    }
    return read;
  }

  /**
   * Whether kernel `c` may write its result over `t`'s values: a tensor of its backend, type and shape, whose memory
   * no other tensor shares (so no input of the replay either).
   */
  #writableInto(t: Tensor, c: number): boolean {
    const { shape, dtype } = this.#calls[c]!.outputInfos[0]!;
    if (t.isDisposed || t.dtype !== dtype || !tf.util.arraysEqual(t.shape, shape as number[])) return false;
    return engine().state.tensorInfo.get(t.dataId)?.backend === this.#backend && this.#backend.refCount(t.dataId) === 1;
  }

  /**
   * Which kernels write into tensors the program keeps (ARENA_MAX_ELEMENTS): those with a direct form that takes its
   * output, whose results are small, reach no output of the program, not even as another kernel's alias of them (an
   * output is handed to the caller, and the next replay would write over it), and are read only by kernels that keep
   * nothing made from them (a convolution keeps its filter packed, by the tensor's id, until the id is disposed).
   */
  #planArena(): (TensorInfo | undefined)[] {
    const arena = new Array<TensorInfo | undefined>(this.#calls.length);
    const maker = this.#backend as unknown as Partial<{ makeOutput(shape: number[], dtype: tf.DataType): TensorInfo }>;
    if (typeof maker.makeOutput !== 'function') return arena;
    const escaping = new Set(this.#outputOperands);
    for (let c = this.#calls.length - 1; c >= 0; c--) {
      const call = this.#calls[c]!;
      if (!call.aliasesInput || !call.outputOperands.some((o) => escaping.has(o))) continue;
      for (const o of call.inputOperands) if (o != null) escaping.add(o);
    }
    const keptFrom = new Set<number>();
    for (const call of this.#calls) {
      if (call.direct?.keepsNothing) continue;
      for (const o of call.inputOperands) if (o != null) keptFrom.add(o);
    }
    let bytes = 0;
    this.#calls.forEach((call, c) => {
      const o = call.outputOperands[0]!;
      if (!call.direct?.runInto || call.outputOperands.length !== 1 || escaping.has(o) || keptFrom.has(o)) return;
      const { shape, dtype } = call.outputInfos[0]!;
      const size = tf.util.sizeFromShape(shape as number[]);
      const byteSize = size * (dtype === 'bool' ? 1 : 4);
      if (size === 0 || size > ARENA_MAX_ELEMENTS || bytes + byteSize > ARENA_MAX_BYTES) return;
      bytes += byteSize;
      arena[c] = maker.makeOutput!([...shape], dtype);
      this.#inArena[o] = true;
    });
    return arena;
  }

  get kernelCount(): number {
    return this.#calls.length;
  }

  /** How many of its kernels a replay calls in a direct form, not as TF.js registered them. */
  get directKernelCount(): number {
    return this.#calls.filter((c) => c.direct).length;
  }

  /** Whether a kernel of the program has not yet been run by a replay (of any program) in this process. */
  get hasUnreplayedKernels(): boolean {
    return this.#calls.some((call) => !replayedKernels.has(call.kernelFunc));
  }

  /** Each kernel result is disposed by its last reader; outputs and results nobody reads are handled by run(). */
  #planReleases(): void {
    const firstResult = this.#firstResult;
    const lastReader = new Map<number, KernelCall>();
    for (const call of this.#calls) for (const o of call.inputOperands) if (o != null && o >= firstResult) lastReader.set(o, call);
    const outputs = new Set(this.#outputOperands);
    const released = (o: number) => !outputs.has(o) && !this.#inArena[o] && !this.#borrowed[o];
    for (const call of this.#calls) {
      for (const o of call.outputOperands) if (released(o) && !lastReader.has(o)) call.release.push(o);
    }
    for (const [o, call] of lastReader) if (released(o)) call.release.push(o);
  }

  /**
   * Replays the run on `inputs` (the plan's inputs in the recorded order) and returns its outputs, fresh Tensors the
   * caller owns; or, where `into` (by output) gives a tensor the kernel computing that output can write over (see
   * #writableInto), that tensor itself, its values replaced. Nothing else stays behind, also when a kernel throws.
   */
  run(inputs: readonly Tensor[], into: readonly (Tensor | undefined)[] = []): Tensor[] {
    if (this.#lastInputs !== null && this.#sameAsLast(inputs, into)) return this.#runSteady(inputs, into as readonly Tensor[]);
    this.#lastInputs = null;
    this.#lastInto = null;
    this.#steadySteps = null;
    const outputs = this.#runInFull(inputs, into);
    if (this.#steadyKernels !== null && outputs.every((t, i) => t === into[i])) {
      this.#lastInputs = [...inputs];
      this.#lastInto = [...outputs];
    }
    return outputs;
  }

  /**
   * Whether a replay on `inputs` into `into` reads and writes the tensors the last one did: the same inputs, and the
   * same output tensors, each still one the kernel computing it may write over (#writableInto: the caller's tensor,
   * not disposed, on its backend, its memory shared with no other tensor).
   */
  #sameAsLast(inputs: readonly Tensor[], into: readonly (Tensor | undefined)[]): boolean {
    const lastInputs = this.#lastInputs!;
    const lastInto = this.#lastInto!;
    if (inputs.length !== lastInputs.length || into.length !== lastInto.length) return false;
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i]!;
      if (t !== lastInputs[i] || t.isDisposed) return false;
    }
    for (let i = 0; i < into.length; i++) {
      const t = into[i];
      if (t !== lastInto[i] || t.isDisposed || this.#backend.refCount(t.dataId) !== 1) return false;
    }
    return true;
  }

  /**
   * A replay on the tensors of the last one (#sameAsLast), which wrote every result into the arena or an output: each
   * kernel reads the tensors that replay handed it (still in #inputMaps) and writes where it wrote, so its work is the
   * same calls with the same arguments, made once into steps (#stepsOf). On small graphs a full replay's bookkeeping
   * and the kernels' own (inputs' addresses, attributes) cost more than their arithmetic: ONNX Runtime's keyword head,
   * five kernels, measured in its runs: 0.7-1.1 us less a dispatch without the first, 1.2-1.5 us less without the
   * second.
   */
  #runSteady(inputs: readonly Tensor[], into: readonly Tensor[]): Tensor[] {
    const steps = this.#steadySteps ??= this.#stepsOf(into);
    for (let i = 0; i < steps.length; i++) steps[i]!();
    for (let i = 0; i < this.#packedInputs.length; i++) noteReadByPackingKernel(inputs[this.#packedInputs[i]!]!.dataId);
    for (let i = 0; i < this.#packedOutputs.length; i++) noteReadByPackingKernel(into[this.#packedOutputs[i]!]!.dataId);
    const outputs: Tensor[] = [];
    for (let i = 0; i < into.length; i++) outputs.push(into[i]!);
    return outputs;
  }

  /**
   * A steady replay's work on the output tensors `into`: each kernel's calls into our wasm kernels where that is all it
   * does (DirectKernel.calls), else its run into its tensor; after a write into the caller's tensor, the weights packed
   * from its old values dropped (forgetPackedWeights), as a full replay does.
   */
  #stepsOf(into: readonly Tensor[]): (() => void)[] {
    const steps: (() => void)[] = [];
    const backend = this.#backend;
    for (const { runInto, calls, args, arena, output } of this.#steadyKernels!) {
      const target = arena ?? into[output]!;
      const recorded = calls?.(args, target) ?? null;
      if (recorded) steps.push(...recorded);
      else steps.push(() => runInto(args, target));
      if (arena === undefined) steps.push(() => forgetPackedWeights(backend, target.dataId));
    }
    return steps;
  }

  #runInFull(inputs: readonly Tensor[], into: readonly (Tensor | undefined)[]): Tensor[] {
    const values = this.#values;
    const backend = this.#backend;
    const firstResult = this.#firstResult;
    const destinations = this.#destinations;
    for (let i = 0; i < into.length; i++) {
      const t = into[i];
      const c = this.#outputWriters[i]!;
      if (t !== undefined && c >= 0 && this.#writableInto(t, c)) destinations[c] = t;
    }
    for (let i = 0; i < this.#inputCount; i++) values[i] = inputs[i];
    for (const i of this.#packedInputs) noteReadByPackingKernel(inputs[i]!.dataId);
    for (let i = 0; i < this.#fixed.length; i++) values[this.#inputCount + i] = this.#fixed[i];
    for (let i = 0; i < this.#captured.length; i++) values[this.#inputCount + this.#fixed.length + i] = this.#captured[i];
    try {
      const calls = this.#calls;
      for (let c = 0; c < calls.length; c++) {
        const call = calls[c]!;
        if (this.#skipped[c]) {
          values[call.outputOperands[0]!] = values[call.inputOperands[0]!];
          continue;
        }
        const map = this.#inputMaps[c]!;
        const names = call.inputNames;
        const operands = call.inputOperands;
        if (Array.isArray(map)) {
          for (let i = 0; i < operands.length; i++) map[i] = operandValue(values, operands[i]!);
        } else {
          for (let i = 0; i < names.length; i++) map[names[i]!] = operandValue(values, operands[i]!);
        }
        const destination = destinations[c];
        const target = destination ?? this.#arena[c];
        let out: TensorInfo | TensorInfo[];
        if (target) {
          call.direct!.runInto!(map as Absent<TensorInfo>[], target);
          // The caller's tensor may be read by a kernel that packed its old values (arena tensors never are).
          if (destination) forgetPackedWeights(backend, destination.dataId);
          out = target;
        } else {
          out = call.direct ? call.direct.run(map as Absent<TensorInfo>[])
            : call.kernelFunc({ inputs: map as tf.NamedTensorInfoMap, backend, attrs: call.attrs });
        }
        const results = call.outputOperands;
        if (Array.isArray(out)) {
          if (out.length !== results.length) throw new Error(`kernel replay: ${out.length} results, recorded ${results.length}`);
          for (let i = 0; i < results.length; i++) values[results[i]!] = out[i];
        } else {
          values[results[0]!] = out;
        }
        for (const o of call.release) {
          backend.disposeData(values[o]!.dataId);
          values[o] = undefined;
        }
      }
      if (!this.#replayed) {
        this.#replayed = true;
        for (const call of calls) replayedKernels.add(call.kernelFunc);
      }
      // Loops rather than map() and every() with a closure each, on this path and the dispatch's before it: where the
      // code is cold (ONNX Runtime's keyword head, between its own runs) those cost ~1 us a dispatch in all.
      const outputs: Tensor[] = [];
      for (let i = 0; i < this.#outputOperands.length; i++) {
        const o = this.#outputOperands[i]!;
        const c = this.#outputWriters[i]!;
        const destination = c >= 0 ? destinations[c] : undefined;
        outputs.push(destination ?? engine().makeTensorFromTensorInfo(values[o]!, backend));
        values[o] = undefined;
      }
      for (const i of this.#packedOutputs) noteReadByPackingKernel(outputs[i]!.dataId);
      return outputs;
    } finally {
      // After a failure, the results made so far; after success, nothing is left to free. The caller's tensors are
      // the caller's.
      for (const c of this.#outputWriters) {
        const t = c >= 0 ? destinations[c] : undefined;
        if (t !== undefined) values[this.#calls[c]!.outputOperands[0]!] = undefined;
      }
      for (let o = firstResult; o < this.#operandCount; o++) {
        const v = values[o];
        if (v !== undefined && !this.#inArena[o] && !this.#borrowed[o]) backend.disposeData(v.dataId);
      }
      // Loops, not fill(): fill() is a call into the engine's C++, which costs microseconds where its code is cold.
      for (let o = 0; o < values.length; o++) values[o] = undefined;
      for (let c = 0; c < destinations.length; c++) destinations[c] = undefined;
    }
  }

  dispose(): void {
    this.#lastInputs = null;
    this.#lastInto = null;
    this.#steadySteps = null;
    for (const t of this.#captured) t.dispose();
    for (const call of this.#calls) call.direct?.dispose();
    for (const info of this.#arena) if (info) this.#backend.disposeData(info.dataId);
    this.#arena.fill(undefined);
  }
}

function operandValue(values: readonly (TensorInfo | undefined)[], operand: Absent<number>): Absent<TensorInfo> {
  return operand == null ? operand : values[operand]!;
}

/** Whether replays may stand in for the engine now: not while it profiles or checks kernels (DEBUG). */
export function replayAllowed(): boolean {
  return !engine().state.profiling && !tf.env().getBool('DEBUG');
}

/**
 * Runs `run` (one run of a plan on `operands.inputs`, returning its outputs) through the engine as usual, and
 * records its kernels. Returns the outputs and the program, or null as the program when the run cannot be replayed.
 */
export function recordKernels(run: () => Tensor[], operands: ReplayOperands): { outputs: Tensor[]; program: KernelProgram | null } {
  const e = engine();
  const backend = e.backend;
  const backendName = e.backendName;
  const operandOf = new Map<Tensor, number>();
  operands.inputs.forEach((t, i) => operandOf.set(t, i));
  const fixed = [...operands.constants];
  fixed.forEach((t, i) => { if (!operandOf.has(t)) operandOf.set(t, operands.inputs.length + i); });
  const captured: Tensor[] = [];
  /** Kernel results get their operand numbers once recording is over, after the captured tensors'. */
  const results: Tensor[] = [];
  const pending: { call: Omit<KernelCall, 'inputOperands' | 'outputOperands'>; inputs: Absent<Tensor>[]; outputs: Tensor[] }[] = [];
  let failure: string | null = null;
  let depth = 0;
  const fail = (why: string): void => { failure ??= why; };

  const original = {
    runKernel: e.runKernel, makeTensor: e.makeTensor, makeTensorFromTensorInfo: e.makeTensorFromTensorInfo,
    makeTensorFromDataId: e.makeTensorFromDataId, readSync: e.readSync, read: e.read,
  };
  const shadowed = ownProperties(e, Object.keys(original));
  e.runKernel = function runKernel(this: EnginePrivates, name, inputs, attrs) {
    if (depth > 0) {
      fail(`a kernel runs ${name} through the engine`);
      return original.runKernel.call(this, name, inputs, attrs);
    }
    const kernel = tf.getKernel(name, e.backendName);
    if (this.backend !== backend) fail(`${name} runs on another backend`);
    depth++;
    let out: Tensor | Tensor[];
    try {
      out = original.runKernel.call(this, name, inputs, attrs);
    } finally {
      depth--;
    }
    if (!kernel) return out;
    const outputs = Array.isArray(out) ? out : [out];
    const inputsAreArray = Array.isArray(inputs);
    const entries = Object.entries(inputs as Record<string, Absent<Tensor>>);
    pending.push({
      call: {
        kernelName: name, kernelFunc: kernel.kernelFunc, direct: null, attrs: attrs ?? {}, inputNames: entries.map(([n]) => n),
        inputsAreArray, release: [],
        outputInfos: outputs.map((t) => ({ shape: t.shape, dtype: t.dtype })),
        aliasesInput: outputs.some((t) => entries.some(([, input]) => input?.dataId === t.dataId)),
      },
      inputs: entries.map(([, t]) => t),
      outputs,
    });
    for (const t of outputs) results.push(t);
    return out;
  } as EnginePrivates['runKernel'];
  e.makeTensor = function makeTensor(this: EnginePrivates, values, shape, dtype, b) {
    const t = original.makeTensor.call(this, values, shape, dtype, b);
    if (depth === 0) captured.push(e.keep(t));
    return t;
  } as EnginePrivates['makeTensor'];
  e.makeTensorFromTensorInfo = function makeTensorFromTensorInfo(this: EnginePrivates, info, b) {
    if (depth === 0) fail('a tensor is made from another one\'s data');
    return original.makeTensorFromTensorInfo.call(this, info, b);
  } as EnginePrivates['makeTensorFromTensorInfo'];
  e.makeTensorFromDataId = function makeTensorFromDataId(this: EnginePrivates, dataId, shape, dtype, b) {
    if (depth === 0) fail('a tensor is made from another one\'s data');
    return original.makeTensorFromDataId.call(this, dataId, shape, dtype, b);
  } as EnginePrivates['makeTensorFromDataId'];
  e.readSync = function readSync(this: EnginePrivates, dataId) {
    fail('the run reads tensor data');
    return original.readSync.call(this, dataId);
  } as EnginePrivates['readSync'];
  e.read = function read(this: EnginePrivates, dataId) {
    fail('the run reads tensor data');
    return original.read.call(this, dataId);
  } as EnginePrivates['read'];

  let outputs: Tensor[];
  try {
    outputs = run();
  } catch (error) {
    for (const t of captured) t.dispose();
    throw error;
  } finally {
    restore(e, shadowed);
  }

  try {
    if (captured.some((t) => t.isDisposed)) fail('the run disposes a tensor it made');
    const firstResult = operands.inputs.length + fixed.length;
    captured.forEach((t, i) => operandOf.set(t, firstResult + i));
    let next = firstResult + captured.length;
    for (const t of results) operandOf.set(t, next++);
    const operandCount = next;
    const calls: KernelCall[] = pending.map(({ call, inputs, outputs: outs }) => ({
      ...call,
      inputOperands: inputs.map((t) => {
        if (t == null) return t;
        const o = operandOf.get(t);
        if (o === undefined) throw new NotReplayable(`a kernel reads a tensor the run did not make`);
        return o;
      }),
      outputOperands: outs.map((t) => operandOf.get(t)!),
    }));
    const outputOperands = outputs.map((t) => {
      const o = operandOf.get(t);
      if (o === undefined || o < firstResult + captured.length) throw new NotReplayable('an output is not a kernel result');
      return o;
    });
    if (new Set(outputOperands).size !== outputOperands.length) throw new NotReplayable('two outputs are one tensor');
    if (failure !== null) throw new NotReplayable(failure);
    if (backendName === 'wasm') {
      const checked = directWasmCallsChecked();
      // The plan's constants and the tensors made from known values: the same values in every replay.
      const firstKernelResult = firstResult + captured.length;
      pending.forEach(({ call, inputs, outputs: outs }, i) => {
        const constant = calls[i]!.inputOperands.map((o) => o != null && o >= operands.inputs.length && o < firstKernelResult);
        const recorded = { name: call.kernelName, inputNames: call.inputNames, inputs, attrs: call.attrs, outputs: outs, constant };
        calls[i]!.direct = directJsKernel(backend, call.kernelFunc, recorded) ?? (checked ? directWasmKernel(backend, recorded) : null);
      });
    }
    return { outputs, program: new KernelProgram(backend, calls, operands.inputs.length, fixed, captured, operandCount, outputOperands) };
  } catch (error) {
    if (!(error instanceof NotReplayable)) throw error;
    // Kept while recording; a run that is not recorded leaves them to its tf.tidy(), so they go now.
    for (const t of captured) if (!outputs.includes(t)) t.dispose();
    return { outputs, program: null };
  }
}

/** The engine's own properties among `keys` (a test or tool may have replaced a method), to put back as found. */
function ownProperties(e: EnginePrivates, keys: readonly string[]): Map<string, PropertyDescriptor | undefined> {
  return new Map(keys.map((k) => [k, Object.getOwnPropertyDescriptor(e, k)]));
}

function restore(e: EnginePrivates, properties: ReadonlyMap<string, PropertyDescriptor | undefined>): void {
  for (const [key, descriptor] of properties) {
    if (descriptor) Object.defineProperty(e, key, descriptor);
    else delete (e as unknown as Record<string, unknown>)[key];
  }
}

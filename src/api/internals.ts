/** The internal slots of the WebNN objects ([[context]], [[isDestroyed]], ...), kept apart from the public classes. */
import type * as tfc from '@tensorflow/tfjs-core';
import { invalidStateError, typeError } from '../errors.js';
import { elementCount, type OperandDescriptor } from '../graph/ir.js';
import type { Plan } from '../graph/plan.js';
import type { DynamicGraph } from '../dynamic/dynamic-graph.js';
import type { HostTensor } from '../types/host-tensor.js';
import type { BackendName } from '../runtime/backends.js';
import { withBackend } from '../runtime/placement.js';
import { checkBackendLost, whenBackendLost } from '../runtime/backend-loss.js';
import type { GpuDeviceBackend } from '../runtime/gpu-device-backend.js';
import { tfjsWebgpuLimits, webgpuTensorByteLimit } from '../runtime/webgpu-start.js';
import { MAX_TENSOR_BYTE_LENGTH } from '../ops/check-dimensions.js';
import { type Job, Timeline, timelineLimits, type Settle, type TimelineOwner } from '../runtime/timeline.js';
import type { MLPowerPreference } from '../runtime/select.js';
import type { MLContextLostInfo } from './context-lost-info.js';

export class ContextState implements TimelineOwner {
  /** "is lost": [[lost]] is settled. */
  isLost = false;
  readonly lost: Promise<MLContextLostInfo>;
  readonly #resolveLost: (info: MLContextLostInfo) => void;
  readonly graphs = new Set<GraphState>();
  readonly tensors = new Set<TensorState>();
  /** The context's [[timeline]]: its own, so that what fails or hangs on it holds up no other context. */
  readonly #timeline = new Timeline(this);
  readonly #stopWatchingBackend: () => void;
  /** Jobs of a context on a GPUDevice handed to its timeline and not yet settled (see #submit). */
  #queued = 0;

  /** `device`: the app's GPUDevice the context was made on (then `backend` is 'webgpu'), or null. */
  constructor(readonly backend: BackendName, readonly accelerated: boolean, readonly powerPreference: MLPowerPreference,
    readonly device: GpuDeviceBackend | null = null) {
    let resolve!: (info: MLContextLostInfo) => void;
    this.lost = new Promise((r) => { resolve = r; });
    this.#resolveLost = resolve;
    // Held weakly: a context dropped without destroy() is collected as before, whatever its backend's listeners hold.
    const self = new WeakRef(this);
    const lose = (message: string) => self.deref()?.lose(message);
    this.#stopWatchingBackend = device ? device.whenLost(lose) : whenBackendLost(backend, lose);
  }

  /**
   * The largest tensor of the context, in bytes (opSupportLimits().maxTensorByteLength): on webgpu, what one storage
   * buffer binding of its device holds (float16 held as f32), else 2^31 - 1.
   */
  get maxTensorByteLength(): number {
    if (this.backend !== 'webgpu') return MAX_TENSOR_BYTE_LENGTH;
    return webgpuTensorByteLimit(this.device ? this.device.device.limits : tfjsWebgpuLimits(), MAX_TENSOR_BYTE_LENGTH);
  }

  /** Whether no job waits on the timeline: always true but for contexts on a GPUDevice, which run idle jobs at once. */
  get idle(): boolean {
    return this.#queued === 0;
  }

  /** Whether nothing is queued, running or waited for on the timeline: work done now is done in its place on it. */
  get timelineIdle(): boolean {
    return this.#queued === 0 && this.#timeline.idle;
  }

  /**
   * Hands a job to the timeline. A context on an app's GPUDevice runs it at once instead when the timeline is idle,
   * with TF.js's 'webgpu' standing for its device: exportToGPU() returns its GPUBuffer at once, and WebGPU work the
   * app submits after it must follow, in the device's queue, the dispatches and writes called before it. Other
   * contexts run a job `atOnce` when nothing is queued before it: what the timeline would run next, run now.
   */
  #submit(job: () => unknown, settle: Settle, where: string | null, atOnce = false): void {
    const device = this.device;
    if (!device) {
      if (atOnce && this.#timeline.idle) this.#runNow(job, settle, where, settle);
      else this.#timeline.enqueue(job, settle, where);
      return;
    }
    const bound = () => device.bind(job);
    const done: Settle = (failed, outcome) => {
      this.#queued--;
      settle(failed, outcome);
    };
    if (this.#queued > 0) {
      this.#queued++;
      this.#timeline.enqueue(bound, done, where);
      return;
    }
    this.#runNow(bound, settle, where, done);
  }

  /** Runs a job in its turn on an idle timeline; `whileWaiting` settles it if the timeline must wait for its promise. */
  #runNow(job: () => unknown, settle: Settle, where: string | null, whileWaiting: Settle): void {
    let result: unknown;
    try {
      if (where !== null) this.enter(where);
      result = job();
    } catch (error) {
      settleNow(settle, true, error);
      return;
    }
    if (!isThenable(result)) {
      settleNow(settle, false, result);
      return;
    }
    // The jobs after it wait on the timeline for its promise, as for a job the timeline ran.
    if (this.device) this.#queued++;
    this.#timeline.enqueue(() => result, whileWaiting, where);
  }

  /**
   * Runs `job` on the context's [[timeline]], after every job enqueued before it, with the context's backend TF.js's
   * active one until the job returns (then the backend active before is again): build() compiles with it, uploading
   * constants and running the plan, which would each switch on their own. The job is aborted, and the promise rejected
   * with an InvalidStateError, when the context is lost by the time the job's turn comes.
   */
  enqueue<T>(where: string, job: () => T | Promise<T>): Promise<T> {
    const run = () => withBackend(this.backend, job);
    return new Promise<T>((resolve, reject) => {
      this.#submit(run, (failed, outcome) => (failed ? reject(outcome) : resolve(outcome as T)), where);
    });
  }

  /**
   * Runs `job` as enqueue() does, handing its outcome to `settle` (in the same microtask) instead of to a promise, and
   * without switching TF.js's backend: dispatch, read and write jobs need none (Plan.run() switches for the steps it
   * runs through the engine; a replay calls the kernels on their backend; a tensor is read by the backend holding it).
   */
  enqueueSettled(where: string, job: () => unknown, settle: Settle): void {
    this.#submit(job, settle, where);
  }

  /** enqueueSettled() for a job made as one object (a read: one allocation where enqueueSettled() takes three). */
  enqueueJob(job: Job & { readonly where: string }): void {
    if (this.device) this.#submit(() => job.run(), (failed, outcome) => job.settle(failed, outcome), job.where);
    else this.#timeline.enqueueJob(job);
  }

  /**
   * enqueueSettled() for a dispatch: on an idle timeline it runs now, in dispatch(), where the timeline would run it
   * next. Nothing the caller can observe tells the two apart but the time: its results are read through later jobs,
   * and a failure loses the context either way. ONNX Runtime's runs of small models pay for the microtask otherwise.
   */
  runSettled(where: string, job: () => unknown, settle: Settle): void {
    this.#submit(job, settle, where, true);
  }

  /** Runs `job` on the timeline after the jobs enqueued before it, even once the context is lost (releasing memory). */
  enqueueRelease(job: () => void): void {
    this.#submit(job, ignoreOutcome, null);
  }

  /**
   * What a dispatch or write that fails on the timeline (a kernel throws, an allocation fails) leaves behind cannot be
   * trusted: its output tensors would keep the previous results, and a read would return them as if they were this
   * one's. The spec gives dispatch() and writeTensor() no error channel (webnn#778); as Chromium does, the context is
   * lost, with the error as the message. A job aborted because the context was lost already changes nothing.
   */
  #loseAfterFailure(where: string, error: unknown): void {
    if (this.isLost) return;
    console.error(`WebNN ${where} failed; the context is lost:`, error);
    this.lose(`${where} failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** The settle of dispatch() jobs (one function per context: dispatch() allocates none). */
  readonly settleDispatch: Settle = (failed, error) => {
    if (failed) this.#loseAfterFailure('MLContext.dispatch', error);
  };

  readonly settleWrite: Settle = (failed, error) => {
    if (failed) this.#loseAfterFailure('MLContext.writeTensor', error);
  };

  /**
   * TimelineOwner: a job of a lost context is aborted. A device lost since the last job (its loss event comes later, as
   * a task) loses the context now, before the job computes garbage. TF.js's active backend is left as the app set it:
   * the jobs that need their backend active switch to it and back themselves.
   */
  enter(where: string): void {
    if (this.isLost || checkBackendLost(this.backend)) throw invalidStateError(where, 'the context is lost');
  }

  /** TimelineOwner: a job waited too long for the backend (a readback that cannot finish). */
  stalled(): void {
    // A lost device loses every context on the backend, this one included.
    if (checkBackendLost(this.backend)) return;
    this.lose(`a job on the TF.js ${this.backend} backend did not finish within ${timelineLimits.stallMs} ms`);
  }

  /**
   * The spec's "lose": resolve [[lost]], then destroy every graph and tensor of the context. The job the timeline
   * waits for, if any, is given up with an InvalidStateError, and the jobs after it are aborted.
   */
  lose(message: string): void {
    if (this.isLost) return;
    this.isLost = true;
    this.#stopWatchingBackend();
    this.#resolveLost({ message });
    for (const graph of [...this.graphs]) graph.destroy();
    for (const tensor of [...this.tensors]) tensor.destroy();
    this.#timeline.release(invalidStateError('MLContext', `the context is lost: ${message}`));
  }
}

const ignoreOutcome: Settle = () => undefined;

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/** Settles a job run at once; as on the timeline, nothing a settle callback throws reaches the caller. */
function settleNow(settle: Settle, failed: boolean, outcome: unknown): void {
  try {
    settle(failed, outcome);
  } catch {
    // A settle callback only resolves, rejects or reports.
  }
}

export class TensorState {
  destroyed = false;
  /**
   * The data, in storage dtype, on the backend that holds the context's values of its data type (runtime/placement.ts:
   * a webgl context keeps int32 on the cpu backend), or on the host for uint32, int64 and uint64 (types/host-tensor.ts);
   * null until the timeline has allocated it.
   */
  data: tfc.Tensor | HostTensor | null = null;
  /**
   * [[pendingPromises]]: the reject functions of reads not yet settled (an array: a tensor rarely has more than one,
   * and a Set costs a hash of each new function).
   */
  readonly pendingReads: ((error: Error) => void)[] = [];
  /** A tensor of createExportableTensor(): gives WebGPU's buffer back, if exported, when destroyed (api/gpu-export.ts). */
  endExport: (() => void) | null = null;

  /** The number of elements of its shape: worked out once, for the checks of every read and write. */
  readonly elementCount: number;

  constructor(readonly context: ContextState, readonly desc: OperandDescriptor, readonly readable: boolean,
    readonly writable: boolean, readonly constant: boolean) {
    this.elementCount = elementCount(desc.shape);
    context.tensors.add(this);
  }

  /** Takes a read off the pending ones: false where destroy() has rejected it already. */
  settleRead(reject: (error: Error) => void): boolean {
    const at = this.pendingReads.indexOf(reject);
    if (at < 0) return false;
    this.pendingReads.splice(at, 1);
    return true;
  }

  replaceData(next: tfc.Tensor | HostTensor): void {
    const previous = this.data;
    this.data = next;
    if (previous !== next) previous?.dispose();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    forgetCollection(this);
    this.context.tensors.delete(this);
    this.endExport?.();
    const pending = this.pendingReads.splice(0);
    for (const reject of pending) reject(invalidStateError('MLTensor.destroy', 'the tensor was destroyed while a read was pending'));
    // Released on the timeline, after the work already enqueued that may still use it (even when the context is lost).
    this.context.enqueueRelease(() => {
      const data = this.data;
      this.data = null;
      data?.dispose();
    });
  }
}

export class GraphState {
  destroyed = false;

  /**
   * A static graph has its plan; a graph built with the dynamic-shape proposal on has `dynamic` instead (then
   * `inputs` and `outputs` give data types, and shapes only where static).
   */
  constructor(readonly context: ContextState, readonly plan: Plan | null, readonly inputs: ReadonlyMap<string, OperandDescriptor>,
    readonly outputs: ReadonlyMap<string, OperandDescriptor>, readonly dynamic: DynamicGraph | null = null) {
    context.graphs.add(this);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    forgetCollection(this);
    this.context.graphs.delete(this);
    // Dispatches enqueued before destroy() still run; the plan's constants are released after them.
    this.context.enqueueRelease(() => {
      this.plan?.dispose();
      this.dynamic?.dispose();
    });
  }
}

/**
 * MLTensor and MLGraph objects dropped without destroy() give their TF.js memory back once collected. Best effort:
 * collection may come late or never, so destroy() remains the way to release memory promptly.
 */
const released = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<TensorState | GraphState>((state) => state.destroy())
  : null;

export function releaseWhenCollected(owner: object, state: TensorState | GraphState): void {
  released?.register(owner, state, state);
}

function forgetCollection(state: TensorState | GraphState): void {
  released?.unregister(state);
}

/** WeakMap-backed slot access; a missing entry is the WebIDL "Illegal invocation" TypeError. */
export class Slots<T> {
  readonly #map = new WeakMap<object, T>();

  constructor(readonly interfaceName: string) {}

  set(owner: object, value: T): void {
    this.#map.set(owner, value);
  }

  has(owner: unknown): boolean {
    return typeof owner === 'object' && owner !== null && this.#map.has(owner);
  }

  get(owner: unknown, where: string): T {
    const value = typeof owner === 'object' && owner !== null ? this.#map.get(owner) : undefined;
    if (value === undefined) throw typeError(where, `not an ${this.interfaceName}`);
    return value;
  }

  find(owner: unknown): T | undefined {
    return typeof owner === 'object' && owner !== null ? this.#map.get(owner) : undefined;
  }
}

export const contextSlots = new Slots<ContextState>('MLContext');
export const tensorSlots = new Slots<TensorState>('MLTensor');
export const graphSlots = new Slots<GraphState>('MLGraph');

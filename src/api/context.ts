import { invalidStateError, typeError, unknownError } from '../errors.js';
import { describe, elementCount, type OperandDescriptor } from '../graph/ir.js';
import { tf } from '../runtime/backends.js';
import { homeBackend } from '../runtime/placement.js';
import { overwriteInPlace, tensorFromValues, valuesInPlace, type StorageValues } from '../runtime/tensor-values.js';
import { bytesOverHost, bytesToHost, hostToBytes, smallToByteArray, storageToBytes, storageValuesOf } from '../types/convert.js';
import { HostTensor, isHostTensor, isHostType, type HostValues } from '../types/host-tensor.js';
import type { Plan, Value } from '../graph/plan.js';
import type { DynamicGraph } from '../dynamic/dynamic-graph.js';
import {
  bufferMismatch, byteLengthOf, byteSizeOf, bytesOf, isBufferSource, isDetached, storageDtypeOf, type BufferSource,
} from '../types/data-type.js';
import { checkDimensions } from '../ops/check-dimensions.js';
import { sameDescriptor, toOperandDescriptor } from './descriptor.js';
import { checkCreateToken, CREATE, finishInterface, promiseFrom } from './interface.js';
import {
  contextSlots, graphSlots, tensorSlots, TensorState, type ContextState, type GraphState,
} from './internals.js';
import { dispatchFaultCheck, readHangs, writeFaultCheck } from '../runtime/faults.js';
import { checkBackendLost } from '../runtime/backend-loss.js';
import type { GpuDeviceBackend } from '../runtime/gpu-device-backend.js';
import { checkExportable, exportToGPU as exportTensorToGPU, makeExportable, takeBackFromGPU } from './gpu-export.js';
import { IO_DATA_TYPES, opSupportLimits, type MLOpSupportLimits } from './limits.js';
import { createTensorObject, type MLTensor } from './tensor.js';
import type { MLGraph } from './graph.js';
import type { MLOperandDescriptor, MLTensorDescriptor } from './descriptor.js';
import { type RecordEntries, requireArgs, toBoolean, toDictionary, toRecordEntries } from '../webidl.js';
import type { MLContextLostInfo } from './context-lost-info.js';

/** The `AllowSharedBufferSource` the WebNN methods take (a Float16Array, native or @petamoriken/float16's, too). */
export type AllowSharedBufferSource = ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

/**
 * What exportToGPU() returns, a WebGPU GPUBuffer: the global GPUBuffer type where the app's TypeScript has one (the
 * DOM library, @webgpu/types), else its members used here, so that the package's types need no WebGPU types.
 */
export type ExportedGPUBuffer = typeof globalThis extends { GPUBuffer: { prototype: infer B } } ? B
  : { readonly size: number; readonly usage: number; destroy(): undefined };

/** Record<USVString, MLTensor>. */
export type MLNamedTensors = Record<string, MLTensor>;

function toBufferSource(where: string, name: string, value: unknown): BufferSource {
  if (!isBufferSource(value)) throw typeError(where, `${name} is not an ArrayBuffer, SharedArrayBuffer or ArrayBufferView`);
  return value;
}

/**
 * Makes an MLTensor's data on the backend that holds the context's values of its data type (int32 of a webgl context:
 * the cpu backend, where it is exact), where the context's graphs expect it, without switching TF.js's active backend.
 */
function onHomeBackend(ctx: ContextState, desc: OperandDescriptor, values: StorageValues, borrowed: boolean): tf.Tensor {
  const make = () => tensorFromValues(homeBackend(ctx.backend, desc.dataType), values, desc.shape, borrowed);
  // Outside the timeline's jobs, TF.js's 'webgpu' stands for a context's GPUDevice only while bound to it.
  return ctx.device ? ctx.device.bind(make) : make();
}

/**
 * An MLTensor's data made now from the caller's bytes, which are copied once: into the backend (or, for the data types
 * TF.js does not store as they are, into their converted values). A host array for uint32, int64 and uint64, else a
 * TF.js tensor.
 */
function dataFromSource(ctx: ContextState, desc: OperandDescriptor, source: BufferSource): Value {
  const t = desc.dataType;
  const bytes = bytesOf(source);
  if (isHostType(t)) return new HostTensor(t, desc.shape, bytesToHost(bytes, t));
  const { values, borrowed } = storageValuesOf(bytes, t);
  return onHomeBackend(ctx, desc, values, borrowed);
}

/**
 * Writes the caller's bytes over the tensor's values where they are (wasm's heap), with nothing on the timeline before
 * the write: what the write's job would do, done now, without making and freeing a tensor. False where it cannot be.
 */
function writtenInPlace(ctx: ContextState, t: TensorState, source: BufferSource): boolean {
  const data = t.data;
  if (!ctx.timelineIdle || ctx.isLost || ctx.device || !data) return false;
  // A tensor's host values are its own (a plan hands out copies of the inputs it returns): the bytes go over them.
  if (isHostTensor(data)) {
    return isHostType(t.desc.dataType) && data.dataType === t.desc.dataType &&
      bytesOverHost(bytesOf(source), data.values, t.desc.dataType);
  }
  if (isHostType(t.desc.dataType)) return false;
  // Checked before the bytes are converted: elsewhere the write converts them itself.
  const backend = homeBackend(ctx.backend, t.desc.dataType);
  if (backend !== 'wasm') return false;
  const { values } = storageValuesOf(bytesOf(source), t.desc.dataType);
  return overwriteInPlace(data, backend, values);
}

/**
 * An MLTensor's data read out as WebNN bytes into `target`: small data element by element when `target` is an array of
 * bytes, else through a byte view of it.
 */
function dataToBytes(desc: OperandDescriptor, values: ArrayLike<number> | HostValues, target: BufferSource): void {
  if (smallToByteArray(values, desc.dataType, target)) return;
  if (isHostType(desc.dataType)) hostToBytes(values as HostValues, bytesOf(target));
  else storageToBytes(values as ArrayLike<number>, desc.dataType, bytesOf(target));
}

/**
 * Reads an MLTensor's data out as WebNN bytes, on the timeline: into `target` when it is still attached (straight from
 * the backend's memory on wasm and cpu), else into a new ArrayBuffer, which is returned. Webgl reads back
 * asynchronously.
 */
function readOut(ctx: ContextState, desc: OperandDescriptor, data: Value, target: BufferSource | null,
  byteLength: number): ArrayBuffer | undefined | Promise<ArrayBuffer | undefined> {
  const write = (values: ArrayLike<number> | HostValues): ArrayBuffer | undefined => {
    if (!target) {
      const out = new Uint8Array(byteLength);
      dataToBytes(desc, values, out);
      return out.buffer;
    }
    if (!isDetached(target) && byteLengthOf(target) === byteLength) dataToBytes(desc, values, target);
    return undefined;
  };
  if (isHostTensor(data)) return write(data.values);
  if (readHangs()) return new Promise<never>(() => undefined);
  const inPlace = valuesInPlace(data, homeBackend(ctx.backend, desc.dataType));
  if (inPlace) return write(inPlace);
  // A readback that finishes after the device was lost has read garbage: the loss rejects the read instead.
  return data.data().then((values) => {
    if (checkBackendLost(ctx.backend)) throw invalidStateError('MLContext.readTensor', 'the context is lost');
    return write(values);
  }, async (error: unknown) => {
    // A GPUDevice destroyed by the app aborts the read before its loss is known: the loss rejects it instead.
    if (await ctx.device?.lostAfterFailure()) throw invalidStateError('MLContext.readTensor', 'the context is lost');
    throw error;
  });
}

function checkDataTypeSupported(where: string, desc: OperandDescriptor): void {
  if (!IO_DATA_TYPES.includes(desc.dataType)) {
    throw typeError(where, `descriptor.dataType ${desc.dataType} is not supported (supported: ${IO_DATA_TYPES.join(', ')})`);
  }
}

/** A failure of the timeline's own work (not a loss of the context) is the spec's UnknownError. */
function asUnknownError(where: string, error: unknown): Error {
  if (error instanceof DOMException || error instanceof TypeError) return error;
  return unknownError(where, error instanceof Error ? error.message : String(error));
}

/** The converters of dispatch()'s records: each value must be an MLTensor (messages made only when one is not). */
const tensorOf = (record: 'inputs' | 'outputs') => (value: unknown, key: string): TensorState =>
  tensorSlots.find(value) ?? tensorSlots.get(value, `MLContext.dispatch: ${record}['${key}']`);
const inputTensorOf = tensorOf('inputs');
const outputTensorOf = tensorOf('outputs');

/** One record of dispatch()'s bindings: the tensors, each under the name the record binds it to. */
type Bindings = RecordEntries<TensorState>;

/** dispatch() on a context made from a GPUDevice takes its bound tensors back from WebGPU first (api/gpu-export.ts). */
function takeBackBound(ctx: ContextState, ins: Bindings, outs: Bindings): void {
  if (!ctx.device) return;
  takeBackFromGPU(ins.values);
  takeBackFromGPU(outs.values);
}

/**
 * createTensor(), and createExportableTensor() with the context's `device`: a zero-filled tensor, made on the timeline.
 */
function newTensor(where: string, ctx: ContextState, descriptor: MLTensorDescriptor, device: GpuDeviceBackend | null): Promise<MLTensor> {
  const desc = toOperandDescriptor(where, 'descriptor', descriptor);
  const dict = toDictionary<{ readable: unknown; writable: unknown }>(where, 'descriptor', descriptor);
  const readable = toBoolean(dict.readable, false);
  const writable = toBoolean(dict.writable, false);
  if (ctx.isLost) throw invalidStateError(where, 'the context is lost');
  // The spec's createTensor() lacks "check dimensions"; a tensor no graph could bind is rejected here as well.
  checkDimensions(where, desc, 'descriptor.shape', true, ctx.maxTensorByteLength);
  checkDataTypeSupported(where, desc);
  const state = new TensorState(ctx, desc, readable, writable, false);
  if (device) makeExportable(state, device);
  const tensor = createTensorObject(state);
  return new Promise<MLTensor>((resolve, reject) => {
    ctx.enqueueSettled(where, () => {
      if (state.destroyed) return;
      const count = elementCount(desc.shape);
      state.data = isHostType(desc.dataType) ? HostTensor.zeros(desc.dataType, desc.shape)
        : onHomeBackend(ctx, desc, storageDtypeOf(desc.dataType) === 'float32' ? new Float32Array(count) : new Int32Array(count), false);
    }, (failed, error) => (failed ? reject(asUnknownError(where, error)) : resolve(tensor)));
  });
}

/** dispatch()'s checks of its bindings: no MLTensor bound twice, every one of this context and not destroyed. */
function checkBoundTensors(ctx: ContextState, ins: Bindings, outs: Bindings): void {
  // Pushed one by one: concat() is a call into the engine's C++, which costs microseconds where its code is cold.
  const bound: TensorState[] = [];
  for (const t of ins.values) bound.push(t);
  for (const t of outs.values) bound.push(t);
  for (let i = 0; i < bound.length; i++) {
    const previous = bound.indexOf(bound[i]!);
    if (previous < i) throw typeError('MLContext.dispatch', `${labelOf(i, ins, outs)} is the same MLTensor as ${labelOf(previous, ins, outs)}`);
  }
  for (let i = 0; i < bound.length; i++) {
    const t = bound[i]!;
    if (t.context !== ctx) throw typeError('MLContext.dispatch', `${labelOf(i, ins, outs)} belongs to another MLContext`);
    if (t.destroyed) throw typeError('MLContext.dispatch', `${labelOf(i, ins, outs)} has been destroyed`);
  }
}

/** The binding at position `i`, inputs first, as a message names it. */
function labelOf(i: number, ins: Bindings, outs: Bindings): string {
  const count = ins.keys.length;
  return i < count ? `inputs['${ins.keys[i]}']` : `outputs['${outs.keys[i - count]}']`;
}

/** readTensor(): its checks, then the read enqueued. */
function startRead(context: MLContext, tensor: MLTensor, argumentCount: number, outputData: unknown): Promise<ArrayBuffer | undefined> {
  const where = 'MLContext.readTensor';
  requireArgs(where, { length: argumentCount }, 1);
  const ctx = contextSlots.get(context, where);
  const t = tensorSlots.get(tensor, `${where}: tensor`);
  const target = argumentCount >= 2 ? toBufferSource(where, 'outputData', outputData) : null;
  if (t.context !== ctx) throw typeError(where, 'tensor belongs to another MLContext');
  if (t.destroyed) throw typeError(where, 'tensor has been destroyed');
  if (!t.readable) throw typeError(where, 'tensor was not created readable');
  const count = t.elementCount;
  const byteLength = count * byteSizeOf(t.desc.dataType);
  if (target) {
    // Any view of the exact byte length is accepted as a destination: it only receives bytes, and ONNX Runtime
    // Web's WebNN provider reads float32 tensors into an Int8Array over its wasm heap.
    const mismatch = bufferMismatch(target, t.desc.dataType, count, { anyViewType: true });
    if (mismatch) throw typeError(where, `outputData: ${mismatch}`);
  }
  if (ctx.device) takeBackFromGPU([t]);
  return new Promise<ArrayBuffer | undefined>((resolve, reject) => {
    t.pendingReads.push(reject);
    ctx.enqueueJob(new PendingRead(ctx, t, tensor, target, byteLength, resolve, reject));
  });
}

/** A read on the timeline: one object, where closures for its work and its outcome would be two more. */
class PendingRead {
  readonly where = 'MLContext.readTensor';

  /** It holds `tensor`, so an MLTensor read and dropped in one expression is not collected mid-read. */
  constructor(readonly ctx: ContextState, readonly t: TensorState, readonly tensor: MLTensor, readonly target: BufferSource | null,
    readonly byteLength: number, readonly resolve: (value: ArrayBuffer | undefined) => void, readonly reject: (error: Error) => void) {}

  run(): unknown {
    const data = tensorSlots.find(this.tensor)?.data;
    // destroy() rejected the read: the caller's buffer is left as it is.
    if (!data || this.t.destroyed) throw invalidStateError(this.where, 'tensor has been destroyed');
    return readOut(this.ctx, this.t.desc, data, this.target, this.byteLength);
  }

  settle(failed: boolean, outcome: unknown): void {
    const { target, reject } = this;
    // destroy() may already have rejected this read: then it is no longer pending and settles no more.
    if (!this.t.settleRead(reject)) return;
    if (failed) reject(asUnknownError(this.where, outcome));
    else if (target && (isDetached(target) || byteLengthOf(target) !== this.byteLength)) {
      reject(typeError(this.where, 'outputData has been detached'));
    } else this.resolve(outcome as ArrayBuffer | undefined);
  }
}

const isGPUDevice = (x: unknown): boolean =>
  typeof (globalThis as { GPUDevice?: unknown }).GPUDevice === 'function' &&
  x instanceof (globalThis as unknown as { GPUDevice: new () => object }).GPUDevice;

export class MLContext {
  constructor(...args: unknown[]) {
    checkCreateToken(args[0]);
    contextSlots.set(this, args[1] as ContextState);
  }

  /**
   * Enqueues one execution of `graph`, reading `inputs` and writing `outputs` (every graph input and output bound,
   * nothing else). Throws TypeError for invalid bindings, InvalidStateError for a destroyed graph.
   */
  dispatch(graph: MLGraph, inputs: MLNamedTensors, outputs: MLNamedTensors): void {
    const where = 'MLContext.dispatch';
    requireArgs(where, arguments, 3);
    const ctx = contextSlots.get(this, where);
    const g = graphSlots.get(graph, 'MLContext.dispatch: graph');
    const ins = toRecordEntries(where, 'inputs', inputs, inputTensorOf);
    const outs = toRecordEntries(where, 'outputs', outputs, outputTensorOf);
    if (g.context !== ctx) throw typeError(where, 'graph belongs to another MLContext');
    if (g.destroyed) throw invalidStateError(where, 'graph has been destroyed');
    checkBoundTensors(ctx, ins, outs);
    if (g.dynamic) {
      const shapes = resolveDynamicBindings(where, g, g.dynamic, ins, outs);
      takeBackBound(ctx, ins, outs);
      ctx.runSettled(where, () => {
        const plan = g.dynamic!.planFor(shapes);
        return runPlan(plan, inPlanOrder(ins, plan.inputPositions), inPlanOrder(outs, plan.outputPositions));
      }, ctx.settleDispatch);
      return;
    }
    validateTensorsWithDescriptors(where, 'inputs', ins, g.inputs);
    validateTensorsWithDescriptors(where, 'outputs', outs, g.outputs);
    takeBackBound(ctx, ins, outs);
    const feeds = inPlanOrder(ins, g.plan!.inputPositions);
    const into = inPlanOrder(outs, g.plan!.outputPositions);
    ctx.runSettled(where, () => runPlan(g.plan!, feeds, into), ctx.settleDispatch);
  }

  /** Resolves with a zero-filled tensor. Rejects InvalidStateError once the context is lost. */
  createTensor(descriptor: MLTensorDescriptor): Promise<MLTensor> {
    const where = 'MLContext.createTensor';
    const args = arguments;
    return promiseFrom(() => {
      requireArgs(where, args, 1);
      return newTensor(where, contextSlots.get(this, where), descriptor, null);
    });
  }

  /** Resolves with a constant tensor holding a copy (made now) of `inputData`, for MLGraphBuilder.constant(tensor). */
  createConstantTensor(descriptor: MLOperandDescriptor, inputData: AllowSharedBufferSource): Promise<MLTensor> {
    const where = 'MLContext.createConstantTensor';
    const args = arguments;
    return promiseFrom(() => {
      requireArgs(where, args, 2);
      const ctx = contextSlots.get(this, where);
      const desc = toOperandDescriptor(where, 'descriptor', descriptor);
      const source = toBufferSource(where, 'inputData', inputData);
      if (ctx.isLost) throw invalidStateError(where, 'the context is lost');
      checkDimensions(where, desc, 'descriptor.shape', true, ctx.maxTensorByteLength);
      checkDataTypeSupported(where, desc);
      const mismatch = bufferMismatch(source, desc.dataType, elementCount(desc.shape));
      if (mismatch) throw typeError(where, `inputData: ${mismatch}`);
      let data: Value;
      try {
        data = dataFromSource(ctx, desc, source);
      } catch (error) {
        throw asUnknownError(where, error);
      }
      const state = new TensorState(ctx, desc, false, false, true);
      const tensor = createTensorObject(state);
      return new Promise<MLTensor>((resolve, reject) => {
        ctx.enqueueSettled(where, () => {
          if (!state.destroyed) state.data = data;
        }, (failed, error) => {
          if (state.data !== data) data.dispose();
          if (failed) reject(error);
          else resolve(tensor);
        });
      });
    });
  }

  /**
   * Resolves with a zero-filled tensor that exportToGPU() can hand to `gpuDevice`, the device the context was made from
   * (api/gpu-export.ts). Rejects NotSupportedError on other contexts and devices, and for types other than float32 and
   * float16.
   */
  createExportableTensor(descriptor: MLTensorDescriptor, gpuDevice: object): Promise<MLTensor> {
    const where = 'MLContext.createExportableTensor';
    const args = arguments;
    return promiseFrom(() => {
      requireArgs(where, args, 2);
      const ctx = contextSlots.get(this, where);
      const desc = toOperandDescriptor(where, 'descriptor', descriptor);
      if (!isGPUDevice(gpuDevice)) throw typeError(where, 'gpuDevice is not a GPUDevice');
      checkExportable(where, ctx, gpuDevice as GPUDevice, desc.dataType);
      return newTensor(where, ctx, descriptor, ctx.device);
    });
  }

  /** Reads the tensor's data; after the writes and dispatches enqueued before it. */
  readTensor(tensor: MLTensor): Promise<ArrayBuffer>;
  /** Reads the tensor's data into `outputData` (whose byte length must be the tensor's). */
  readTensor(tensor: MLTensor, outputData: AllowSharedBufferSource): Promise<undefined>;
  readTensor(tensor: MLTensor, ...rest: unknown[]): Promise<ArrayBuffer | undefined> {
    // As promiseFrom() does, without its closure (a read is on the path of every inference).
    try {
      return startRead(this, tensor, arguments.length, rest[0]);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Enqueues a write of a copy (made now) of `inputData` into the tensor. */
  writeTensor(tensor: MLTensor, inputData: AllowSharedBufferSource): void {
    const where = 'MLContext.writeTensor';
    requireArgs(where, arguments, 2);
    const ctx = contextSlots.get(this, where);
    const t = tensorSlots.get(tensor, `${where}: tensor`);
    const source = toBufferSource(where, 'inputData', inputData);
    if (t.context !== ctx) throw typeError(where, 'tensor belongs to another MLContext');
    if (t.destroyed) throw typeError(where, 'tensor has been destroyed');
    if (!t.writable) throw typeError(where, 'tensor was not created writable');
    const mismatch = bufferMismatch(source, t.desc.dataType, t.elementCount);
    if (mismatch) throw typeError(where, `inputData: ${mismatch}`);
    if (ctx.device) takeBackFromGPU([t]);
    // The copy is made now, straight into the backend: the caller may change its buffer as soon as this returns.
    let data: Value;
    try {
      writeFaultCheck();
      if (writtenInPlace(ctx, t, source)) return;
      data = dataFromSource(ctx, t.desc, source);
    } catch (error) {
      // Failed in the write's place on the timeline, after the work enqueued before it.
      ctx.enqueueSettled(where, () => {
        throw error;
      }, ctx.settleWrite);
      return;
    }
    ctx.enqueueSettled(where, () => {
      if (!t.destroyed) t.replaceData(data);
    }, (failed, error) => {
      if (t.data !== data) data.dispose();
      ctx.settleWrite(failed, error);
    });
  }

  /**
   * Hands the tensor's values to WebGPU in a GPUBuffer of the context's device, for the WebGPU work submitted after this
   * call; WebNN takes them back when the buffer is destroyed or the tensor next used (api/gpu-export.ts). Throws
   * TypeError for a tensor not made by createExportableTensor(), InvalidStateError while earlier work still waits.
   */
  exportToGPU(tensor: MLTensor): ExportedGPUBuffer {
    const where = 'MLContext.exportToGPU';
    requireArgs(where, arguments, 1);
    const ctx = contextSlots.get(this, where);
    const t = tensorSlots.get(tensor, `${where}: tensor`);
    if (t.context !== ctx) throw typeError(where, 'tensor belongs to another MLContext');
    if (t.destroyed) throw typeError(where, 'tensor has been destroyed');
    return exportTensorToGPU(where, ctx, t) as ExportedGPUBuffer;
  }

  /** What this context's builder accepts: data types and ranks per operation argument, from the operation table. */
  opSupportLimits(): MLOpSupportLimits {
    const ctx = contextSlots.get(this, 'MLContext.opSupportLimits');
    return opSupportLimits(ctx.backend, ctx.maxTensorByteLength);
  }

  /** Loses the context: `lost` resolves, every graph and tensor of it is destroyed, pending reads reject. */
  destroy(): void {
    contextSlots.get(this, 'MLContext.destroy').lose('MLContext.destroy() was called');
  }

  /**
   * Whether the context computes on a massively parallel device (the spec's "CPU or massively parallel processing"):
   * true on the WebGPU and WebGL backends, false on Wasm and cpu, whatever `accelerated` option the context was created
   * with.
   */
  get accelerated(): boolean {
    const backend = contextSlots.get(this, 'MLContext.accelerated').backend;
    return backend === 'webgpu' || backend === 'webgl';
  }

  /** Resolves (never rejects) when the context is lost, e.g. by destroy(). */
  get lost(): Promise<MLContextLostInfo> {
    // A promise-typed attribute rejects rather than throws on a wrong receiver (WebIDL).
    return promiseFrom(() => contextSlots.get(this, 'MLContext.lost').lost);
  }
}
finishInterface(MLContext, 'MLContext');

/** @internal */
export function createContextObject(state: ContextState): MLContext {
  return new MLContext(CREATE, state);
}

/**
 * The spec's "validate tensors with descriptors", with a message saying which binding is wrong. `shapes` false checks
 * data types only: a graph with symbolic inputs checks shapes once they are resolved.
 */
function validateTensorsWithDescriptors(where: string, record: 'inputs' | 'outputs', tensors: Bindings,
  descs: ReadonlyMap<string, OperandDescriptor>, shapes = true): void {
  const count = tensors.keys.length;
  if (count !== descs.size) {
    throw typeError(where, `${record} binds ${count} tensors but the graph has ${descs.size} (${namesOf(descs)})`);
  }
  for (let i = 0; i < count; i++) {
    const name = tensors.keys[i]!;
    const t = tensors.values[i]!;
    if (t.constant) throw typeError(where, `${record}['${name}'] is a constant tensor`);
    const desc = descs.get(name);
    if (!desc) throw typeError(where, `${record}['${name}'] is not one of the graph's ${record} (${namesOf(descs)})`);
    if (shapes ? !sameDescriptor(desc, t.desc) : desc.dataType !== t.desc.dataType) {
      throw typeError(where, `${record}['${name}'] is ${describe(t.desc)} but the graph expects ${shapes ? describe(desc) : desc.dataType}`);
    }
  }
}

/** The graph's input or output names, quoted, for a message. */
function namesOf(descs: ReadonlyMap<string, OperandDescriptor>): string {
  return [...descs.keys()].map((name) => `'${name}'`).join(', ');
}

/**
 * dispatch() of a graph built with the dynamic-shape proposal on: the input tensors' shapes resolve the graph (checked
 * against its symbolic inputs); each output tensor must have exactly the resolved shape, as nothing is resized.
 */
function resolveDynamicBindings(where: string, g: GraphState, dynamic: DynamicGraph, ins: Bindings, outs: Bindings):
  Map<string, readonly number[]> {
  validateTensorsWithDescriptors(where, 'inputs', ins, g.inputs, false);
  validateTensorsWithDescriptors(where, 'outputs', outs, g.outputs, false);
  const shapes = new Map(ins.keys.map((name, i) => [name, ins.values[i]!.desc.shape]));
  const resolved = dynamic.resolve(where, shapes);
  for (let i = 0; i < outs.keys.length; i++) {
    const name = outs.keys[i]!;
    const t = outs.values[i]!;
    const desc = resolved.outputs.get(name)!.desc;
    if (!sameDescriptor(desc, t.desc)) {
      throw typeError(where, `outputs['${name}'] is ${describe(t.desc)} but for these inputs the graph computes ${describe(desc)}`);
    }
  }
  return shapes;
}

/**
 * The compute request of one dispatch, on the timeline; a promise where the plan reads values off webgpu during its
 * run (the timeline runs the context's later jobs once it settles).
 */
function runPlan(plan: Plan, ins: readonly TensorState[], outs: readonly TensorState[]): void | Promise<void> {
  dispatchFaultCheck();
  // Loops, not map() (see KernelProgram.run()).
  const feeds: Value[] = [];
  for (let i = 0; i < ins.length; i++) {
    const data = ins[i]!.data;
    if (!data) throw new Error(`inputs['${plan.inputNames[i]}'] has no data`);
    feeds.push(data);
  }
  if (plan.runsAsync) return plan.runAsync(feeds).then((results) => storeResults(results, outs));
  // The output tensors' values (by position), which the plan may compute its results over rather than into new memory.
  let into: (Value | undefined)[] | undefined;
  if (plan.computesInto) {
    into = [];
    for (let i = 0; i < outs.length; i++) into.push(outs[i]!.data ?? undefined);
  }
  storeResults(plan.run(feeds, into), outs);
}

/**
 * The bound tensors of a plan's inputs or outputs, in its order. Validated bindings bind every graph input once; the
 * plan may read fewer (an input whose shape alone is used).
 */
function inPlanOrder(bound: Bindings, positions: ReadonlyMap<string, number>): TensorState[] {
  const ordered = new Array<TensorState>(positions.size);
  for (let i = 0; i < bound.keys.length; i++) {
    const at = positions.get(bound.keys[i]!);
    if (at !== undefined) ordered[at] = bound.values[i]!;
  }
  return ordered;
}

/** Hands each result to the output tensor at its position. */
function storeResults(results: readonly Value[], outs: readonly TensorState[]): void {
  for (let i = 0; i < results.length; i++) {
    const t = outs[i]!;
    const result = results[i]!;
    if (t.destroyed) result.dispose();
    else if (isHostTensor(result) && !isHostType(t.desc.dataType)) storeHostResult(t, result);
    else t.replaceData(result);
  }
}

/**
 * A result computed on the host for a tensor whose values live on a backend: written over the tensor's values where
 * they are when nothing else holds that memory (wasm), else into a tensor made on that backend.
 */
function storeHostResult(t: TensorState, result: HostTensor): void {
  const home = homeBackend(t.context.backend, t.desc.dataType);
  const values = result.values as StorageValues;
  const data = t.data;
  if (data && !isHostTensor(data) && overwriteInPlace(data, home, values)) return;
  t.replaceData(onHomeBackend(t.context, t.desc, values, false));
}

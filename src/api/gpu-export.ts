/**
 * Tensors shared with WebGPU: createExportableTensor(descriptor, gpuDevice) and exportToGPU(tensor), on a context made
 * from that GPUDevice (the MLTensor explainer, "Exporting an MLTensor to WebGPU"). The tensor's values live in a
 * GPUBuffer of the device, TF.js's; its graphs read and write them there.
 *
 * exportToGPU() rents the values out: it returns a GPUBuffer of its own (STORAGE | COPY_SRC | COPY_DST, the values
 * packed as WGSL's array<f32>, or as float16 two to a 32-bit word: gpu-float16.ts) that holds them, copied (float16:
 * converted) on the GPU, for the WebGPU work the app submits after the call; WebGPU then reads and writes them.
 * Exporting again before WebNN takes the tensor back returns the same buffer. WebNN takes it back when the app
 * destroys the buffer, or when WebNN next uses the tensor (dispatch() binding it, readTensor(), writeTensor()): what
 * the WebGPU work submitted before that moment left in the buffer becomes the tensor's values (copied on the GPU, after
 * that work in the device's queue), and the buffer is destroyed. Destroying the tensor, or losing its context,
 * destroys the buffer too.
 */
import { invalidStateError, notSupportedError, typeError } from '../errors.js';
import type { tf } from '../runtime/backends.js';
import type { GpuDeviceBackend } from '../runtime/gpu-device-backend.js';
import { elementCount } from '../graph/ir.js';
import type { ContextState, TensorState } from './internals.js';
import { packedFloat16ByteLength, packFloat16, unpackFloat16 } from './gpu-float16.js';

interface Exportable {
  readonly device: GpuDeviceBackend;
  /** The GPUBuffer WebGPU holds, from exportToGPU() until WebNN takes the tensor back; else null. */
  buffer: GPUBuffer | null;
}

const exportables = new WeakMap<TensorState, Exportable>();

/**
 * The checks of createExportableTensor() that the argument conversions leave: only a context made from `gpuDevice`
 * can share its tensors with it, and only floating-point ones: a webgpu context keeps int32, int8 and uint8 values on
 * the cpu backend, and uint32, int64 and uint64 on the host, so they have no GPUBuffer to share.
 */
export function checkExportable(where: string, ctx: ContextState, gpuDevice: GPUDevice, dataType: string): void {
  if (!ctx.device) {
    throw notSupportedError(where, 'only a context made with createContext(gpuDevice) can share tensors with WebGPU');
  }
  if (ctx.device.device !== gpuDevice) {
    throw notSupportedError(where, 'gpuDevice is not the GPUDevice the context was made from');
  }
  if (dataType !== 'float32' && dataType !== 'float16') {
    throw notSupportedError(where, `a ${dataType} tensor cannot be exported: only float32 and float16 tensors live on the GPU ` +
      'of a webgpu context (int32, int8 and uint8 on the cpu backend, the 64-bit and unsigned 32-bit types on the host)');
  }
}

/** Marks `state`, a new tensor of a context made from a GPUDevice, as exportable to that device. */
export function makeExportable(state: TensorState, device: GpuDeviceBackend): void {
  const exportable: Exportable = { device, buffer: null };
  exportables.set(state, exportable);
  state.endExport = () => takeBack(state, exportable);
}

export function isExportable(state: TensorState): boolean {
  return exportables.has(state);
}

/** The bytes of the buffer exportToGPU() makes: the tensor's float32 or float16 values, in whole 32-bit words. */
function exportedByteLength(state: TensorState): number {
  const count = elementCount(state.desc.shape);
  return state.desc.dataType === 'float16' ? packedFloat16ByteLength(count) : 4 * Math.max(1, count);
}

/** exportToGPU(tensor), once the arguments are checked. */
export function exportToGPU(where: string, ctx: ContextState, state: TensorState): GPUBuffer {
  const exportable = exportables.get(state);
  if (!exportable) throw typeError(where, 'tensor was not created by createExportableTensor()');
  if (ctx.isLost) throw invalidStateError(where, 'the context is lost');
  if (exportable.buffer) return exportable.buffer;
  // The buffer must hold the results of all the work called before, once the app's WebGPU work runs; work that still
  // waits on the timeline would come after it in the device's queue.
  if (!ctx.idle || !state.data) {
    throw invalidStateError(where, 'work of the context is still waiting (a readTensor(), a build(), or a dispatch() of a ' +
      'graph reading values back from the GPU, not yet settled); export once it has settled');
  }
  const { device } = exportable;
  const data = state.data as tf.Tensor;
  const source = device.bufferOf(data);
  // TF.js records its commands and submits them in batches: the dispatches before this export go first.
  device.flush();
  const size = exportedByteLength(state);
  const gpu = device.device;
  const buffer = gpu.createBuffer({
    label: 'MLTensor exported to WebGPU', size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  if (state.desc.dataType === 'float16') {
    packFloat16(gpu, source, buffer, elementCount(state.desc.shape));
  } else {
    const encoder = gpu.createCommandEncoder();
    encoder.copyBufferToBuffer(source, 0, buffer, 0, size);
    gpu.queue.submit([encoder.finish()]);
  }
  // While exported, the values are the buffer's alone. TF.js may give the old buffer to another tensor: whatever it
  // writes there comes later in the queue than the copy above.
  state.data = null;
  data.dispose();
  // The app destroying the buffer hands the tensor back (the explainer's "return the buffer to WebNN").
  Object.defineProperty(buffer, 'destroy', {
    configurable: true, writable: true, value: function destroy(): void {
      if (exportable.buffer === buffer) takeBack(state, exportable);
      else GPUBuffer.prototype.destroy.call(buffer);
    },
  });
  exportable.buffer = buffer;
  return buffer;
}

/**
 * WebNN takes `state` back from WebGPU, if exported: the buffer's values become the tensor's (unless it is destroyed
 * or its context lost), and the buffer is destroyed. Called before any use of the tensor by WebNN.
 */
function takeBack(state: TensorState, exportable: Exportable): void {
  const buffer = exportable.buffer;
  if (!buffer) return;
  exportable.buffer = null;
  if (!state.destroyed && !state.context.isLost) {
    const values = state.desc.dataType === 'float16' ? unpacked(exportable.device.device, buffer, state) : buffer;
    state.replaceData(exportable.device.tensorFromBuffer(values, state.desc.shape));
    if (values !== buffer) values.destroy();
  }
  // Destroyed after the copy above was submitted: queued work that uses a buffer still runs.
  GPUBuffer.prototype.destroy.call(buffer);
}

/** A new buffer holding, as f32, the float16 values of `buffer` exported from `state`, unpacked on the GPU. */
function unpacked(device: GPUDevice, buffer: GPUBuffer, state: TensorState): GPUBuffer {
  const count = elementCount(state.desc.shape);
  // The usage of TF.js's own buffers: TF.js copies this one into a buffer of the same usage.
  const values = device.createBuffer({
    label: 'float16 MLTensor taken back from WebGPU', size: 4 * Math.max(1, count),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  unpackFloat16(device, buffer, values, count);
  return values;
}

/** Takes each of `tensors` back from WebGPU where exported (dispatch(), readTensor(), writeTensor()). */
export function takeBackFromGPU(tensors: Iterable<TensorState>): void {
  for (const state of tensors) {
    const exportable = exportables.get(state);
    if (exportable?.buffer) takeBack(state, exportable);
  }
}

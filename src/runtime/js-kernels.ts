import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from './backends.js';
import { CallRecords, type DirectKernel, type RecordedCall, writingKernel } from './wasm-direct-kernels.js';
import { type SimdKernels, simdKernelsOf, type WasmHeapModule } from './wasm-simd-kernels.js';

/**
 * TF.js kernels of our own, written in JavaScript over the float32 values of their tensors, for the backends whose
 * data lives in this thread's memory (wasm's heap, cpu's arrays). A TF.js kernel costs a few microseconds of
 * bookkeeping whatever its size; an operation TF.js composes of many kernels (layerNormalization: nine) costs that many
 * times over on small tensors, where one loop over the values costs less than one of them.
 */
export interface JsKernel {
  /** The kernel name, registered with TF.js on first use for each backend. */
  readonly name: string;
  /**
   * Computes every value of `output` (shaped as the attribute `outputShape` says, else as the first input; on wasm it
   * holds whatever the heap held) from the inputs present, by the names they were run with. Absent for a kernel that
   * lowerings use only where its `simd` form runs.
   */
  readonly compute?: (inputs: Readonly<Record<string, Float32Array>>, output: Float32Array, attrs: tf.NamedAttrMap) => void;
  /**
   * The same values computed where the wasm backend runs our SIMD kernels (runtime/wasm-simd-kernels.ts), by address:
   * the inputs and the output are byte addresses in its heap, `size` the output's element count. All its work is
   * calls of `kernels`, whose arguments follow from its own (a replay records those calls once: calls()). Returns
   * false for a call it leaves to `compute`.
   */
  readonly simd?: (kernels: SimdKernels, inputs: Readonly<Record<string, number>>, output: number, size: number,
    attrs: tf.NamedAttrMap) => void | false;
  /**
   * For a replayed call whose inputs named in `constants` (their heap addresses) hold the same values in every replay:
   * a `simd` form with what it derives from those values made once, in heap memory of its own; or null where it has
   * none for the call.
   */
  readonly simdOverConstants?: (kernels: SimdKernels, constants: Readonly<Record<string, number>>, attrs: tf.NamedAttrMap,
    heap: WasmHeap) => SimdOverConstants | null;
}

/** The wasm backend's heap as simdOverConstants uses it. */
export interface WasmHeap {
  readonly HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

/** A JsKernel's simd form prepared for a call's constants (JsKernel.simdOverConstants). */
export interface SimdOverConstants {
  /** As JsKernel.simd: all its work is calls of `kernels`. */
  readonly run: (kernels: SimdKernels, inputs: Readonly<Record<string, number>>, output: number, size: number) => void;
  /** Frees the heap memory it holds. */
  readonly dispose: () => void;
}

function outputShapeOf(first: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined): number[] {
  const shape = attrs?.['outputShape'] as readonly number[] | undefined;
  return [...(shape ?? first.shape)];
}

interface WasmBackend {
  readonly wasm: WasmHeapModule & WasmHeap;
  readonly dataIdMap: { get(dataId: tf.DataId): { readonly memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface CpuBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/** Whether `backend` runs JsKernels. */
export function runsJsKernels(backend: BackendName): boolean {
  return backend === 'wasm' || backend === 'cpu';
}

/** Whether JsKernels with a `simd` form run it on the active backend (wasm, with our SIMD module in its memory). */
export function runsSimdKernels(): boolean {
  return tf.getBackend() === 'wasm' && simdKernelsOf((tf.backend() as unknown as WasmBackend).wasm) !== null;
}

function computeOf(kernel: JsKernel): NonNullable<JsKernel['compute']> {
  if (!kernel.compute) throw new Error(`${kernel.name} runs only in our wasm SIMD kernels`);
  return kernel.compute;
}

/** Our kernels as registered on wasm, by the function registered: what a replay recognises them by. */
const wasmKernelsByFunc = new WeakMap<tf.KernelFunc, JsKernel>();

/**
 * One call of `kernel` on wasm into `out` in its SIMD form, its calls made on `kernels` (`prepared`, the form made for
 * the call's constants, where there is one): false where the form leaves the call to `compute`. `names[i]` is the name
 * input `i` is read under; `addresses` is a record the call fills (a caller may keep it across calls that leave out
 * the same inputs).
 */
function simdOnWasm(kernel: JsKernel, kernels: SimdKernels, prepared: SimdOverConstants | null, out: tf.TensorInfo,
  attrs: tf.NamedAttrMap, names: readonly string[], inputs: readonly (tf.TensorInfo | null | undefined)[],
  addresses: Record<string, number>, records: Addresses): boolean {
  fillAddresses(names, inputs, records, addresses);
  const address = records.of(names.length, out).memoryOffset;
  const size = tf.util.sizeFromShape(out.shape);
  if (!prepared) return kernel.simd!(kernels, addresses, address, size, attrs) !== false;
  prepared.run(kernels, addresses, address, size);
  return true;
}

/** One call of `kernel` on wasm into `out` as `compute` over views of the heap; `values` as simdOnWasm's addresses. */
function computeOnWasm(kernel: JsKernel, wasm: WasmBackend, out: tf.TensorInfo, attrs: tf.NamedAttrMap, names: readonly string[],
  inputs: readonly (tf.TensorInfo | null | undefined)[], values: Record<string, Float32Array>, records: Addresses): void {
  const heap = wasm.wasm.HEAPF32;
  const view = (at: number, info: tf.TensorInfo): Float32Array =>
    new Float32Array(heap.buffer, records.of(at, info).memoryOffset, tf.util.sizeFromShape(info.shape));
  for (let i = 0; i < names.length; i++) {
    const info = inputs[i];
    if (info) values[names[i]!] = view(i, info);
  }
  computeOf(kernel)(values, view(names.length, out), attrs);
}

function wasmKernelFunc(kernel: JsKernel): tf.KernelFunc {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const wasm = backend as unknown as WasmBackend;
    const infos = Object.values(inputs);
    const simd = kernel.simd ? simdKernelsOf(wasm.wasm) : null;
    // Allocated before any view of the heap is taken: growing the heap detaches views made earlier.
    const out = wasm.makeOutput(outputShapeOf(infos[0]!, attrs), 'float32');
    const lookUp: Addresses = { of: (_, info) => wasm.dataIdMap.get(info.dataId)! };
    const names = Object.keys(inputs);
    const given = attrs ?? {};
    if (!simd || !simdOnWasm(kernel, simd, null, out, given, names, infos, {}, lookUp)) {
      computeOnWasm(kernel, wasm, out, given, names, infos, {}, lookUp);
    }
    return out;
  };
  wasmKernelsByFunc.set(kernelFunc, kernel);
  return kernelFunc;
}

/**
 * A replayed call of one of our kernels on wasm, with what its recorded shapes and attributes decide worked out once:
 * per call, registering the kernel costs more than computing a small tensor (layerNormalization of [1, 32]: about
 * 1.5 us against 0.1 us), in the lookups, arrays and records made anew. Null for any other kernel.
 */
export function directJsKernel(backend: tf.KernelBackend, kernelFunc: tf.KernelFunc, call: RecordedCall): DirectKernel | null {
  const kernel = wasmKernelsByFunc.get(kernelFunc);
  if (!kernel || call.outputs.length !== 1) return null;
  const wasm = backend as unknown as WasmBackend;
  const shape = call.outputs[0]!.shape;
  const { attrs, inputNames } = call;
  const simd = kernel.simd ? simdKernelsOf(wasm.wasm) : null;
  // Filled anew by each run; an input left out is left out of every run of the call.
  const addresses: Record<string, number> = {};
  const values: Record<string, Float32Array> = {};
  const records = new CallRecords(wasm.dataIdMap);
  const prepared = simd ? overConstants(kernel, simd, wasm, call, records) : null;
  const simdRun = (kernels: SimdKernels, inputs: readonly (tf.TensorInfo | null | undefined)[], out: tf.TensorInfo) =>
    simdOnWasm(kernel, kernels, prepared, out, attrs, inputNames, inputs, addresses, records);
  const calls = simd ? (inputs: readonly (tf.TensorInfo | null | undefined)[], out: tf.TensorInfo) =>
    recordedCalls(simd, (kernels) => simdRun(kernels, inputs, out)) : undefined;
  return writingKernel(wasm, { shape, dtype: 'float32' }, (inputs, out) => {
    if (!simd || !simdRun(simd, inputs, out)) computeOnWasm(kernel, wasm, out, attrs, inputNames, inputs, values, records);
  }, prepared ? prepared.dispose : () => {}, true, calls);
}

/**
 * The calls `run` makes of the kernels it is handed, each bound to its arguments, in order: the same work as `run`
 * made on `simd`, where `run` returns true; null where it returns false (its work is not all such calls).
 */
function recordedCalls(simd: SimdKernels, run: (kernels: SimdKernels) => boolean): (() => void)[] | null {
  const calls: (() => void)[] = [];
  const recorder: Record<string, (...args: number[]) => void> = {};
  for (const [name, kernel] of Object.entries(simd as unknown as Record<string, (...args: number[]) => void>)) {
    recorder[name] = (...args) => {
      calls.push(kernel.bind(null, ...args));
    };
  }
  return run(recorder as unknown as SimdKernels) ? calls : null;
}

/** What gives a tensor's heap address: TF.js's map, or a replayed call's records of it (by position). */
interface Addresses {
  of(at: number, info: tf.TensorInfo): { readonly memoryOffset: number };
}

/** Fills `addresses` (by input name) with the heap address of each input present. */
function fillAddresses(names: readonly string[], inputs: readonly (tf.TensorInfo | null | undefined)[], records: Addresses,
  addresses: Record<string, number>): void {
  for (let i = 0; i < names.length; i++) {
    const info = inputs[i];
    if (info) addresses[names[i]!] = records.of(i, info).memoryOffset;
  }
}

/**
 * `kernel`'s simd form prepared for the call's constant inputs (their addresses looked up through the call's
 * `records`, which replays then find there), where it has one for them.
 */
function overConstants(kernel: JsKernel, simd: SimdKernels, wasm: WasmBackend, call: RecordedCall,
  records: Addresses): SimdOverConstants | null {
  if (!kernel.simdOverConstants || !call.constant.some((c) => c)) return null;
  const constants: Record<string, number> = {};
  call.inputs.forEach((info, i) => {
    if (info && call.constant[i]) constants[call.inputNames[i]!] = records.of(i, info).memoryOffset;
  });
  return kernel.simdOverConstants(simd, constants, call.attrs, wasm.wasm);
}

function cpuKernelFunc(kernel: JsKernel): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const cpu = backend as unknown as CpuBackend;
    const first = Object.values(inputs)[0]!;
    const values: Record<string, Float32Array> = {};
    for (const [name, info] of Object.entries(inputs)) if (info) values[name] = cpu.readSync(info.dataId) as Float32Array;
    const shape = outputShapeOf(first, attrs);
    const output = new Float32Array(tf.util.sizeFromShape(shape));
    computeOf(kernel)(values, output, attrs ?? {});
    return cpu.makeTensorInfo(shape, 'float32', output);
  };
}

/**
 * Runs `kernel` on the active backend (which runsJsKernels) over float32 `inputs`; the output is shaped as
 * `attrs.outputShape`, or as the first input.
 */
export function runJsKernel(kernel: JsKernel, inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): tf.Tensor {
  const backendName = tf.getBackend() as BackendName;
  if (!tf.getKernel(kernel.name, backendName)) {
    if (!runsJsKernels(backendName)) throw new Error(`${kernel.name} has no ${backendName} kernel`);
    const kernelFunc = backendName === 'wasm' ? wasmKernelFunc(kernel) : cpuKernelFunc(kernel);
    tf.registerKernel({ kernelName: kernel.name, backendName, kernelFunc });
  }
  return tf.engine().runKernel(kernel.name, inputs as tf.NamedTensorMap, attrs) as tf.Tensor;
}

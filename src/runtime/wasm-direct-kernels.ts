/**
 * Replayed wasm kernels called straight into tfjs-backend-wasm's module. Its kernels taking shapes (the binary
 * operations, Transpose, Mean through its Transpose, _FusedMatMul) copy each shape into the module's stack on every
 * call, work out broadcasting and size-one axes again and allocate a few typed arrays: 3-5 µs of JavaScript a call in
 * Chromium, against 1-2 µs of the module's work on the small tensors of real models; its convolutions work out their
 * geometry, and Reshape its shape, on every call. A replay's kernels always see the same shapes, so here the shapes
 * go into the module's heap once, everything derived from them is worked out once, and a replayed call is the
 * output's allocation and the module call itself.
 *
 * The calls follow the argument lists of tfjs-backend-wasm's exports, which are not a public interface: they are used
 * only with the versions they were checked against, and otherwise replays call the kernels as TF.js registered them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { carriedWasm } from './carried-backends.js';

type TensorInfo = tf.TensorInfo;

/** tfjs-backend-wasm versions whose exports take the arguments used below. */
const CHECKED_VERSIONS: readonly string[] = ['4.22.0'];

/** The module's data type codes (its DType enum). */
const DTYPE_CODES: Readonly<Partial<Record<tf.DataType, number>>> = { float32: 0, int32: 1, bool: 2 };

/** The module's codes of the activations its convolutions apply (its FusableActivation enum). */
const ACTIVATION_CODES: Readonly<Record<string, number>> = { linear: 0, relu: 1, relu6: 2, prelu: 3, leakyrelu: 4, sigmoid: 5, elu: 6 };

/** The binary operations tfjs-backend-wasm runs through one export taking both operands' shapes. */
const BINARY_KERNELS: ReadonlySet<string> = new Set([
  'Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'Pow', 'SquaredDifference', 'FloorDiv', 'Mod',
  'Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr', 'LogicalXor',
]);

interface WasmModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  readonly HEAPU8: Uint8Array;
}

interface WasmBackend {
  readonly wasm: WasmModule;
  readonly dataIdMap: { get(dataId: tf.DataId): { readonly id: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  incRef(dataId: tf.DataId): void;
}

/** A replayed kernel: its inputs in the recorded order, its one result; and the heap it holds until disposed. */
export interface DirectKernel {
  readonly run: (inputs: readonly (TensorInfo | null | undefined)[]) => TensorInfo;
  /**
   * Computes the result into `out`, a tensor of the recorded output's shape and type the caller holds: present where
   * the result is new memory, absent where it is an input's data (Reshape).
   */
  readonly runInto?: (inputs: readonly (TensorInfo | null | undefined)[], out: TensorInfo) => void;
  /**
   * Whether the kernel only reads its inputs' values: it keeps nothing made from them (the module's convolutions and
   * matrix products keep XNNPACK operators with weights packed from an input, by its id) and hands none of them back.
   */
  readonly keepsNothing: boolean;
  /**
   * Where a run into `out` is nothing but calls into our wasm kernels (runtime/js-kernels.ts): those calls, each bound
   * to its arguments, which a replay on the same tensors makes as they are (runtime/kernel-replay.ts); else null.
   */
  readonly calls?: (inputs: readonly (TensorInfo | null | undefined)[], out: TensorInfo) => (() => void)[] | null;
  readonly dispose: () => void;
}

type Into = NonNullable<DirectKernel['runInto']>;

/** A kernel writing its result into new memory: run() allocates the output, runInto() is handed one. */
export function writingKernel(backend: { makeOutput(shape: number[], dtype: tf.DataType): TensorInfo },
  output: { readonly shape: readonly number[]; readonly dtype: tf.DataType }, runInto: Into, dispose: () => void,
  keepsNothing = true, calls?: DirectKernel['calls']): DirectKernel {
  const { shape, dtype } = output;
  return {
    run: (inputs) => {
      const out = backend.makeOutput([...shape], dtype);
      runInto(inputs, out);
      return out;
    },
    runInto,
    keepsNothing,
    ...(calls ? { calls } : {}),
    dispose,
  };
}

/** What a call was recorded with: the kernel's name, its inputs (by name, in order), attributes and results. */
export interface RecordedCall {
  readonly name: string;
  readonly inputNames: readonly string[];
  readonly inputs: readonly (TensorInfo | null | undefined)[];
  readonly attrs: tf.NamedAttrMap;
  readonly outputs: readonly TensorInfo[];
  /** Per input, whether it holds the same values in every replay: one of the plan's constants. */
  readonly constant: readonly boolean[];
}

/** Whether the wasm backend carried is one whose exports this module calls. */
export function directWasmCallsChecked(): boolean {
  const version = carriedWasm()?.version_wasm;
  return version !== undefined && CHECKED_VERSIONS.includes(version);
}

/** A direct form of `call` on the wasm `backend`, or null where the kernel is to be called as registered. */
export function directWasmKernel(backend: tf.KernelBackend, call: RecordedCall): DirectKernel | null {
  const wasmBackend = backend as unknown as WasmBackend;
  if (call.outputs.length !== 1 || tf.util.sizeFromShape(call.outputs[0]!.shape) === 0) return null;
  if (BINARY_KERNELS.has(call.name)) return binaryKernel(wasmBackend, call);
  if (call.name === 'Transpose') return transposeKernel(wasmBackend, call);
  if (call.name === 'Mean') return meanKernel(wasmBackend, call);
  if (call.name === 'FusedConv2D' || call.name === 'FusedDepthwiseConv2D') return convolutionKernel(wasmBackend, call);
  if (call.name === '_FusedMatMul') return productKernel(wasmBackend, call);
  if (call.name === 'Reshape') return reshapeKernel(wasmBackend, call);
  return null;
}

/** Heap words holding fixed values, freed together. */
class HeapWords {
  readonly #module: WasmModule;
  readonly #pointers: number[] = [];
  constructor(module: WasmModule) {
    this.#module = module;
  }
  /** A pointer to `values` as int32 words (never 0 bytes, so every pointer is distinct). */
  store(values: readonly number[]): number {
    const pointer = this.#module._malloc(Math.max(1, values.length) * 4);
    this.#pointers.push(pointer);
    // Read HEAPU8 after _malloc: allocating may have grown the memory and replaced the buffer.
    new Int32Array(this.#module.HEAPU8.buffer, pointer, values.length).set(values);
    return pointer;
  }
  free(): void {
    for (const pointer of this.#pointers) this.#module._free(pointer);
    this.#pointers.length = 0;
  }
}

type ModuleFunction = (...args: number[]) => void;

/**
 * The module's export for a kernel: the function itself from the instance's exports where the module shows them, since
 * its `_Name` property is a stub that installs the export on its first call.
 */
function moduleFunction(backend: WasmBackend, kernelName: string): ModuleFunction | null {
  const module = backend.wasm as unknown as { asm?: Record<string, unknown> } & Record<string, unknown>;
  const f = module.asm?.[kernelName] ?? module[`_${kernelName}`];
  return typeof f === 'function' ? f as ModuleFunction : null;
}

/**
 * TF.js's records (its dataIdMap) of the tensors one replayed call reads and writes, by position (its inputs, then its
 * output), kept from one replay to the next: a replay hands a call the same TensorInfo objects run after run (the
 * program's constants and the results it keeps, a tensor written in place), and a record stays as it is while its
 * tensor lives on the backend, which a replay's tensors do (a plan moves none: graph/plan.ts). A lookup is two WeakMap
 * reads, on memory other work has pushed out of the caches by then (ONNX Runtime's keyword head in Chromium: 0.4-0.5 us
 * of a run for its dozen lookups). The last TensorInfo seen at each position is held until the next replay.
 */
export class CallRecords<Entry> {
  readonly #map: { get(dataId: tf.DataId): Entry | undefined };
  readonly #infos: (TensorInfo | undefined)[] = [];
  readonly #entries: Entry[] = [];

  constructor(map: { get(dataId: tf.DataId): Entry | undefined }) {
    this.#map = map;
  }

  of(at: number, info: TensorInfo): Entry {
    if (this.#infos[at] === info) return this.#entries[at]!;
    const entry = this.#map.get(info.dataId)!;
    this.#infos[at] = info;
    this.#entries[at] = entry;
    return entry;
  }
}

/** The module's id of the tensor at position `at` of a call (its output at the position after its inputs). */
const idOf = (records: CallRecords<{ readonly id: number }>, at: number, info: TensorInfo | null | undefined): number =>
  records.of(at, info!).id;

/** The module's id of an optional input (at position `at`, -1 where the call has no such input), 0 where absent. */
function optionalIdOf(records: CallRecords<{ readonly id: number }>, inputs: readonly (TensorInfo | null | undefined)[],
  at: number): number {
  const t = at < 0 ? null : inputs[at];
  return t ? idOf(records, at, t) : 0;
}

/** Where each of `names` is among the call's inputs (-1 where absent). */
const positionsOf = (call: RecordedCall, names: readonly string[]): number[] => names.map((n) => call.inputNames.indexOf(n));

function binaryKernel(backend: WasmBackend, call: RecordedCall): DirectKernel | null {
  const f = moduleFunction(backend, call.name);
  const [a, b] = call.inputs;
  if (!f || call.inputNames.join() !== 'a,b' || !a || !b) return null;
  const code = DTYPE_CODES[a.dtype];
  if (code === undefined) return null;
  const heap = new HeapWords(backend.wasm);
  const aShape = heap.store(a.shape), aRank = a.shape.length;
  const bShape = heap.store(b.shape), bRank = b.shape.length;
  const records = new CallRecords(backend.dataIdMap);
  return writingKernel(backend, call.outputs[0]!, (inputs, out) => {
    f(idOf(records, 0, inputs[0]), aShape, aRank, idOf(records, 1, inputs[1]), bShape, bRank, code, idOf(records, 2, out));
  }, () => heap.free());
}

/** A transpose as the module's Transpose export takes it: size-one axes left out (it is faster on fewer axes). */
interface TransposeArgs {
  readonly shape: number[];
  readonly perm: number[];
}

function withoutSizeOneAxes(shape: readonly number[], perm: readonly number[]): TransposeArgs {
  const renumbered = new Map<number, number>();
  shape.forEach((size, axis) => { if (size !== 1) renumbered.set(axis, renumbered.size); });
  return {
    shape: shape.filter((size) => size !== 1),
    perm: perm.filter((axis) => shape[axis] !== 1).map((axis) => renumbered.get(axis)!),
  };
}

const isIdentity = (perm: readonly number[]): boolean => perm.every((axis, i) => axis === i);

/** Writes `x` transposed into `out`; the call's heap words are stored once, in `heap`. */
function transposeCall(backend: WasmBackend, heap: HeapWords, shape: readonly number[], perm: readonly number[],
  dtype: tf.DataType): ((x: TensorInfo, out: TensorInfo) => void) | null {
  const f = moduleFunction(backend, 'Transpose');
  const code = DTYPE_CODES[dtype];
  const args = withoutSizeOneAxes(shape, perm);
  if (!f || code === undefined || isIdentity(args.perm)) return null;
  const shapePointer = heap.store(args.shape), permPointer = heap.store(args.perm);
  const rank = args.shape.length;
  const records = new CallRecords(backend.dataIdMap);
  return (x, out) => {
    f(idOf(records, 0, x), shapePointer, rank, code, idOf(records, 1, out), permPointer, rank);
  };
}

function transposeKernel(backend: WasmBackend, call: RecordedCall): DirectKernel | null {
  const x = call.inputs[0];
  const perm = call.attrs['perm'] as number[] | undefined;
  if (!x || !perm || call.inputNames.join() !== 'x') return null;
  const heap = new HeapWords(backend.wasm);
  const transpose = transposeCall(backend, heap, x.shape, perm, x.dtype);
  if (!transpose) {
    heap.free();
    return null;
  }
  return writingKernel(backend, call.outputs[0]!, (inputs, out) => transpose(inputs[0]!, out), () => heap.free());
}

/** Mean of float32 values over some axes: the module averages runs of its input's innermost values. */
function meanKernel(backend: WasmBackend, call: RecordedCall): DirectKernel | null {
  const f = moduleFunction(backend, 'Mean');
  const x = call.inputs[0];
  if (!f || !x || x.dtype !== 'float32' || call.inputNames.join() !== 'x') return null;
  const rank = x.shape.length;
  const axisAttr = call.attrs['axis'] as number | number[];
  const axes = (Array.isArray(axisAttr) ? axisAttr : [axisAttr]).map((axis) => (axis < 0 ? axis + rank : axis));
  if (new Set(axes).size !== axes.length || axes.some((axis) => axis < 0 || axis >= rank)) return null;
  const reduceSize = axes.reduce((size, axis) => size * x.shape[axis]!, 1);
  const outShape = call.outputs[0]!.shape;
  // The reduced axes moved innermost, the others kept in order, as TF.js's own Mean does, so the sums run alike.
  const perm = [...x.shape.keys()].filter((axis) => !axes.includes(axis)).concat(axes);
  const inPlace = isIdentity(withoutSizeOneAxes(x.shape, perm).perm);
  const heap = new HeapWords(backend.wasm);
  const transpose = inPlace ? null : transposeCall(backend, heap, x.shape, perm, 'float32');
  if (!inPlace && !transpose) {
    heap.free();
    return null;
  }
  const transposedShape = perm.map((axis) => x.shape[axis]!);
  const records = new CallRecords(backend.dataIdMap);
  return writingKernel(backend, { shape: outShape, dtype: 'float32' }, (inputs, out) => {
    const input = inputs[0]!;
    let source = input;
    try {
      if (transpose) {
        source = backend.makeOutput([...transposedShape], 'float32');
        transpose(input, source);
      }
      f(idOf(records, 0, source), reduceSize, idOf(records, 1, out));
    } finally {
      if (source !== input) backend.disposeData(source.dataId);
    }
  }, () => heap.free());
}

/**
 * A convolution (FusedConv2D, FusedDepthwiseConv2D): the module takes its geometry as numbers, which TF.js works out
 * from the shapes and attributes on every call.
 */
function convolutionKernel(backend: WasmBackend, call: RecordedCall): DirectKernel | null {
  const f = moduleFunction(backend, call.name);
  const [xAt, filterAt, biasAt, preluAt] = positionsOf(call, ['x', 'filter', 'bias', 'preluActivationWeights']) as [number, number, number, number];
  const x = call.inputs[xAt], filter = call.inputs[filterAt];
  const { strides, pad, dilations, dataFormat, dimRoundingMode, activation, leakyreluAlpha } = call.attrs as {
    strides: number | [number, number]; pad: Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
    dilations: number | [number, number]; dataFormat: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil'; activation: string; leakyreluAlpha?: number;
  };
  const activationCode = ACTIVATION_CODES[activation];
  if (!f || !x || !filter || dataFormat !== 'NHWC' || activationCode === undefined) return null;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode,
    call.name === 'FusedDepthwiseConv2D');
  const { batchSize, inHeight, inWidth, filterHeight, filterWidth, padInfo, dilationHeight, dilationWidth, strideHeight,
    strideWidth, inChannels, outChannels } = info;
  const samePad = padInfo.type === 'SAME' ? 1 : 0;
  const alpha = leakyreluAlpha ?? 0;
  const records = new CallRecords(backend.dataIdMap);
  const outAt = call.inputs.length;
  return writingKernel(backend, { shape: call.outputs[0]!.shape, dtype: 'float32' }, (inputs, out) => {
    f(idOf(records, xAt, inputs[xAt]), batchSize, inHeight, inWidth, idOf(records, filterAt, inputs[filterAt]), filterHeight,
      filterWidth, optionalIdOf(records, inputs, biasAt), padInfo.top, padInfo.right, padInfo.bottom, padInfo.left, samePad,
      dilationHeight, dilationWidth, strideHeight, strideWidth, inChannels, outChannels, activationCode,
      optionalIdOf(records, inputs, preluAt), alpha, idOf(records, outAt, out));
  }, () => undefined, false);
}

/** A batched matrix product with bias and activation (_FusedMatMul): both operands' shapes stored once. */
function productKernel(backend: WasmBackend, call: RecordedCall): DirectKernel | null {
  const f = moduleFunction(backend, call.name);
  const [aAt, bAt, biasAt, preluAt] = positionsOf(call, ['a', 'b', 'bias', 'preluActivationWeights']) as [number, number, number, number];
  const a = call.inputs[aAt], b = call.inputs[bAt];
  const { transposeA, transposeB, activation, leakyreluAlpha } = call.attrs as {
    transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number;
  };
  const activationCode = ACTIVATION_CODES[activation];
  if (!f || !a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || activationCode === undefined) return null;
  const heap = new HeapWords(backend.wasm);
  const aShape = heap.store(a.shape), aRank = a.shape.length;
  const bShape = heap.store(b.shape), bRank = b.shape.length;
  const [flagA, flagB] = [transposeA ? 1 : 0, transposeB ? 1 : 0];
  const alpha = leakyreluAlpha ?? 0;
  const records = new CallRecords(backend.dataIdMap);
  const outAt = call.inputs.length;
  return writingKernel(backend, { shape: call.outputs[0]!.shape, dtype: 'float32' }, (inputs, out) => {
    f(idOf(records, aAt, inputs[aAt]), aShape, aRank, idOf(records, bAt, inputs[bAt]), bShape, bRank, flagA, flagB,
      activationCode, optionalIdOf(records, inputs, biasAt), optionalIdOf(records, inputs, preluAt), alpha,
      idOf(records, outAt, out));
  }, () => heap.free(), false);
}

/** A reshape shares its input's data under the recorded shape, as TF.js's own does, without working the shape out. */
function reshapeKernel(backend: WasmBackend, call: RecordedCall): DirectKernel | null {
  const x = call.inputs[0];
  if (!x || call.inputNames.join() !== 'x') return null;
  const { shape, dtype } = call.outputs[0]!;
  return {
    run: (inputs) => {
      const input = inputs[0]!;
      backend.incRef(input.dataId);
      return { dataId: input.dataId, shape: [...shape], dtype };
    },
    keepsNothing: false,
    dispose: () => undefined,
  };
}

/**
 * Kernels of our own in WebAssembly SIMD, run in tfjs-backend-wasm's memory on its tensors' values. A clamp, a
 * hardSwish or a mean over the middle axes is one pass over memory, four lanes a step; TF.js composes the first two of
 * three to four kernels (or we ran them as JavaScript loops, a value a step) and transposes for the third before
 * summing one lane at a time. A concatenation along an inner axis copies rows, where TF.js makes a subarray for each;
 * a matrix product of computed operands needs no XNNPACK operator set up (and b packed) for each call. Each step
 * rounds to float32 as the kernels replaced round, and sums add in the same order, so the values are theirs.
 *
 * The module is written here (runtime/wasm-code.ts), 3.4 kB, and instantiated once per wasm memory. Where it cannot be
 * (no SIMD, a page whose policy refuses wasm compilation, a memory we cannot find), callers run their JavaScript loops
 * or TF.js's kernels.
 */
import {
  advance, type Code, F32, f32, get, I32, i32, moduleBytes, op, set, tee, V128, v128LoadAt, v128StoreAt, type WasmFunction,
  whileBelow,
} from './wasm-code.js';
import { ROW_KERNEL_IMPORTS, ROW_KERNELS, rowKernelHost } from './wasm-row-kernels.js';

/** The kernels: addresses are byte offsets in the heap, sizes element counts. */
export interface SimdKernels {
  /** out = min(max(x, lo), hi). */
  clamp(x: number, out: number, size: number, lo: number, hi: number): void;
  /** out = min(max(alpha * x + beta, 0), 1). */
  hardSigmoid(x: number, out: number, size: number, alpha: number, beta: number): void;
  /** out = x * min(max(x + 3, 0), 6) / divisor. */
  hardSwish(x: number, out: number, size: number, divisor: number): void;
  /** out = x * min(max(x + 3, 0), 6). (The last argument is unused.) */
  hardSwishTimesSix(x: number, out: number, size: number, unused: number): void;
  /** x is [batches, rows, cols]; out [batches, cols] is the mean over rows. */
  meanOfRows(x: number, out: number, batches: number, rows: number, cols: number): void;
  /** Copies `rows` rows of `rowBytes` bytes (a multiple of 4) from x, one after another, to out, `outStride` apart. */
  copyRows(x: number, out: number, rows: number, rowBytes: number, outStride: number): void;
  /**
   * out[batch] = a[batch] [m, k] x b[batch] [k, n], for `batches` products; a's and b's matrices `aStride` and `bStride`
   * bytes apart (0: one matrix for every product).
   */
  matmul(a: number, b: number, out: number, batches: number, m: number, k: number, n: number, aStride: number,
    bStride: number): void;
  /**
   * out [size] += bias [columns] (where bias is not 0), row by row, then the activation of code `kind`
   * (wasm-row-kernels.ts) with `alpha`, prelu's slope [columns].
   */
  biasActivation(out: number, bias: number, slope: number, size: number, columns: number, kind: number, alpha: number): void;
  /** Layer normalization of each row of n values of x [size] into out, times scale, plus bias (each where not 0). */
  normalizeRows(x: number, out: number, scale: number, bias: number, size: number, n: number, epsilon: number, kind: number,
    alpha: number): void;
}

/** Parameters and locals of an elementwise kernel (x, out, size, a, b). */
const [X, OUT, SIZE, A, B, VECTOR_END, END, VA, VB, V, S] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

const splat = (value: number): Code => [...f32(value), ...op.f32x4Splat];

/**
 * out[i] = f(x[i]) for `size` elements: four at a time while four remain, then one at a time. `vector` maps the v128
 * on the stack (a, b splatted in locals VA, VB; V free), `scalar` the f32 (a, b in A, B; S free).
 */
function elementwise(name: string, vector: Code, scalar: Code): WasmFunction {
  const body = [
    ...get(SIZE), ...i32(-4), ...op.i32And, ...i32(2), ...op.i32Shl, ...get(X), ...op.i32Add, ...set(VECTOR_END),
    ...get(SIZE), ...i32(2), ...op.i32Shl, ...get(X), ...op.i32Add, ...set(END),
    ...get(A), ...op.f32x4Splat, ...set(VA),
    ...get(B), ...op.f32x4Splat, ...set(VB),
    ...whileBelow(X, get(VECTOR_END), [
      ...get(OUT), ...get(X), ...op.v128Load, ...vector, ...op.v128Store, ...advance(X, i32(16)), ...advance(OUT, i32(16)),
    ]),
    ...whileBelow(X, get(END), [
      ...get(OUT), ...get(X), ...op.f32Load, ...scalar, ...op.f32Store, ...advance(X, i32(4)), ...advance(OUT, i32(4)),
    ]),
  ];
  return { name, params: [I32, I32, I32, F32, F32], locals: [I32, I32, V128, V128, V128, F32], body };
}

const clamp = elementwise('clamp',
  [...get(VA), ...op.f32x4Max, ...get(VB), ...op.f32x4Min],
  [...get(A), ...op.f32Max, ...get(B), ...op.f32Min]);

const hardSigmoid = elementwise('hardSigmoid',
  [...get(VA), ...op.f32x4Mul, ...get(VB), ...op.f32x4Add, ...splat(0), ...op.f32x4Max, ...splat(1), ...op.f32x4Min],
  [...get(A), ...op.f32Mul, ...get(B), ...op.f32Add, ...f32(0), ...op.f32Max, ...f32(1), ...op.f32Min]);

/**
 * x * min(max(x + 3, 0), 6), then `divided` (the division costs more than the rest: hardSwish.timesSix has none). The
 * gate's bounds are wasm's pseudo-minimum and -maximum (one instruction each, where min and max, which order -0 before
 * +0 and keep NaN, take several): x + 3 is never -0, and where it is NaN, x is, and so is the product.
 */
function hardSwishOf(name: string, divided: boolean): WasmFunction {
  return elementwise(name, [
    ...tee(V), ...splat(3), ...op.f32x4Add, ...splat(0), ...op.f32x4PseudoMax, ...splat(6), ...op.f32x4PseudoMin,
    ...get(V), ...op.f32x4Mul, ...(divided ? [...get(VA), ...op.f32x4Div] : []),
  ], [
    ...tee(S), ...f32(3), ...op.f32Add, ...f32(0), ...op.f32Max, ...f32(6), ...op.f32Min,
    ...get(S), ...op.f32Mul, ...(divided ? [...get(A), ...op.f32Div] : []),
  ]);
}

/** meanOfRows's parameters (x, out, batches, rows, cols) and locals. */
const [MX, MOUT, BATCHES, ROWS, COLS, BATCH, ROW, C, ROW_BYTES, VECTOR_BYTES, VDIV, DIV] =
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** Over one output row, c from where it is: four lanes a step while four remain, then one. */
function overRow(vector: Code, scalar: Code): Code {
  return [
    ...whileBelow(C, get(VECTOR_BYTES), [...vector, ...advance(C, i32(16))]),
    ...whileBelow(C, get(ROW_BYTES), [...scalar, ...advance(C, i32(4))]),
  ];
}
const outAt: Code = [...get(MOUT), ...get(C), ...op.i32Add];
const xAt: Code = [...get(MX), ...get(C), ...op.i32Add];

// For each batch: the output row zeroed, each input row added to it in turn (the order TF.js's Mean sums in), then
// divided by the number of rows.
const meanOfRows: WasmFunction = {
  name: 'meanOfRows',
  params: [I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, I32, V128, F32],
  body: [
    ...get(COLS), ...i32(2), ...op.i32Shl, ...set(ROW_BYTES),
    ...get(COLS), ...i32(-4), ...op.i32And, ...i32(2), ...op.i32Shl, ...set(VECTOR_BYTES),
    ...get(ROWS), ...op.f32FromU32, ...tee(DIV), ...op.f32x4Splat, ...set(VDIV),
    ...i32(0), ...set(BATCH),
    ...whileBelow(BATCH, get(BATCHES), [
      ...i32(0), ...set(C),
      ...whileBelow(C, get(ROW_BYTES), [...outAt, ...f32(0), ...op.f32Store, ...advance(C, i32(4))]),
      ...i32(0), ...set(ROW),
      ...whileBelow(ROW, get(ROWS), [
        ...i32(0), ...set(C),
        ...overRow(
          [...outAt, ...outAt, ...op.v128Load, ...xAt, ...op.v128Load, ...op.f32x4Add, ...op.v128Store],
          [...outAt, ...outAt, ...op.f32Load, ...xAt, ...op.f32Load, ...op.f32Add, ...op.f32Store]),
        ...advance(MX, get(ROW_BYTES)),
        ...advance(ROW, i32(1)),
      ]),
      ...i32(0), ...set(C),
      ...overRow(
        [...outAt, ...outAt, ...op.v128Load, ...get(VDIV), ...op.f32x4Div, ...op.v128Store],
        [...outAt, ...outAt, ...op.f32Load, ...get(DIV), ...op.f32Div, ...op.f32Store]),
      ...advance(MOUT, get(ROW_BYTES)),
      ...advance(BATCH, i32(1)),
    ]),
  ],
};

/** copyRows's parameters (x, out, rows, rowBytes, outStride) and locals. */
const [CX, COUT, CROWS, CROW_BYTES, COUT_STRIDE, CROW, CC, CVECTOR_BYTES] = [0, 1, 2, 3, 4, 5, 6, 7];
const copyAt = (load: Code, store: Code): Code =>
  [...get(COUT), ...get(CC), ...op.i32Add, ...get(CX), ...get(CC), ...op.i32Add, ...load, ...store];

// Sixteen bytes a step while sixteen remain, then four (as 32-bit integers: float bits are copied as they are).
const copyRows: WasmFunction = {
  name: 'copyRows',
  params: [I32, I32, I32, I32, I32],
  locals: [I32, I32, I32],
  body: [
    ...get(CROW_BYTES), ...i32(-16), ...op.i32And, ...set(CVECTOR_BYTES),
    ...i32(0), ...set(CROW),
    ...whileBelow(CROW, get(CROWS), [
      ...i32(0), ...set(CC),
      ...whileBelow(CC, get(CVECTOR_BYTES), [...copyAt(op.v128Load, op.v128Store), ...advance(CC, i32(16))]),
      ...whileBelow(CC, get(CROW_BYTES), [...copyAt(op.i32Load, op.i32Store), ...advance(CC, i32(4))]),
      ...advance(CX, get(CROW_BYTES)),
      ...advance(COUT, get(COUT_STRIDE)),
      ...advance(CROW, i32(1)),
    ]),
  ],
};

/** matmul's parameters and locals (ACC0..ACC3 and AV v128, ACCS f32, the rest i32). */
const [MA, MB, MM_OUT, MBATCHES, MM, MK, MN, MA_STRIDE, MB_STRIDE] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [MBATCH, MI, MJ, MP, MPA, MPB, MROW_B, MEND16, MEND4, MOUT_ROW, MA_ROW] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const [ACC0, ACC1, ACC2, ACC3, AV, ACCS] = [20, 21, 22, 23, 24, 25];

/** The k loop of one block of output columns: PA walks a's row, PB b's column block, one row of b a step. */
function innerProduct(step: Code): Code {
  return [
    ...get(MA_ROW), ...set(MPA), ...get(MB), ...get(MJ), ...op.i32Add, ...set(MPB), ...i32(0), ...set(MP),
    ...whileBelow(MP, get(MK), [
      ...step, ...advance(MPA, i32(4)), ...advance(MPB, get(MROW_B)), ...advance(MP, i32(1)),
    ]),
  ];
}
/** acc += av * b[PB + offset], four lanes. */
const accumulate = (acc: number, offset: number): Code =>
  [...get(acc), ...get(AV), ...get(MPB), ...v128LoadAt(offset), ...op.f32x4Mul, ...op.f32x4Add, ...set(acc)];
const outAtJ: Code = [...get(MOUT_ROW), ...get(MJ), ...op.i32Add];

// Each output sums its k products in order, a multiplication then an addition each, in float32. Columns go sixteen at
// a time while sixteen remain (four accumulators share each value of a), then four, then one.
const matmul: WasmFunction = {
  name: 'matmul',
  params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, F32],
  body: [
    ...get(MN), ...i32(2), ...op.i32Shl, ...set(MROW_B),
    ...get(MROW_B), ...i32(-64), ...op.i32And, ...set(MEND16),
    ...get(MROW_B), ...i32(-16), ...op.i32And, ...set(MEND4),
    ...get(MM_OUT), ...set(MOUT_ROW),
    ...i32(0), ...set(MBATCH),
    ...whileBelow(MBATCH, get(MBATCHES), [
      ...get(MA), ...set(MA_ROW),
      ...i32(0), ...set(MI),
      ...whileBelow(MI, get(MM), [
        ...i32(0), ...set(MJ),
        ...whileBelow(MJ, get(MEND16), [
          ...splat(0), ...set(ACC0), ...splat(0), ...set(ACC1), ...splat(0), ...set(ACC2), ...splat(0), ...set(ACC3),
          ...innerProduct([
            ...get(MPA), ...op.f32Load, ...op.f32x4Splat, ...set(AV),
            ...accumulate(ACC0, 0), ...accumulate(ACC1, 16), ...accumulate(ACC2, 32), ...accumulate(ACC3, 48),
          ]),
          ...outAtJ, ...get(ACC0), ...v128StoreAt(0), ...outAtJ, ...get(ACC1), ...v128StoreAt(16),
          ...outAtJ, ...get(ACC2), ...v128StoreAt(32), ...outAtJ, ...get(ACC3), ...v128StoreAt(48),
          ...advance(MJ, i32(64)),
        ]),
        ...whileBelow(MJ, get(MEND4), [
          ...splat(0), ...set(ACC0),
          ...innerProduct([...get(MPA), ...op.f32Load, ...op.f32x4Splat, ...set(AV), ...accumulate(ACC0, 0)]),
          ...outAtJ, ...get(ACC0), ...v128StoreAt(0),
          ...advance(MJ, i32(16)),
        ]),
        ...whileBelow(MJ, get(MROW_B), [
          ...f32(0), ...set(ACCS),
          ...innerProduct([
            ...get(ACCS), ...get(MPA), ...op.f32Load, ...get(MPB), ...op.f32Load, ...op.f32Mul, ...op.f32Add, ...set(ACCS),
          ]),
          ...outAtJ, ...get(ACCS), ...op.f32Store,
          ...advance(MJ, i32(4)),
        ]),
        ...advance(MA_ROW, [...get(MK), ...i32(2), ...op.i32Shl]),
        ...advance(MOUT_ROW, get(MROW_B)),
        ...advance(MI, i32(1)),
      ]),
      ...advance(MA, get(MA_STRIDE)),
      ...advance(MB, get(MB_STRIDE)),
      ...advance(MBATCH, i32(1)),
    ]),
  ],
};

const FUNCTIONS: readonly WasmFunction[] = [
  clamp, hardSigmoid, hardSwishOf('hardSwish', true), hardSwishOf('hardSwishTimesSix', false), meanOfRows, copyRows,
  matmul, ...ROW_KERNELS,
];

/**
 * What we need of the wasm backend's emscripten module: its memory, which the threaded build shows as `wasmMemory`
 * (shared with its workers) and the others among their instance's exports.
 */
export interface WasmHeapModule {
  readonly asm?: Readonly<Record<string, unknown>>;
  readonly wasmMemory?: unknown;
  readonly HEAPU8: Uint8Array;
  readonly HEAPF32: Float32Array;
}

const kernelsByModule = new WeakMap<object, SimdKernels | null>();

/** The memory `module` keeps its heap in, where it shows it. */
function memoryOf(module: WasmHeapModule): WebAssembly.Memory | null {
  for (const value of [module.wasmMemory, ...Object.values(module.asm ?? {})]) {
    if (value instanceof WebAssembly.Memory && value.buffer === module.HEAPU8.buffer) return value;
  }
  return null;
}

function instantiate(memory: WebAssembly.Memory): SimdKernels | null {
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = moduleBytes(FUNCTIONS, shared, ROW_KERNEL_IMPORTS);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory, ...rowKernelHost } });
    return instance.exports as unknown as SimdKernels;
  } catch {
    // No SIMD in this engine, or a policy refusing wasm compilation: the callers' JavaScript runs instead.
    return null;
  }
}

/** Our kernels in the memory of the wasm backend's `module`, or null where they cannot run there. */
export function simdKernelsOf(module: WasmHeapModule): SimdKernels | null {
  let kernels = kernelsByModule.get(module);
  if (kernels === undefined) {
    const memory = typeof WebAssembly === 'object' ? memoryOf(module) : null;
    kernels = memory ? instantiate(memory) : null;
    kernelsByModule.set(module, kernels);
  }
  return kernels;
}

/**
 * Kernels of our own in WebAssembly over rows of float32 values in the wasm backend's heap, part of the module of
 * runtime/wasm-simd-kernels.ts: a product's bias and activation, and layer normalization with its activation. They
 * compute as the JavaScript they stand for (ops/js-product.ts, ops/normalization.ts, ops/js-activations.ts) computes:
 * each step in float64, in the same order, rounded to float32 once where JavaScript stores to a Float32Array; exp and
 * expm1 are the host's Math.exp and Math.expm1. The values are therefore the same to the last bit. They are no faster
 * than those loops by themselves; being calls into wasm, they can be recorded and made again by a steady replay
 * (runtime/kernel-replay.ts), without the bookkeeping of the kernels around them.
 */
import {
  advance, call, type Code, F32, f32, F64, f64, get, I32, i32, ifElse, op, set, tee, type WasmFunction, type WasmImport,
  whileBelow,
} from './wasm-code.js';

/** The activations the row kernels apply, by their code (the `kind` argument): FusedActivation kinds, and none. */
export const ACTIVATION_CODES: Readonly<Record<string, number>> = {
  linear: 0, relu: 1, relu6: 2, leakyrelu: 3, prelu: 4, elu: 5, sigmoid: 6,
};

/** The host functions the module imports, at these function indices. */
export const ROW_KERNEL_IMPORTS: readonly WasmImport[] = [
  { name: 'exp', params: [F64], result: F64 },
  { name: 'expm1', params: [F64], result: F64 },
];
const [EXP, EXPM1] = [0, 1];
export const rowKernelHost = { exp: Math.exp, expm1: Math.expm1 };

/** The locals activation() works with: a walk from `at` to `end`, y the value at `at`, j the byte offset in its row. */
interface Walk {
  readonly at: number;
  readonly end: number;
  readonly y: number;
  readonly j: number;
  readonly rowBytes: number;
  readonly kind: number;
  readonly alpha: number;
  readonly slope: number;
}

/** The activation of code `kind` applied to the values from `at` to `end`, as js-activations.ts applies it. */
function activation(w: Walk): Code {
  const store = (value: Code): Code => [...get(w.at), ...value, ...op.f32Store];
  const negative: Code = [...get(w.y), ...f32(0), ...op.f32Lt];
  const y64: Code = [...get(w.y), ...op.f64FromF32];
  const over = (body: Code): Code => whileBelow(w.at, get(w.end), [
    ...get(w.at), ...op.f32Load, ...set(w.y), ...body, ...advance(w.at, i32(4)),
  ]);
  const cases: readonly (readonly [string, Code])[] = [
    ['relu', over(store([...f32(0), ...get(w.y), ...negative, ...op.select]))],
    ['relu6', over(store([
      ...f32(0), ...f32(6), ...get(w.y), ...get(w.y), ...f32(6), ...op.f32Gt, ...op.select, ...negative, ...op.select,
    ]))],
    ['leakyrelu', over([...negative, ...ifElse(store([...get(w.alpha), ...y64, ...op.f64Mul, ...op.f32FromF64]))])],
    ['prelu', over([
      ...negative,
      ...ifElse(store([...get(w.slope), ...get(w.j), ...op.i32Add, ...op.f32Load, ...op.f64FromF32, ...y64, ...op.f64Mul,
        ...op.f32FromF64])),
      ...advance(w.j, i32(4)),
      ...get(w.j), ...get(w.rowBytes), ...op.i32Eq, ...ifElse([...i32(0), ...set(w.j)]),
    ])],
    ['elu', over([...negative, ...ifElse(store([...get(w.alpha), ...y64, ...call(EXPM1), ...op.f64Mul, ...op.f32FromF64]))])],
    ['sigmoid', over(store([...f64(1), ...f64(1), ...y64, ...op.f64Neg, ...call(EXP), ...op.f64Add, ...op.f64Div, ...op.f32FromF64]))],
  ];
  // if (kind == relu) { ... } else if (kind == relu6) { ... } ...
  return cases.reduceRight<Code>((otherwise, [kind, body]) =>
    [...get(w.kind), ...i32(ACTIVATION_CODES[kind]!), ...op.i32Eq, ...ifElse(body, otherwise)], []);
}

/** biasActivation's parameters (out, bias, slope, size, columns, kind, alpha) and locals. */
const [BOUT, BBIAS, BSLOPE, BSIZE, BCOLUMNS, BKIND, BALPHA, BAT, BEND, BJ, BROW_BYTES, BY] =
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/**
 * out += bias (one value per column, where bias is not 0), then the activation (prelu's slope one value per column):
 * js-product.ts's product epilogue.
 */
const biasActivation: WasmFunction = {
  name: 'biasActivation',
  params: [I32, I32, I32, I32, I32, I32, F64],
  locals: [I32, I32, I32, I32, F32],
  body: [
    ...get(BCOLUMNS), ...i32(2), ...op.i32Shl, ...set(BROW_BYTES),
    ...get(BSIZE), ...i32(2), ...op.i32Shl, ...get(BOUT), ...op.i32Add, ...set(BEND),
    ...get(BBIAS), ...i32(0), ...op.i32Ne,
    ...ifElse([
      ...get(BOUT), ...set(BAT), ...i32(0), ...set(BJ),
      ...whileBelow(BAT, get(BEND), [
        ...get(BAT),
        ...get(BAT), ...op.f32Load, ...op.f64FromF32, ...get(BBIAS), ...get(BJ), ...op.i32Add, ...op.f32Load, ...op.f64FromF32,
        ...op.f64Add, ...op.f32FromF64, ...op.f32Store,
        ...advance(BJ, i32(4)),
        ...get(BJ), ...get(BROW_BYTES), ...op.i32Eq, ...ifElse([...i32(0), ...set(BJ)]),
        ...advance(BAT, i32(4)),
      ]),
    ]),
    ...get(BOUT), ...set(BAT), ...i32(0), ...set(BJ),
    ...activation({ at: BAT, end: BEND, y: BY, j: BJ, rowBytes: BROW_BYTES, kind: BKIND, alpha: BALPHA, slope: BSLOPE }),
  ],
};

/** normalizeRows's parameters (x, out, scale, bias, size, n, epsilon, kind, alpha) and locals. */
const [NX, NOUT, NSCALE, NBIAS, NSIZE, NN, NEPSILON, NKIND, NALPHA] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [NROW, NROW_BYTES, NTOTAL, NI, NAT, NEND, NJ, NSLOPE] = [9, 10, 11, 12, 13, 14, 15, 16];
const [NSUM, NMEAN, NSQUARES, NRECIPROCAL, NV] = [17, 18, 19, 20, 21];
const NY = 22;

/** x[row + i] as float64. */
const xAtI: Code = [...get(NX), ...get(NROW), ...op.i32Add, ...get(NI), ...op.i32Add, ...op.f32Load, ...op.f64FromF32];
/** Over the current row: i from 0 to its byte length, four bytes a step. */
const overRowBytes = (body: Code): Code =>
  [...i32(0), ...set(NI), ...whileBelow(NI, get(NROW_BYTES), [...body, ...advance(NI, i32(4))])];
/** A parameter's value at i, as float64. */
const parameterAtI = (parameter: number): Code =>
  [...get(parameter), ...get(NI), ...op.i32Add, ...op.f32Load, ...op.f64FromF32];

/**
 * Layer normalization of each row of n values (size in all): mean and variance in float64 over two passes, then
 * (x - mean) * (1 / sqrt(variance + epsilon)), times scale and plus bias (each where not 0, one value per element of a
 * row), then the activation: normalization.ts's layerNormalization kernel.
 */
const normalizeRows: WasmFunction = {
  name: 'normalizeRows',
  params: [I32, I32, I32, I32, I32, I32, F64, I32, F64],
  locals: [I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F32],
  body: [
    ...get(NN), ...i32(2), ...op.i32Shl, ...set(NROW_BYTES),
    ...get(NSIZE), ...i32(2), ...op.i32Shl, ...set(NTOTAL),
    ...get(NN), ...i32(0), ...op.i32Ne,
    ...ifElse([
      ...i32(0), ...set(NROW),
      ...whileBelow(NROW, get(NTOTAL), [
        ...f64(0), ...set(NSUM),
        ...overRowBytes([...get(NSUM), ...xAtI, ...op.f64Add, ...set(NSUM)]),
        ...get(NSUM), ...get(NN), ...op.f64FromU32, ...op.f64Div, ...set(NMEAN),
        ...f64(0), ...set(NSQUARES),
        ...overRowBytes([
          ...xAtI, ...get(NMEAN), ...op.f64Sub, ...tee(NV), ...get(NV), ...op.f64Mul, ...get(NSQUARES), ...op.f64Add,
          ...set(NSQUARES),
        ]),
        ...f64(1), ...get(NSQUARES), ...get(NN), ...op.f64FromU32, ...op.f64Div, ...get(NEPSILON), ...op.f64Add,
        ...op.f64Sqrt, ...op.f64Div, ...set(NRECIPROCAL),
        ...overRowBytes([
          ...xAtI, ...get(NMEAN), ...op.f64Sub, ...get(NRECIPROCAL), ...op.f64Mul, ...set(NV),
          ...get(NSCALE), ...i32(0), ...op.i32Ne, ...ifElse([...get(NV), ...parameterAtI(NSCALE), ...op.f64Mul, ...set(NV)]),
          ...get(NBIAS), ...i32(0), ...op.i32Ne, ...ifElse([...get(NV), ...parameterAtI(NBIAS), ...op.f64Add, ...set(NV)]),
          ...get(NOUT), ...get(NROW), ...op.i32Add, ...get(NI), ...op.i32Add, ...get(NV), ...op.f32FromF64, ...op.f32Store,
        ]),
        ...advance(NROW, get(NROW_BYTES)),
      ]),
    ]),
    ...get(NOUT), ...set(NAT), ...get(NOUT), ...get(NTOTAL), ...op.i32Add, ...set(NEND), ...i32(0), ...set(NJ),
    ...i32(0), ...set(NSLOPE),
    ...activation({ at: NAT, end: NEND, y: NY, j: NJ, rowBytes: NROW_BYTES, kind: NKIND, alpha: NALPHA, slope: NSLOPE }),
  ],
};

export const ROW_KERNELS: readonly WasmFunction[] = [biasActivation, normalizeRows];

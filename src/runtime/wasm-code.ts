/**
 * Just enough of the WebAssembly binary format to write small modules of our own: functions over i32, f32, f64 and
 * v128 values that import one memory (and functions of the host) and export themselves (runtime/wasm-simd-kernels.ts).
 * Instructions are byte arrays; the helpers below name the few the kernels use.
 */

export type Code = readonly number[];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
type ValueType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
function unsigned(value: number): number[] {
  const bytes: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    bytes.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return bytes;
}

/** Signed LEB128 of a 32-bit integer. */
function signed(value: number): number[] {
  const bytes: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const name = (text: string): number[] => {
  const bytes = new TextEncoder().encode(text);
  return [...unsigned(bytes.length), ...bytes];
};
const vector = (items: readonly Code[]): number[] => [...unsigned(items.length), ...items.flat()];
const section = (id: number, items: readonly Code[]): number[] => {
  const body = vector(items);
  return [id, ...unsigned(body.length), ...body];
};

// Instructions. Memory accesses claim no alignment (the heap's allocations are 8-byte aligned, v128 wants 16) and
// take their address from the stack with no offset.
export const get = (local: number): Code => [0x20, ...unsigned(local)];
export const set = (local: number): Code => [0x21, ...unsigned(local)];
export const tee = (local: number): Code => [0x22, ...unsigned(local)];
export const i32 = (value: number): Code => [0x41, ...signed(value)];
export const f32 = (value: number): Code => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return [0x43, ...bytes];
};
export const f64 = (value: number): Code => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return [0x44, ...bytes];
};
/** Calls function `index` of the module (its imports first, then the functions it defines). */
export const call = (index: number): Code => [0x10, ...unsigned(index)];
/** if (i32 on the stack) { then } else { otherwise }. */
export const ifElse = (then: Code, otherwise: Code = []): Code =>
  [0x04, 0x40, ...then, ...(otherwise.length > 0 ? [0x05, ...otherwise] : []), 0x0b];
const SIMD = 0xfd;
const simd = (opcode: number): Code => [SIMD, ...unsigned(opcode)];
export const op = {
  i32Add: [0x6a], i32Mul: [0x6c], i32And: [0x71], i32Shl: [0x74], i32GeU: [0x4f], i32Eq: [0x46],
  i32Ne: [0x47], i32Load: [0x28, 0, 0], i32Store: [0x36, 0, 0],
  f32Load: [0x2a, 0, 0], f32Store: [0x38, 0, 0], f32Add: [0x92], f32Mul: [0x94], f32Div: [0x95], f32Min: [0x96],
  f32Max: [0x97], f32FromU32: [0xb3], f32Lt: [0x5d], f32Gt: [0x5e], f32FromF64: [0xb6],
  f64Add: [0xa0], f64Sub: [0xa1], f64Mul: [0xa2], f64Div: [0xa3], f64Sqrt: [0x9f], f64Neg: [0x9a], f64FromF32: [0xbb],
  f64FromU32: [0xb8], select: [0x1b],
  v128Load: [SIMD, 0x00, 0, 0], v128Store: [SIMD, 0x0b, 0, 0], f32x4Splat: simd(0x13), f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6), f32x4Div: simd(0xe7), f32x4Min: simd(0xe8), f32x4Max: simd(0xe9), f32x4PseudoMin: simd(0xea),
  f32x4PseudoMax: simd(0xeb),
} as const satisfies Record<string, Code>;

/** v128.load and v128.store at `offset` bytes past the address on the stack. */
export const v128LoadAt = (offset: number): Code => [SIMD, 0x00, 0, ...unsigned(offset)];
export const v128StoreAt = (offset: number): Code => [SIMD, 0x0b, 0, ...unsigned(offset)];

/** `local += step`, for an i32 local. */
export const advance = (local: number, step: Code): Code => [...get(local), ...step, ...op.i32Add, ...set(local)];

/** while (local < limit) { body }, comparing unsigned; `limit` pushes one i32. (br_if 1 leaves the block, br 0 loops.) */
export const whileBelow = (local: number, limit: Code, body: Code): Code => [
  0x02, 0x40, 0x03, 0x40, ...get(local), ...limit, ...op.i32GeU, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b,
];

export interface WasmFunction {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly locals: readonly ValueType[];
  readonly body: Code;
}

/** A function the module imports from the host (`env.<name>`), with its one result. */
export interface WasmImport {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly result: ValueType;
}

/** Pages a wasm32 memory may have at most: the bound a shared memory's import must declare. */
const MAX_PAGES = 65536;

/**
 * A module of `functions` (no results), each exported by its name, importing `env.memory` (any memory, or a shared one,
 * which needs its bound declared) and the functions `imports`, which take the first function indices (call()).
 */
export function moduleBytes(functions: readonly WasmFunction[], sharedMemory: boolean,
  imports: readonly WasmImport[] = []): Uint8Array<ArrayBuffer> {
  const types = [
    ...imports.map((f) => [0x60, ...vector(f.params.map((t) => [t])), 1, f.result]),
    ...functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), 0]),
  ];
  const limits = sharedMemory ? [0x03, 0, ...unsigned(MAX_PAGES)] : [0x00, 0];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, ...limits];
  const functionImports = imports.map((f, i) => [...name('env'), ...name(f.name), 0x00, ...unsigned(i)]);
  const bodies = functions.map((f) => {
    const body = [...vector(f.locals.map((t) => [1, t])), ...f.body, 0x0b];
    return [...unsigned(body.length), ...body];
  });
  const first = imports.length;
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, [...functionImports, memoryImport]),
    ...section(3, functions.map((_, i) => unsigned(first + i))),
    ...section(7, functions.map((f, i) => [...name(f.name), 0x00, ...unsigned(first + i)])),
    ...section(10, bodies),
  ]);
}

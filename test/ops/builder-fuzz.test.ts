/**
 * Seeded fuzzing of MLGraphBuilder: random operations with random and hostile arguments (wrong types, huge and
 * negative numbers, Symbols, BigInts, bad iterables, throwing conversions, other builders' operands, chains of earlier
 * results). Every call must return or throw a TypeError, one of the spec's DOMExceptions, or the caller's own error
 * from a conversion; take at most CALL_BOUND_MS; and no call may leave a TF.js tensor behind.
 * WEBNN_FUZZ_CALLS sets the number of calls per backend (default 2000), WEBNN_FUZZ_SEED the seed, and prints counts.
 */
import { builderFor, forEachBackend } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import type { MLContext } from '../../src/api/context.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import { seededRandom } from '../util/seeded-random.js';

const env = typeof process !== 'undefined' ? process.env : {};
const CALLS = Number(env['WEBNN_FUZZ_CALLS'] ?? 2000);
const SEED = Number(env['WEBNN_FUZZ_SEED'] ?? 20261206);
const REPORT = env['WEBNN_FUZZ_CALLS'] !== undefined;
const CALL_BOUND_MS = 100;
const DOM_EXCEPTIONS = new Set(['InvalidStateError', 'NotSupportedError', 'OperationError', 'DataError']);

/** The error a fuzzed conversion (valueOf, toString, an iterator) throws: it must reach the caller unchanged. */
class CallerError extends Error {}


const DATA_TYPES = ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64', 'int8', 'uint8'];
const STRINGS = ['nchw', 'nhwc', 'oihw', 'hwio', 'ohwi', 'ihwo', 'iohw', 'hwoi', 'linear', 'nearest-neighbor', 'constant',
  'edge', 'reflection', 'symmetric', 'floor', 'ceil', 'forward', 'backward', 'both', 'zrn', 'rzn', 'sigmoid', 'tanh', 'relu',
  'float32', 'int32', 'uint8', '', 'x', 'nchw\u0000'];
const OPTION_NAMES = ['axis', 'axes', 'padding', 'strides', 'dilations', 'groups', 'layout', 'inputLayout', 'filterLayout',
  'outputSizes', 'outputPadding', 'windowDimensions', 'outputShapeRounding', 'scales', 'sizes', 'mode', 'label', 'bias',
  'alpha', 'beta', 'epsilon', 'keepDimensions', 'upper', 'diagonal', 'minValue', 'maxValue', 'value', 'permutation',
  'scale', 'aTranspose', 'bTranspose', 'c', 'exclusive', 'reversed', 'outputDataType', 'activations', 'direction',
  'returnSequence', 'resetAfter', 'layout', 'initialHiddenState', 'initialCellState', 'recurrentBias', 'peepholeWeight',
  'batchDimensions', 'dataType', 'shape'];

class Fuzzer {
  readonly random: () => number;
  readonly operands: MLOperand[] = [];
  readonly foreign: MLOperand[] = [];

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  number(): number {
    switch (this.int(10)) {
      case 0: return this.pick([0, -0, 1, 2, 3, -1, -2]);
      case 1: return this.pick([NaN, Infinity, -Infinity]);
      case 2: return this.pick([2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, -(2 ** 31), 1e300, 65504, 65536]);
      case 3: return this.random() * 4 - 2;
      case 4: return this.int(2 ** 20);
      default: return this.int(5);
    }
  }

  shape(): number[] {
    const rank = this.int(7);
    return Array.from({ length: rank }, () => (this.int(20) === 0 ? this.pick([2 ** 16, 2 ** 20, 2 ** 31 - 1]) : 1 + this.int(4)));
  }

  /** The i-th argument: the first is mostly an operand, later ones mostly numbers, lists and dictionaries. */
  argument(i: number): unknown {
    if (i === 0 && this.int(4) !== 0 && this.operands.length) return this.pick(this.operands);
    if (i > 0 && this.int(3) === 0) return this.options(1);
    return this.value();
  }

  /** Any value a caller could pass, `depth` bounding nested lists and dictionaries. */
  value(depth = 0): unknown {
    const kinds = depth > 1 ? 9 : 14;
    switch (this.int(kinds)) {
      case 0: case 1: case 2: return this.operands.length ? this.pick(this.operands) : undefined;
      case 3: case 4: return this.number();
      case 5: return this.pick(STRINGS);
      case 6: return this.pick([undefined, null, true, false, 1n, -1n, 2n ** 64n, Symbol('fuzz'), {}, [], () => 1]);
      case 7: return this.hostile();
      case 8: return this.foreign.length ? this.pick(this.foreign) : null;
      case 9: case 10: return Array.from({ length: this.int(this.int(4) === 0 ? 9 : 5) }, () =>
        (this.int(3) === 0 ? this.value(depth + 1) : this.number()));
      case 11: return Array.from({ length: 1 + this.int(4) }, () => (this.operands.length ? this.pick(this.operands) : 0));
      default: return this.options(depth + 1);
    }
  }

  /** Values whose conversion misbehaves: throwing valueOf/toString/getters/iterators, or returning Symbols. */
  hostile(): unknown {
    const fail = () => { throw new CallerError('from the caller'); };
    switch (this.int(6)) {
      case 0: return { valueOf: fail, toString: fail };
      case 1: return { valueOf: () => Symbol('v'), toString: () => Symbol('t') };
      case 2: return { [Symbol.iterator]: fail };
      case 3: return { [Symbol.iterator]: () => ({ next: () => 7 }) };
      case 4: return Object.defineProperty({}, this.pick(OPTION_NAMES), { get: fail, enumerable: true });
      default: return { [Symbol.toPrimitive]: () => ({}) };
    }
  }

  options(depth: number): Record<string, unknown> {
    const dict: Record<string, unknown> = {};
    for (let i = this.int(4); i > 0; i--) dict[this.pick(OPTION_NAMES)] = this.value(depth);
    return dict;
  }

  input(b: MLGraphBuilder, name: string): MLOperand | null {
    try {
      return b.input(name, { dataType: this.pick(DATA_TYPES) as 'float32', shape: this.shape() });
    } catch {
      return null; // too large or an unsupported type: the call itself is fuzzed elsewhere
    }
  }
}

interface Counts {
  calls: number;
  returned: number;
  typeErrors: number;
  callerErrors: number;
  domExceptions: Record<string, number>;
  maxMs: number;
  slowest: string;
}

function describeCall(method: string, args: readonly unknown[]): string {
  const show = (v: unknown): string => {
    if (typeof v === 'symbol' || typeof v === 'bigint') return String(v);
    if (typeof v !== 'object' || v === null) return String(v);
    if ('shape' in v && 'dataType' in v) return `operand ${(v as MLOperand).dataType}[${(v as MLOperand).shape.join(',')}]`;
    try {
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)).slice(0, 120);
    } catch {
      return 'object';
    }
  };
  return `${method}(${args.map(show).join(', ')})`;
}

/** Runs the builder's `method`, the minimum time of up to three runs when the first is over the bound (load noise). */
function timedCall(builder: MLGraphBuilder, method: string, args: readonly unknown[]): { took: number; threw: boolean; outcome: unknown } {
  let took = Infinity;
  let threw = false;
  let outcome: unknown;
  for (let attempt = 0; attempt < 3 && took > CALL_BOUND_MS; attempt++) {
    const started = performance.now();
    threw = false;
    try {
      outcome = (builder as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
    } catch (error) {
      outcome = error;
      threw = true;
    }
    took = Math.min(took, performance.now() - started);
  }
  return { took, threw, outcome };
}

async function fuzz(context: MLContext, calls: number, seed: number): Promise<Counts> {
  const fuzzer = new Fuzzer(seed);
  const Builder = (globalThis as unknown as { MLGraphBuilder: new (c: MLContext) => MLGraphBuilder }).MLGraphBuilder;
  const foreignBuilder = new Builder(context);
  for (let i = 0; i < 4; i++) {
    const operand = fuzzer.input(foreignBuilder, `f${i}`);
    if (operand) fuzzer.foreign.push(operand);
  }
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(foreignBuilder) as object)
    .filter((m) => m !== 'constructor' && m !== 'build' &&
      typeof (foreignBuilder as unknown as Record<string, unknown>)[m] === 'function');
  const counts: Counts = { calls: 0, returned: 0, typeErrors: 0, callerErrors: 0, domExceptions: {}, maxMs: 0, slowest: '' };
  let builder = foreignBuilder;
  let inputs = 0;
  for (let call = 0; call < calls; call++) {
    // The last calls run on a lost context: the builder cannot build (InvalidStateError after argument conversion).
    if (call === Math.floor(calls * 0.95)) context.destroy();
    if (call % 200 === 0 && !(call >= calls * 0.95)) {
      // A fresh builder now and then keeps the operand pool and the graph small.
      builder = new Builder(context);
      fuzzer.operands.length = 0;
      for (let i = 0; i < 6; i++) {
        const operand = fuzzer.input(builder, `x${inputs++}`);
        if (operand) fuzzer.operands.push(operand);
      }
    }
    const method = fuzzer.pick(methods);
    const args = Array.from({ length: fuzzer.int(6) }, (_, i) => fuzzer.argument(i));
    if (method === 'input' && typeof args[0] === 'string') args[0] = `${args[0]}${inputs++}`;
    const { took, threw, outcome } = timedCall(builder, method, args);
    counts.calls++;
    if (took > counts.maxMs) [counts.maxMs, counts.slowest] = [took, describeCall(method, args)];
    if (took > CALL_BOUND_MS) throw new Error(`${describeCall(method, args)} took ${took.toFixed(0)} ms (seed ${seed}, call ${call})`);
    if (!threw) {
      counts.returned++;
      const results = Array.isArray(outcome) ? outcome : [outcome];
      for (const r of results) if (r && typeof r === 'object' && 'shape' in r && fuzzer.operands.length < 40) fuzzer.operands.push(r as MLOperand);
      continue;
    }
    if (outcome instanceof CallerError) {
      counts.callerErrors++;
    } else if (outcome instanceof TypeError) {
      counts.typeErrors++;
    } else if (outcome instanceof DOMException && DOM_EXCEPTIONS.has(outcome.name)) {
      counts.domExceptions[outcome.name] = (counts.domExceptions[outcome.name] ?? 0) + 1;
    } else {
      const what = outcome instanceof Error ? `${outcome.name}: ${outcome.message}\n${outcome.stack ?? ''}` : String(outcome);
      throw new Error(`${describeCall(method, args)} threw ${what} (seed ${seed}, call ${call})`);
    }
  }
  return counts;
}

forEachBackend('builder fuzzing', (backend) => {
  it(`${CALLS} seeded calls with random and hostile arguments: TypeError or a spec DOMException only, each within ` +
    `${CALL_BOUND_MS} ms, no tensor left behind`, async function () {
    this.timeout(Math.max(60_000, CALLS * 20));
    const context = await (navigator as unknown as { ml: { createContext(o: object): Promise<MLContext> } }).ml
      .createContext({ tfjsBackend: backend });
    await builderFor(backend); // the shared context too, whose backend must be ready for the count below
    // The engine's count over every backend (tf.memory() wants an initialised current backend), and the data the
    // context's backend itself holds.
    const held = () => [tf.engine().state.numTensors, tf.findBackend(backend)!.numDataIds()].join(' tensors, data ids ');
    const before = held();
    const counts = await fuzz(context, CALLS, SEED);
    const after = held();
    if (after !== before) throw new Error(`${before} -> ${after}`);
    if (!counts.returned || !counts.typeErrors || !counts.domExceptions['InvalidStateError']) {
      throw new Error(`no variety: ${JSON.stringify(counts)}`);
    }
    if (REPORT) console.log(`fuzz [${backend}] seed ${SEED}: ${JSON.stringify(counts)}`);
  });
});

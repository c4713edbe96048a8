import {
  assertClose, assertThrows, broadcastTo, builderFor, contextFor, forEachBackend, randomData, representable, runGraph,
  size,
  type RunResult,
} from '../util/harness.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { erf } from './erf-reference.js';

type Method = (...args: unknown[]) => MLOperand;
const method = (builder: unknown, op: string) => (builder as Record<string, Method>)[op]!.bind(builder);


/** The spec's cast of an option to the input type: nearest float, or NaN -> 0, clamp, round half to even for integers. */
function castOption(value: number, t: MLOperandDataType): number {
  if (t === 'float32' || t === 'float16') return representable([value], t)[0]!;
  if (Number.isNaN(value)) return 0;
  const [lo, hi] = t === 'int32' ? [-2147483648, 2147483647] : t === 'int8' ? [-128, 127] : [0, 255];
  const f = Math.floor(value);
  const d = value - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : (f % 2 === 0 ? f : f + 1);
  return Math.min(hi, Math.max(lo, r));
}

const wrapBig = (t: MLOperandDataType, x: bigint) => Number(BigInt.asIntN(t === 'int32' ? 32 : 8, x));

type Options = Record<string, number | bigint>;
interface ActivationSpec {
  ref: (x: number, o: Record<string, number>) => number;
  /** IDL defaults of the op's double options. */
  defaults: Record<string, number>;
  /** Non-default options to try. */
  options: Options[];
  range: [number, number];
  required: readonly MLOperandDataType[];
}
const FLOATS: readonly MLOperandDataType[] = ['float32', 'float16'];
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const ACTIVATIONS: Record<string, ActivationSpec> = {
  relu: { ref: (x) => Math.max(0, x), defaults: {}, options: [], range: [-5, 5], required: FLOATS },
  clamp: {
    ref: (x, o) => Math.min(Math.max(x, o['minValue']!), o['maxValue']!),
    defaults: { minValue: -Infinity, maxValue: Infinity },
    options: [{ minValue: -1.5 }, { maxValue: 2.25 }, { minValue: -1, maxValue: 1 }, { minValue: 0.1, maxValue: 0.1 }],
    range: [-5, 5], required: FLOATS,
  },
  sigmoid: { ref: (x) => 1 / (1 + Math.exp(-x)), defaults: {}, options: [], range: [-10, 10], required: FLOATS },
  tanh: { ref: Math.tanh, defaults: {}, options: [], range: [-5, 5], required: FLOATS },
  leakyRelu: {
    ref: (x, o) => Math.max(0, x) + o['alpha']! * Math.min(0, x), defaults: { alpha: 0.01 },
    options: [{ alpha: 0.3 }, { alpha: 2 }, { alpha: -0.5 }, { alpha: 0 }], range: [-5, 5], required: FLOATS,
  },
  hardSigmoid: {
    ref: (x, o) => Math.max(Math.min(o['alpha']! * x + o['beta']!, 1), 0), defaults: { alpha: 0.2, beta: 0.5 },
    options: [{ alpha: 0.5 }, { beta: 0.25 }, { alpha: -1, beta: 0.1 }], range: [-5, 5], required: FLOATS,
  },
  hardSwish: { ref: (x) => (x * Math.max(0, Math.min(6, x + 3))) / 6, defaults: {}, options: [], range: [-6, 6], required: FLOATS },
  elu: {
    ref: (x, o) => Math.max(0, x) + o['alpha']! * (Math.exp(Math.min(0, x)) - 1), defaults: { alpha: 1 },
    options: [{ alpha: 0.5 }, { alpha: 2 }, { alpha: -1 }], range: [-5, 5], required: FLOATS,
  },
  linear: {
    ref: (x, o) => o['alpha']! * x + o['beta']!, defaults: { alpha: 1, beta: 0 },
    options: [{ alpha: 2.5 }, { beta: -3 }, { alpha: -0.5, beta: 0.75 }], range: [-5, 5], required: FLOATS,
  },
  softplus: { ref: softplus, defaults: {}, options: [], range: [-20, 20], required: FLOATS },
  softsign: { ref: (x) => x / (1 + Math.abs(x)), defaults: {}, options: [], range: [-10, 10], required: FLOATS },
  gelu: { ref: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), defaults: {}, options: [], range: [-5, 5], required: FLOATS },
};
const TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const INT_RANGE: Partial<Record<MLOperandDataType, [number, number]>> = {
  int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

type Limits = Record<string, Record<string, { dataTypes: MLOperandDataType[] }>>;
async function limitsOf(backend: BackendName): Promise<Limits> {
  return (await contextFor(backend)).opSupportLimits() as unknown as Limits;
}

function resolvedOptions(spec: ActivationSpec, options: Options, t: MLOperandDataType): Record<string, number> {
  const o: Record<string, number> = {};
  for (const [k, v] of Object.entries({ ...spec.defaults, ...options })) o[k] = castOption(Number(v), t);
  return o;
}

function expected(values: readonly number[], t: MLOperandDataType): number[] {
  return t === 'float32' || t === 'float16' ? representable(values, t) : [...values];
}

async function runActivation(backend: BackendName, op: string, t: MLOperandDataType, shape: number[], data: number[],
  options?: Options): Promise<RunResult> {
  const result = await runGraph(backend, { x: { dataType: t, shape, data } },
    (builder, { x }) => ({ out: options ? method(builder, op)(x, options) : method(builder, op)(x) }));
  return result['out']!;
}

forEachBackend('activations', (backend) => {
  const shapes: number[][] = [[], [5], [2, 3], [1, 2, 1, 3, 2]];
  for (const [op, spec] of Object.entries(ACTIVATIONS)) {
    it(`${op}: advertises ${spec.required.join(', ')}; limits are {input, output}`, async () => {
      const limits = (await limitsOf(backend))[op]!;
      if (Object.keys(limits).sort().join() !== 'input,output') throw new Error(`members ${Object.keys(limits)}`);
      for (const t of spec.required) if (!limits['input']!.dataTypes.includes(t)) throw new Error(`${t} missing`);
    });
    for (const t of TYPES) {
      for (const shape of shapes) {
        it(`${op} ${t} [${shape}] with default options (computed when advertised, rejected otherwise)`, async () => {
          if (!(await limitsOf(backend))[op]!['input']!.dataTypes.includes(t)) {
            const builder = await builderFor(backend);
            await assertThrows(() => method(builder, op)(builder.input('x', { dataType: t, shape })), 'TypeError', op);
            return;
          }
          const [lo, hi] = INT_RANGE[t] ?? spec.range;
          const data = representable(randomData(size(shape), 3 + shape.length, lo, hi), t);
          const o = resolvedOptions(spec, {}, t);
          assertClose(await runActivation(backend, op, t, shape, data), { shape, data: expected(data.map((x) => spec.ref(x, o)), t) });
        });
      }
      for (const options of spec.options) {
        it(`${op} ${t} with options ${JSON.stringify(options)}`, async () => {
          if (!(await limitsOf(backend))[op]!['input']!.dataTypes.includes(t)) return; // rejection asserted above
          const [lo, hi] = INT_RANGE[t] ?? spec.range;
          const data = representable(randomData(24, 29, lo, hi), t);
          const o = resolvedOptions(spec, options, t);
          assertClose(await runActivation(backend, op, t, [4, 6], data, options),
            { shape: [4, 6], data: expected(data.map((x) => spec.ref(x, o)), t) });
        });
      }
    }
    for (const t of FLOATS) {
      it(`${op} ${t}: NaN, infinities, zeros and large magnitudes`, async () => {
        const data = representable([NaN, Infinity, -Infinity, 0, -0, 100, -100, 30, -30, 1e-4, -1e-4, 65504, -65504], t);
        const o = resolvedOptions(spec, {}, t);
        assertClose(await runActivation(backend, op, t, [data.length], data),
          { shape: [data.length], data: expected(data.map((x) => spec.ref(x, o)), t) });
      });
    }
  }

  describe('clamp', () => {
    for (const t of ['int32', 'int8', 'uint8'] as MLOperandDataType[]) {
      it(`${t}: bounds are cast to the input type (rounded half to even, saturated)`, async () => {
        if (!(await limitsOf(backend))['clamp']!['input']!.dataTypes.includes(t)) return;
        const [lo, hi] = INT_RANGE[t]!;
        const data = [lo, lo + 1, -3, -2, -1, 0, 1, 2, 3, 4, hi - 1, hi].filter((x) => x >= lo && x <= hi);
        const cases: Options[] = [{ minValue: 2.5 }, { maxValue: 3.5 }, { minValue: -1000, maxValue: 1000 }, { minValue: 1n, maxValue: 3n },
          { minValue: -2.5, maxValue: -2.4 }, { maxValue: -(2 ** 40) }];
        for (const options of cases) {
          const o = resolvedOptions(ACTIVATIONS['clamp']!, options, t);
          const result = await runActivation(backend, 'clamp', t, [data.length], data, options);
          assertClose(result, { shape: [data.length], data: data.map((x) => Math.min(Math.max(x, o['minValue']!), o['maxValue']!)) },
            undefined, `${t} ${String(Object.entries(options))}`);
        }
      });
    }

    it('bounds equal after the cast are accepted; min > max after the cast throws TypeError', async () => {
      const builder = await builderFor(backend);
      const i = builder.input('i', { dataType: 'int32', shape: [2] });
      const h = builder.input('h', { dataType: 'float16', shape: [2] });
      const f = builder.input('f', { dataType: 'float32', shape: [2] });
      method(builder, 'clamp')(i, { minValue: 2.4, maxValue: 2.1 });
      method(builder, 'clamp')(h, { minValue: 1.0001, maxValue: 1 });
      method(builder, 'clamp')(f, { minValue: Infinity, maxValue: Infinity });
      await assertThrows(() => method(builder, 'clamp')(f, { minValue: 1.0001, maxValue: 1 }), 'TypeError', 'clamp');
      await assertThrows(() => method(builder, 'clamp')(i, { minValue: 3, maxValue: 2 }), 'TypeError', 'clamp');
      await assertThrows(() => method(builder, 'clamp')(f, { minValue: 0, maxValue: -Infinity }), 'TypeError', 'clamp');
      await assertThrows(() => method(builder, 'clamp')(f, { minValue: Symbol('x') }), 'TypeError', 'clamp');
    });

    it('a NaN bound clamps nothing on that side', async () => {
      const data = [-5, NaN, 0, 5];
      const result = await runActivation(backend, 'clamp', 'float32', [4], data, { minValue: NaN, maxValue: 1 });
      assertClose(result, { shape: [4], data: [-5, NaN, 0, 1] });
    });

    it('float16 bounds are rounded to float16', async () => {
      const data = representable([0.05, 0.0999, 0.1, 0.2], 'float16');
      const result = await runActivation(backend, 'clamp', 'float16', [4], data, { minValue: 0.1, maxValue: 0.15 });
      const lo = representable([0.1], 'float16')[0]!;
      const hi = representable([0.15], 'float16')[0]!;
      assertClose(result, { shape: [4], data: data.map((x) => Math.min(Math.max(x, lo), hi)) }, { atol: 0, rtol: 0 });
    });
  });

  describe('prelu', () => {
    const reference = (x: number, s: number, t: MLOperandDataType) =>
      (t === 'float32' || t === 'float16' ? Math.max(0, x) + s * Math.min(0, x)
        : wrapBig(t, BigInt(Math.max(0, x)) + BigInt(s) * BigInt(Math.min(0, x))));
    const cases: [number[], number[]][] = [[[2, 3], [2, 3]], [[2, 3], [3]], [[3], [2, 3]], [[], [4]], [[4], []], [[], []],
      [[2, 1, 3, 1, 2], [1, 4, 1, 3, 1]]];
    for (const t of TYPES) {
      for (const [sx, ss] of cases) {
        it(`${t} input [${sx}], slope [${ss}] (computed when advertised, rejected otherwise)`, async () => {
          const limits = (await limitsOf(backend))['prelu']!;
          if (!limits['input']!.dataTypes.includes(t)) {
            const builder = await builderFor(backend);
            const x = builder.input('x', { dataType: t, shape: sx });
            await assertThrows(() => method(builder, 'prelu')(x, builder.input('s', { dataType: t, shape: ss })), 'TypeError', 'prelu');
            return;
          }
          const [lo, hi] = INT_RANGE[t] ?? [-5, 5];
          const x = representable(randomData(size(sx), 41, lo, hi), t);
          const s = representable(randomData(size(ss), 43, t === 'int32' ? -70000 : lo, t === 'int32' ? 70000 : hi), t);
          const r = Math.max(sx.length, ss.length);
          const out = Array.from({ length: r }, (_, i) => Math.max(sx[sx.length - r + i] ?? 1, ss[ss.length - r + i] ?? 1));
          const ex = broadcastTo(x, sx, out);
          const es = broadcastTo(s, ss, out);
          const result = await runGraph(backend, { x: { dataType: t, shape: sx, data: x }, s: { dataType: t, shape: ss, data: s } },
            (builder, { x: xi, s: si }) => ({ out: method(builder, 'prelu')(xi, si) }));
          assertClose(result['out']!, { shape: out, data: expected(ex.map((v, i) => reference(v, es[i]!, t)), t) });
        });
      }
    }

    it('int32 products beyond 2^53 wrap exactly', async () => {
      if (!(await limitsOf(backend))['prelu']!['input']!.dataTypes.includes('int32')) return;
      const x = [-2147483648, -123456789, -987654321, 5, -1];
      const s = [-2147483648, 987654321, 123456789, -7, -2147483648];
      const result = await runGraph(backend, { x: { dataType: 'int32', shape: [5], data: x }, s: { dataType: 'int32', shape: [5], data: s } },
        (builder, { x: xi, s: si }) => ({ out: method(builder, 'prelu')(xi, si) }));
      assertClose(result['out']!, { shape: [5], data: x.map((v, i) => reference(v, s[i]!, 'int32')) });
    });

    it('validation: slope type, broadcasting, operands', async () => {
      const builder = await builderFor(backend);
      const x = builder.input('x', { dataType: 'float32', shape: [2, 3] });
      await assertThrows(() => method(builder, 'prelu')(x, builder.input('a', { dataType: 'float16', shape: [3] })), 'TypeError', 'prelu');
      await assertThrows(() => method(builder, 'prelu')(x, builder.input('b', { dataType: 'float32', shape: [2] })), 'TypeError', 'prelu');
      await assertThrows(() => method(builder, 'prelu')(builder.input('u', { dataType: 'uint8', shape: [2] }),
        builder.input('v', { dataType: 'uint8', shape: [2] })), 'TypeError', 'prelu');
      await assertThrows(() => method(builder, 'prelu')(x, 0.5), 'TypeError', 'prelu');
      await assertThrows(() => method(builder, 'prelu')(x), 'TypeError');
      const other = (await builderFor(backend)).input('s', { dataType: 'float32', shape: [3] });
      await assertThrows(() => method(builder, 'prelu')(x, other), 'TypeError', 'prelu');
      const out = method(builder, 'prelu')(builder.input('c', { dataType: 'float32', shape: [3] }), builder.input('d', { dataType: 'float32', shape: [4, 1] }));
      if (out.dataType !== 'float32' || out.shape.join() !== '4,3') throw new Error(`${out.dataType} [${out.shape}]`);
      const limits = (await limitsOf(backend))['prelu']!;
      if (Object.keys(limits).sort().join() !== 'input,output,slope') throw new Error(`members ${Object.keys(limits)}`);
      if ((builder as unknown as Record<string, { length: number }>)['prelu']!.length !== 2) throw new Error('prelu.length');
    });
  });

  describe('validation', () => {
    for (const [op, spec] of Object.entries(ACTIVATIONS)) {
      it(`${op}: wrong data types, bad options, non-operands and foreign operands throw TypeError`, async () => {
        const builder = await builderFor(backend);
        const bad: MLOperandDataType[] = op === 'clamp' ? [] : op === 'relu' ? ['uint8'] : ['int32', 'int8', 'uint8'];
        for (const t of bad) {
          await assertThrows(() => method(builder, op)(builder.input(`x${t}`, { dataType: t, shape: [2] })), 'TypeError', op);
        }
        const x = builder.input('x', { dataType: 'float32', shape: [2, 2] });
        for (const member of Object.keys(spec.defaults)) {
          if (op === 'clamp') continue; // MLNumber is an unrestricted double
          for (const value of [NaN, Infinity, -Infinity, 'abc']) {
            await assertThrows(() => method(builder, op)(x, { [member]: value }), 'TypeError', op);
          }
        }
        await assertThrows(() => method(builder, op)(x, 5), 'TypeError', op);
        await assertThrows(() => method(builder, op)([x]), 'TypeError', op);
        await assertThrows(() => method(builder, op)(), 'TypeError');
        const other = (await builderFor(backend)).input('x', { dataType: 'float32', shape: [2] });
        await assertThrows(() => method(builder, op)(other, { label: 'lbl' }), 'TypeError', `${op} [lbl]`);
        const out = method(builder, op)(builder.input('h', { dataType: 'float16', shape: [3, 1] }), { label: 'fine' });
        if (out.dataType !== 'float16' || out.shape.join() !== '3,1') throw new Error(`${op}: ${out.dataType} [${out.shape}]`);
        if ((builder as unknown as Record<string, { length: number }>)[op]!.length !== 1) throw new Error(`${op}.length`);
      });
    }
  });
});

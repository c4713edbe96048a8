import type { MLContext } from '../../src/api/context.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../../src/types/float16.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
  typedArrayFor,
} from '../util/harness.js';

type Quantization = (input: MLOperand, scale: MLOperand, zeroPoint: MLOperand, options?: object) => MLOperand;
const methodOf = (b: MLGraphBuilder, op: 'quantizeLinear' | 'dequantizeLinear') =>
  (b as unknown as Record<string, Quantization>)[op]!.bind(b);

const toFloat16 = (x: number) => float16BitsToNumber(numberToFloat16Bits(x));
const RANGE: Partial<Record<MLOperandDataType, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int32: [-2147483648, 2147483647],
};

/** Round half to even. */
function roundEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** For every input position, the position of the blockwise parameter covering it. */
function blockIndex(inputShape: readonly number[], paramShape: readonly number[]): number[] {
  const inputStrides = strides(inputShape);
  const paramStrides = strides(paramShape);
  return Array.from({ length: size(inputShape) }, (_, p) => {
    let q = 0;
    for (let d = 0; d < inputShape.length; d++) {
      const c = Math.floor(p / inputStrides[d]!) % inputShape[d]!;
      q += Math.floor(c / (inputShape[d]! / paramShape[d]!)) * paramStrides[d]!;
    }
    return q;
  });
}

/**
 * clamp(roundEven(input / scale) + zeroPoint) to the zero point type's range. The quotient is the input type's
 * (float32 or float16) correctly rounded quotient; NaN gives 0.
 */
function quantizeReference(x: readonly number[], shape: readonly number[], scale: readonly number[],
  zeroPoint: readonly number[], paramShape: readonly number[], inputType: MLOperandDataType, outputType: MLOperandDataType) {
  const [lo, hi] = RANGE[outputType]!;
  const round = inputType === 'float16' ? toFloat16 : Math.fround;
  const blocks = blockIndex(shape, paramShape);
  const data = x.map((v, p) => {
    const q = round(v / scale[blocks[p]!]!);
    if (Number.isNaN(q)) return 0;
    return Math.min(Math.max(roundEven(q) + zeroPoint[blocks[p]!]!, lo), hi);
  });
  return { shape: [...shape], data };
}

/** (input - zeroPoint) * scale in float64. */
function dequantizeReference(x: readonly number[], shape: readonly number[], scale: readonly number[],
  zeroPoint: readonly number[], paramShape: readonly number[]) {
  const blocks = blockIndex(shape, paramShape);
  return { shape: [...shape], data: x.map((v, p) => (v - zeroPoint[blocks[p]!]!) * scale[blocks[p]!]!) };
}

// [input shape, scale / zeroPoint shape]: per tensor, per axis, blockwise on one or more axes, and layouts (three
// or more blocked axes) whose scale and zero point are expanded before the element-wise step.
const LAYOUTS: [number[], number[]][] = [
  [[], []],
  [[5], [1]],
  [[6], [6]],
  [[6], [2]],
  [[2, 3], [1, 1]],
  [[2, 3], [2, 1]],
  [[2, 3], [1, 3]],
  [[4, 6], [2, 3]],
  [[4, 6], [4, 2]],
  [[2, 3, 4], [1, 3, 1]],
  [[1, 4, 2, 6], [1, 2, 1, 3]],
  [[4, 4, 4], [2, 2, 2]],
  [[2, 4, 3, 4, 2], [2, 2, 3, 2, 1]],
  [[4, 2, 6, 1, 4], [2, 1, 3, 1, 2]],
];

const describeLayout = ([shape, paramShape]: [number[], number[]]) => `input [${shape}] scale [${paramShape}]`;

forEachBackend('quantizeLinear', (backend) => {
  for (const inputType of ['float32', 'float16'] as const) {
    for (const outputType of ['int8', 'uint8'] as const) {
      for (const layout of LAYOUTS) {
        const [shape, paramShape] = layout;
        it(`${inputType} -> ${outputType}, ${describeLayout(layout)}`, async () => {
          const [lo, hi] = RANGE[outputType]!;
          const scale = representable(randomData(size(paramShape), 3, 0.05, 2), inputType);
          const zeroPoint = representable(randomData(size(paramShape), 4, lo / 2, hi / 2), outputType);
          const x = representable(randomData(size(shape), 5, -150, 150), inputType);
          const expected = quantizeReference(x, shape, scale, zeroPoint, paramShape, inputType, outputType);
          const result = await runGraph(backend, {
            x: { dataType: inputType, shape, data: x },
            s: { dataType: inputType, shape: paramShape, data: scale },
            z: { dataType: outputType, shape: paramShape, data: zeroPoint },
          }, (b, { x: xo, s, z }) => ({ out: methodOf(b, 'quantizeLinear')(xo!, s!, z!) }));
          assertClose(result['out']!, expected);
        });
      }
    }
  }

  it('rounds half to even: ties of input / scale', async () => {
    const x = [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, -4.5, 0.25, -0.75, 6.5];
    const scales = [1, 0.5, 0.25, 2];
    for (const scale of scales) {
      const data = x.map((v) => v * scale);
      const result = await runGraph(backend, {
        x: { dataType: 'float32', shape: [x.length], data },
        s: { dataType: 'float32', shape: [1], data: [scale] },
        z: { dataType: 'int8', shape: [1], data: [0] },
      }, (b, { x: xo, s, z }) => ({ out: methodOf(b, 'quantizeLinear')(xo!, s!, z!) }));
      assertClose(result['out']!, { shape: [x.length], data: [-4, -2, -2, 0, 0, 2, 2, 4, 4, 6, -4, 0, -1, 6] },
        undefined, `scale ${scale}`);
    }
  });

  it('ties with a zero point: roundEven before adding it', async () => {
    const x = [0.5, 1.5, 2.5, -0.5, -1.5];
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [5], data: x },
      s: { dataType: 'float32', shape: [1], data: [1] },
      z: { dataType: 'uint8', shape: [1], data: [3] },
    }, (b, { x: xo, s, z }) => ({ out: methodOf(b, 'quantizeLinear')(xo!, s!, z!) }));
    assertClose(result['out']!, { shape: [5], data: [3, 5, 5, 3, 1] });
  });

  it('saturates to the int8 and uint8 ranges; infinities saturate, NaN gives 0', async () => {
    const x = [-1e9, -300, -129, -128.5, -127.5, 126.5, 127.5, 128, 255.5, 256, 1e9, -Infinity, Infinity, NaN];
    for (const [outputType, zero] of [['int8', 0], ['int8', -100], ['int8', 100], ['uint8', 0], ['uint8', 200]] as const) {
      const result = await runGraph(backend, {
        x: { dataType: 'float32', shape: [x.length], data: x },
        s: { dataType: 'float32', shape: [1], data: [1] },
        z: { dataType: outputType, shape: [1], data: [zero] },
      }, (b, { x: xo, s, z }) => ({ out: methodOf(b, 'quantizeLinear')(xo!, s!, z!) }));
      assertClose(result['out']!, quantizeReference(x, [x.length], [1], [zero], [1], 'float32', outputType),
        undefined, `${outputType} zero point ${zero}`);
    }
  });

  it('float16: the quotient is rounded to float16 before roundEven', async () => {
    // Every float16 in [16, 32): some quotients lie within half a float16 step of a tie, which float16 rounds onto.
    const x: number[] = [];
    for (let v = 16; v < 32; v += 1 / 64) x.push(v);
    const scale = toFloat16(0.3);
    const f32 = x.map((v) => roundEven(Math.fround(v / scale)));
    const f16 = x.map((v) => roundEven(toFloat16(v / scale)));
    if (!f32.some((q, i) => q !== f16[i])) throw new Error('the test data does not tell float16 from float32');
    const result = await runGraph(backend, {
      x: { dataType: 'float16', shape: [x.length], data: x },
      s: { dataType: 'float16', shape: [1], data: [scale] },
      z: { dataType: 'uint8', shape: [1], data: [0] },
    }, (b, { x: xo, s, z }) => ({ out: methodOf(b, 'quantizeLinear')(xo!, s!, z!) }));
    assertClose(result['out']!, { shape: [x.length], data: f16 });
  });

  it('constant scale and zero point, blockwise (prepared when built)', async () => {
    const shape = [4, 6];
    const paramShape = [2, 3];
    const scale = [0.5, 0.25, 2, 1, 0.125, 4];
    const zeroPoint = [0, 10, -10, 127, -128, 5];
    const x = representable(randomData(24, 8, -40, 40), 'float32');
    const result = await runGraph(backend, { x: { dataType: 'float32', shape, data: x } }, (b, { x: xo }) => ({
      out: methodOf(b, 'quantizeLinear')(xo!,
        b.constant({ dataType: 'float32', shape: paramShape }, Float32Array.from(scale)),
        b.constant({ dataType: 'int8', shape: paramShape }, Int8Array.from(zeroPoint))),
    }));
    assertClose(result['out']!, quantizeReference(x, shape, scale, zeroPoint, paramShape, 'float32', 'int8'));
  });

  it('quantize then dequantize', async () => {
    const x = representable(randomData(12, 9, -5, 5), 'float32');
    const result = await runGraph(backend, { x: { dataType: 'float32', shape: [3, 4], data: x } }, (b, { x: xo }) => {
      const s = b.constant({ dataType: 'float32', shape: [3, 1] }, Float32Array.from([0.05, 0.1, 0.03125]));
      const z = b.constant({ dataType: 'uint8', shape: [3, 1] }, Uint8Array.from([128, 100, 160]));
      return { out: methodOf(b, 'dequantizeLinear')(methodOf(b, 'quantizeLinear')(xo!, s, z), s, z) };
    });
    const scale = [0.05, 0.1, 0.03125].map(Math.fround);
    const zero = [128, 100, 160];
    const q = quantizeReference(x, [3, 4], scale, zero, [3, 1], 'float32', 'uint8');
    assertClose(result['out']!, dequantizeReference(q.data, [3, 4], scale, zero, [3, 1]));
  });

  it('advertises float inputs and int8 / uint8 outputs', async () => {
    const ctx = await contextFor(backend) as MLContext;
    const limits = (ctx.opSupportLimits() as unknown as Record<string, Record<string, { dataTypes: string[];
      rankRange: { min: number; max: number } }>>)['quantizeLinear']!;
    if (Object.keys(limits).sort().join() !== 'input,output,scale,zeroPoint') throw new Error('members');
    if (limits['input']!.dataTypes.join() !== 'float32,float16') throw new Error(`input ${limits['input']!.dataTypes}`);
    if (limits['scale']!.dataTypes.join() !== 'float32,float16') throw new Error(`scale ${limits['scale']!.dataTypes}`);
    if (limits['zeroPoint']!.dataTypes.join() !== 'int8,uint8') throw new Error(`zeroPoint ${limits['zeroPoint']!.dataTypes}`);
    if (limits['output']!.dataTypes.join() !== 'int8,uint8') throw new Error(`output ${limits['output']!.dataTypes}`);
    for (const m of Object.values(limits)) if (m.rankRange.min !== 0 || m.rankRange.max < 5) throw new Error('ranks');
  });

  it('rejects invalid operands and shapes', async () => {
    const b = await builderFor(backend);
    const q = methodOf(b, 'quantizeLinear');
    const x = b.input('x', { dataType: 'float32', shape: [4, 6] });
    const s = b.input('s', { dataType: 'float32', shape: [2, 3] });
    const z = b.input('z', { dataType: 'int8', shape: [2, 3] });
    const where = 'quantizeLinear';
    await assertThrows(() => q(b.input('xi', { dataType: 'int32', shape: [4, 6] }), s, z), 'TypeError', where);
    await assertThrows(() => q(x, b.input('s16', { dataType: 'float16', shape: [2, 3] }), z), 'TypeError', where);
    await assertThrows(() => q(x, b.input('si', { dataType: 'int8', shape: [2, 3] }), z), 'TypeError', where);
    await assertThrows(() => q(x, s, b.input('zf', { dataType: 'float32', shape: [2, 3] })), 'TypeError', where);
    await assertThrows(() => q(x, s, b.input('z32', { dataType: 'int32', shape: [2, 3] })), 'TypeError', where);
    // Ranks must match the input's: no broadcasting of a lower-rank scale.
    await assertThrows(() => q(x, b.input('s1', { dataType: 'float32', shape: [3] }), b.input('z1', { dataType: 'int8', shape: [3] })),
      'TypeError', where);
    await assertThrows(() => q(x, s, b.input('z3', { dataType: 'int8', shape: [2, 3, 1] })), 'TypeError', where);
    await assertThrows(() => q(x, s, b.input('zs', { dataType: 'int8', shape: [1, 3] })), 'TypeError', where);
    // 4 is no multiple of 3, nor 6 of 4.
    await assertThrows(() => q(x, b.input('s43', { dataType: 'float32', shape: [3, 3] }), b.input('z43', { dataType: 'int8', shape: [3, 3] })),
      'TypeError', where);
    await assertThrows(() => q(x, b.input('s24', { dataType: 'float32', shape: [2, 4] }), b.input('z24', { dataType: 'int8', shape: [2, 4] })),
      'TypeError', where);
    await assertThrows(() => q(x, b.input('s8', { dataType: 'float32', shape: [8, 6] }), b.input('z8', { dataType: 'int8', shape: [8, 6] })),
      'TypeError', where);
    const other = (await builderFor(backend)).input('s', { dataType: 'float32', shape: [2, 3] });
    await assertThrows(() => q(x, other, z), 'TypeError', where);
    const out = q(x, s, b.input('zu', { dataType: 'uint8', shape: [2, 3] }), { label: 'ok' });
    if (out.dataType !== 'uint8' || out.shape.join() !== '4,6') throw new Error(`output ${out.dataType} [${out.shape}]`);
  });
});

forEachBackend('dequantizeLinear', (backend) => {
  for (const inputType of ['int8', 'uint8', 'int32'] as const) {
    for (const outputType of ['float32', 'float16'] as const) {
      for (const layout of LAYOUTS) {
        const [shape, paramShape] = layout;
        it(`${inputType} -> ${outputType}, ${describeLayout(layout)}`, async () => {
          const [lo, hi] = RANGE[inputType]!;
          const x = representable(randomData(size(shape), 6, lo, hi), inputType);
          const zeroPoint = representable(randomData(size(paramShape), 7, lo, hi), inputType);
          // Scales keep int32 results within float16's range.
          const scaleRange: [number, number] = inputType === 'int32' && outputType === 'float16' ? [1e-6, 1e-5] : [0.01, 2];
          const scale = representable(randomData(size(paramShape), 8, ...scaleRange), outputType);
          const result = await runGraph(backend, {
            x: { dataType: inputType, shape, data: x },
            s: { dataType: outputType, shape: paramShape, data: scale },
            z: { dataType: inputType, shape: paramShape, data: zeroPoint },
          }, (b, { x: xo, s, z }) => ({ out: methodOf(b, 'dequantizeLinear')(xo!, s!, z!) }));
          assertClose(result['out']!, dequantizeReference(x, shape, scale, zeroPoint, paramShape));
        });
      }
    }
  }

  it('int32 differences beyond the int32 range and beyond 2^24', async () => {
    const x = [2147483647, -2147483648, 2147483647, -2147483648, 16777217, 1073741825, -5, 0];
    const zeroPoint = [-2147483648, 2147483647, 2147483646, -2147483647, 16777216, -1073741823, 2147483647, -2147483648];
    const scale = [1, 0.5, 3, 0.25, 1, 1, 1, 2];
    const result = await runGraph(backend, {
      x: { dataType: 'int32', shape: [8], data: x },
      s: { dataType: 'float32', shape: [8], data: scale },
      z: { dataType: 'int32', shape: [8], data: zeroPoint },
    }, (b, { x: xo, s, z }) => ({ out: methodOf(b, 'dequantizeLinear')(xo!, s!, z!) }));
    const expected = dequantizeReference(x, [8], scale, zeroPoint, [8]);
    // Each difference is an integer of at most 33 bits: the float32 result is its correctly rounded product.
    assertClose(result['out']!, { shape: [8], data: expected.data.map(Math.fround) }, { atol: 0, rtol: 0 });
  });

  it('int8 and uint8 extremes, exactly', async () => {
    for (const [inputType, x, zero] of [
      ['int8', [-128, 127, 0, -1, 1], 127], ['int8', [-128, 127, 0, -1, 1], -128], ['uint8', [0, 255, 128, 1, 254], 255],
      ['uint8', [0, 255, 128, 1, 254], 0],
    ] as const) {
      const result = await runGraph(backend, {
        x: { dataType: inputType, shape: [5], data: [...x] },
        s: { dataType: 'float32', shape: [1], data: [0.5] },
        z: { dataType: inputType, shape: [1], data: [zero] },
      }, (b, { x: xo, s, z }) => ({ out: methodOf(b, 'dequantizeLinear')(xo!, s!, z!) }));
      assertClose(result['out']!, { shape: [5], data: x.map((v) => (v - zero) * 0.5) }, { atol: 0, rtol: 0 },
        `${inputType} zero point ${zero}`);
    }
  });

  it('constant input, scale and zero point (computed once when built)', async () => {
    const x = [-128, -1, 0, 1, 64, 127];
    const result = await runGraph(backend, {}, (b) => ({
      out: methodOf(b, 'dequantizeLinear')(
        b.constant({ dataType: 'int8', shape: [2, 3] }, typedArrayFor({ dataType: 'int8', shape: [2, 3], data: x })),
        b.constant({ dataType: 'float16', shape: [2, 1] }, typedArrayFor({ dataType: 'float16', shape: [2, 1], data: [0.5, 0.125] })),
        b.constant({ dataType: 'int8', shape: [2, 1] }, Int8Array.from([-2, 3]))),
    }));
    assertClose(result['out']!, dequantizeReference(x, [2, 3], [0.5, 0.125], [-2, 3], [2, 1]));
  });

  it('advertises int8, uint8 and int32 inputs, float outputs', async () => {
    const ctx = await contextFor(backend) as MLContext;
    const limits = (ctx.opSupportLimits() as unknown as Record<string, Record<string, { dataTypes: string[] }>>)['dequantizeLinear']!;
    if (Object.keys(limits).sort().join() !== 'input,output,scale,zeroPoint') throw new Error('members');
    for (const m of ['input', 'zeroPoint']) {
      for (const t of ['int8', 'uint8', 'int32']) if (!limits[m]!.dataTypes.includes(t)) throw new Error(`${m} lacks ${t}`);
    }
    for (const m of ['scale', 'output']) {
      if (limits[m]!.dataTypes.join() !== 'float32,float16') throw new Error(`${m} ${limits[m]!.dataTypes}`);
    }
  });

  it('rejects invalid operands and shapes', async () => {
    const b = await builderFor(backend);
    const dq = methodOf(b, 'dequantizeLinear');
    const x = b.input('x', { dataType: 'int8', shape: [4, 6] });
    const s = b.input('s', { dataType: 'float32', shape: [2, 3] });
    const z = b.input('z', { dataType: 'int8', shape: [2, 3] });
    const where = 'dequantizeLinear';
    await assertThrows(() => dq(b.input('xf', { dataType: 'float32', shape: [4, 6] }), s, z), 'TypeError', where);
    await assertThrows(() => dq(x, b.input('si', { dataType: 'int32', shape: [2, 3] }), z), 'TypeError', where);
    await assertThrows(() => dq(x, s, b.input('zu', { dataType: 'uint8', shape: [2, 3] })), 'TypeError', where);
    await assertThrows(() => dq(x, s, b.input('z32', { dataType: 'int32', shape: [2, 3] })), 'TypeError', where);
    await assertThrows(() => dq(x, b.input('s1', { dataType: 'float32', shape: [3] }), b.input('z1', { dataType: 'int8', shape: [3] })),
      'TypeError', where);
    await assertThrows(() => dq(x, s, b.input('zs', { dataType: 'int8', shape: [2, 1] })), 'TypeError', where);
    await assertThrows(() => dq(x, b.input('s45', { dataType: 'float32', shape: [4, 5] }), b.input('z45', { dataType: 'int8', shape: [4, 5] })),
      'TypeError', where);
    const other = (await builderFor(backend)).input('z', { dataType: 'int8', shape: [2, 3] });
    await assertThrows(() => dq(x, s, other), 'TypeError', where);
    const out = dq(x, b.input('s16', { dataType: 'float16', shape: [1, 1] }), b.input('z11', { dataType: 'int8', shape: [1, 1] }),
      { label: 'ok' });
    if (out.dataType !== 'float16' || out.shape.join() !== '4,6') throw new Error(`output ${out.dataType} [${out.shape}]`);
  });
});

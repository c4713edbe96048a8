import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../../src/types/float16.js';
import {
  assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size, strides, typedArrayFor,
} from '../util/harness.js';

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;

/** Float64 reference: direct loop over the flat index, reading the channel from the `axis` coordinate. */
function batchNormRef(x: number[], shape: number[], axis: number, mean: number[], variance: number[],
  scale: number[] | undefined, bias: number[] | undefined, epsilon: number): number[] {
  const st = strides(shape);
  return x.map((v, i) => {
    const c = Math.floor(i / st[axis]!) % shape[axis]!;
    return ((v - mean[c]!) / Math.sqrt(variance[c]! + epsilon)) * (scale ? scale[c]! : 1) + (bias ? bias[c]! : 0);
  });
}

interface Case {
  shape: number[];
  axis?: number;
  scale?: boolean;
  bias?: boolean;
  epsilon?: number;
}

const cases: Case[] = [
  { shape: [2, 3, 4, 2], scale: true, bias: true },
  { shape: [2, 3, 4, 2] },
  { shape: [1, 4, 3, 5], axis: 3, scale: true },
  { shape: [3, 2, 4], axis: 0, bias: true, epsilon: 1e-3 },
  { shape: [2, 3, 2, 2, 3], axis: 2, scale: true, bias: true },
  { shape: [2, 3, 2, 2, 3], axis: 4, scale: true, bias: true },
  { shape: [5], axis: 0, scale: true, bias: true, epsilon: 0 },
  { shape: [3, 4], axis: 1, scale: true, bias: true, epsilon: 0.5 },
];

forEachBackend('batchNormalization', (backend) => {
  const run = async (c: Case, dataType: MLOperandDataType, constants: boolean) => {
    const axis = c.axis ?? 1;
    const channels = c.shape[axis]!;
    const x = representable(randomData(size(c.shape), 41, -3, 3), dataType);
    const mean = representable(randomData(channels, 43, -1, 1), dataType);
    const variance = representable(randomData(channels, 47, 0.05, 2), dataType);
    const scale = c.scale ? representable(randomData(channels, 53, -2, 2), dataType) : undefined;
    const bias = c.bias ? representable(randomData(channels, 59, -1, 1), dataType) : undefined;
    const epsilonOption = c.epsilon ?? 1e-5;
    // The spec casts epsilon to the input's data type.
    const epsilon = dataType === 'float16' ? float16BitsToNumber(numberToFloat16Bits(epsilonOption)) : Math.fround(epsilonOption);
    const expected = batchNormRef(x, c.shape, axis, mean, variance, scale, bias, epsilon);
    const params: Record<string, number[] | undefined> = { mean, variance, scale, bias };
    const inputs: Record<string, { dataType: MLOperandDataType; shape: number[]; data: number[] }> = {
      x: { dataType, shape: c.shape, data: x },
    };
    if (!constants) {
      for (const [name, data] of Object.entries(params)) if (data) inputs[name] = { dataType, shape: [channels], data };
    }
    const result = await runGraph(backend, inputs, (b, ops) => {
      const builder = b as Builder;
      const operand = (name: string): MLOperand | undefined => {
        const data = params[name];
        if (!data) return undefined;
        return constants ? builder.constant({ dataType, shape: [channels] }, typedArrayFor({ dataType, shape: [channels], data })) : ops[name];
      };
      const options: Record<string, unknown> = { scale: operand('scale'), bias: operand('bias') };
      if (c.axis !== undefined) options['axis'] = c.axis;
      if (c.epsilon !== undefined) options['epsilon'] = c.epsilon;
      return { out: builder.batchNormalization(ops['x'], operand('mean'), operand('variance'), options) };
    });
    const want = dataType === 'float16' ? representable(expected, 'float16') : expected;
    assertClose(result['out']!, { shape: c.shape, data: want }, dataType === 'float32' ? { atol: 1e-5, rtol: 1e-5 } : undefined);
  };
  for (const c of cases) {
    const title = `[${c.shape}] axis ${c.axis ?? 1}${c.scale ? ' scale' : ''}${c.bias ? ' bias' : ''} epsilon ${c.epsilon ?? 1e-5}`;
    it(`${title} (parameters as inputs)`, () => run(c, 'float32', false));
    it(`${title} (parameters as constants)`, () => run(c, 'float32', true));
  }
  it('float16', async () => {
    await run(cases[0]!, 'float16', true);
    await run(cases[3]!, 'float16', false);
  });

  describe('validation', () => {
    const check = async (body: (b: Builder, x: MLOperand, p: (shape?: number[], t?: MLOperandDataType) => MLOperand) => unknown,
      shape = [2, 3, 4, 4], dataType: MLOperandDataType = 'float32') => {
      const b = (await builderFor(backend)) as Builder;
      const x = b.input('x', { dataType, shape });
      let n = 0;
      const p = (pshape = [3], t: MLOperandDataType = dataType) => b.input(`p${n++}`, { dataType: t, shape: pshape });
      await assertThrows(() => body(b, x, p), 'TypeError', /^batchNormalization: /);
    };
    it('data types', async () => {
      await check((b, x, p) => b.batchNormalization(x, p(), p()), [2, 3, 4, 4], 'int32');
      await check((b, x, p) => b.batchNormalization(x, p([3], 'float16'), p()));
      await check((b, x, p) => b.batchNormalization(x, p(), p([3], 'float16')));
      await check((b, x, p) => b.batchNormalization(x, p(), p(), { scale: p([3], 'float16') }));
      await check((b, x, p) => b.batchNormalization(x, p(), p(), { bias: p([3], 'int32') }));
    });
    it('parameter shapes and axis', async () => {
      await check((b, x, p) => b.batchNormalization(x, p([4]), p()));
      await check((b, x, p) => b.batchNormalization(x, p(), p([1, 3])));
      await check((b, x, p) => b.batchNormalization(x, p(), p(), { scale: p([2]) }));
      await check((b, x, p) => b.batchNormalization(x, p(), p(), { bias: p([]) }));
      await check((b, x, p) => b.batchNormalization(x, p(), p(), { axis: 4 }));
      await check((b, x, p) => b.batchNormalization(x, p(), p(), { axis: -1 }));
      await check((b, x, p) => b.batchNormalization(x, p([4]), p([4]), { axis: 0 }));
    });
    it('epsilon must be a finite double', async () => {
      await check((b, x, p) => b.batchNormalization(x, p(), p(), { epsilon: NaN }));
      await check((b, x, p) => b.batchNormalization(x, p(), p(), { epsilon: Infinity }));
    });
    it('operands from another builder', async () => {
      const other = (await builderFor(backend)) as Builder;
      await check((b, x, p) => b.batchNormalization(x, other.input('m', { dataType: 'float32', shape: [3] }), p()));
      await check((b, x, p) => b.batchNormalization(x, p(), p(), { scale: other.input('s', { dataType: 'float32', shape: [3] }) }));
    });
  });
});

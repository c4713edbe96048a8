import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
  typedArrayFor, type TensorValue,
} from '../util/harness.js';

import { dispatchProfile } from '../graph/passes/pass-test-util.js';

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;

/**
 * float64 normalization over `axes`: for each group of entries sharing their other coordinates,
 * (x - mean) / sqrt(variance + epsilon) * scale + bias, with scale and bias indexed by `paramIndex(coordinates)`.
 */
function normalizeReference(x: readonly number[], shape: readonly number[], axes: readonly number[], epsilon: number,
  paramIndex: (coords: number[]) => number, scale?: readonly number[], bias?: readonly number[]): number[] {
  const st = strides(shape);
  const coordsOf = (i: number) => shape.map((d, k) => Math.floor(i / st[k]!) % d);
  const groupOf = (coords: number[]) => coords.map((c, k) => (axes.includes(k) ? 0 : c)).join(',');
  const groups = new Map<string, number[]>();
  x.forEach((v, i) => {
    const key = groupOf(coordsOf(i));
    const list = groups.get(key);
    if (list) list.push(v);
    else groups.set(key, [v]);
  });
  return x.map((v, i) => {
    const coords = coordsOf(i);
    const values = groups.get(groupOf(coords))!;
    const mean = values.reduce((s, a) => s + a, 0) / values.length;
    const variance = values.reduce((s, a) => s + (a - mean) ** 2, 0) / values.length;
    const p = paramIndex(coords);
    return ((v - mean) / Math.sqrt(variance + epsilon)) * (scale ? scale[p]! : 1) + (bias ? bias[p]! : 0);
  });
}

/** epsilon after the spec's cast to the input's data type. */
function castEpsilon(epsilon: number, dataType: MLOperandDataType): number {
  return representable([epsilon], dataType === 'float16' ? 'float16' : 'float32')[0]!;
}

interface Parameters {
  scale?: number[];
  bias?: number[];
  shape: number[];
}

/** Runs `op` with scale and bias either as graph inputs or as constants. */
async function runNormalization(backend: BackendName, op: string,
  dataType: MLOperandDataType, inputShape: number[], x: number[], params: Parameters, options: Record<string, unknown>,
  constants: boolean) {
  const inputs: Record<string, TensorValue> = { x: { dataType, shape: inputShape, data: x } };
  if (!constants) {
    if (params.scale) inputs['scale'] = { dataType, shape: params.shape, data: params.scale };
    if (params.bias) inputs['bias'] = { dataType, shape: params.shape, data: params.bias };
  }
  const result = await runGraph(backend, inputs, (b, ops) => {
    const operand = (name: 'scale' | 'bias') => {
      const data = params[name];
      if (!data) return undefined;
      if (!constants) return ops[name];
      return b.constant({ dataType, shape: params.shape }, typedArrayFor({ dataType, shape: params.shape, data }));
    };
    return { out: (b as Builder)[op]!(ops['x'], { ...options, scale: operand('scale'), bias: operand('bias') }) };
  });
  return result['out']!;
}

const FLOATS: MLOperandDataType[] = ['float32', 'float16'];

forEachBackend('instanceNormalization', (backend) => {
  interface Case {
    shape: number[];
    layout?: 'nchw' | 'nhwc';
    scale?: boolean;
    bias?: boolean;
    epsilon?: number;
  }
  const cases: Case[] = [
    { shape: [2, 3, 4, 5], scale: true, bias: true },
    { shape: [2, 3, 4, 5] },
    { shape: [2, 3, 4, 5], layout: 'nchw', scale: true },
    { shape: [2, 4, 5, 3], layout: 'nhwc', scale: true, bias: true },
    { shape: [1, 4, 2, 3], layout: 'nhwc', bias: true, epsilon: 1e-3 },
    { shape: [3, 2, 1, 1], scale: true, bias: true },
    { shape: [1, 1, 1, 7], layout: 'nhwc', scale: true, bias: true },
    { shape: [2, 2, 3, 3], scale: true, bias: true, epsilon: 0.5 },
  ];
  for (const dataType of FLOATS) {
    for (const c of cases) {
      for (const constants of [false, true]) {
        const title = `${dataType} [${c.shape}] ${c.layout ?? 'default layout'}${c.scale ? ' scale' : ''}${c.bias ? ' bias' : ''}` +
          ` epsilon ${c.epsilon ?? 'default'} (parameters as ${constants ? 'constants' : 'inputs'})`;
        it(title, async () => {
          const channelAxis = c.layout === 'nhwc' ? 3 : 1;
          const channels = c.shape[channelAxis]!;
          const x = representable(randomData(size(c.shape), 31, -3, 5), dataType);
          const params: Parameters = { shape: [channels] };
          if (c.scale) params.scale = representable(randomData(channels, 37, -2, 2), dataType);
          if (c.bias) params.bias = representable(randomData(channels, 41, -1, 1), dataType);
          const options: Record<string, unknown> = {};
          if (c.layout) options['layout'] = c.layout;
          if (c.epsilon !== undefined) options['epsilon'] = c.epsilon;
          const axes = c.layout === 'nhwc' ? [1, 2] : [2, 3];
          const exact = normalizeReference(x, c.shape, axes, castEpsilon(c.epsilon ?? 1e-5, dataType),
            (coords) => coords[channelAxis]!, params.scale, params.bias);
          const result = await runNormalization(backend, 'instanceNormalization', dataType, c.shape, x, params, options, constants);
          assertClose(result, { shape: c.shape, data: dataType === 'float16' ? representable(exact, 'float16') : exact });
        });
      }
    }
  }

  it('reports the required types and ranks', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as
      Record<string, Record<string, { dataTypes: string[]; rankRange: { min: number; max: number } }>>;
    const l = limits['instanceNormalization']!;
    for (const member of ['input', 'scale', 'bias', 'output']) {
      for (const t of FLOATS) if (!l[member]!.dataTypes.includes(t)) throw new Error(`${member} lacks ${t}`);
    }
    if (l['input']!.rankRange.min !== 4 || l['input']!.rankRange.max !== 4) throw new Error('input rank is not 4');
    if (l['scale']!.rankRange.min !== 1 || l['scale']!.rankRange.max !== 1) throw new Error('scale rank is not 1');
  });

  it('validation', async () => {
    const b = (await builderFor(backend)) as Builder;
    let n = 0;
    const input = (shape: number[], dataType: MLOperandDataType = 'float32') => b.input(`i${n++}`, { dataType, shape });
    const x = input([2, 3, 4, 5]);
    const fails = (operand: unknown, options?: unknown) =>
      assertThrows(() => b['instanceNormalization']!(operand, options), 'TypeError', /^instanceNormalization/);
    await fails(input([2, 3, 4]));
    await fails(input([2, 3, 4, 5, 1]));
    await fails(input([2, 3, 4, 5], 'int32'));
    await fails(x, { scale: input([4]) });
    await fails(x, { bias: input([5]) });
    await fails(x, { layout: 'nhwc', scale: input([3]) });
    await fails(x, { scale: input([1, 3]) });
    await fails(x, { scale: input([3], 'float16') });
    await fails(input([2, 3, 4, 5], 'float16'), { bias: input([3]) });
    await fails(x, { layout: 'nwhc' });
    await fails(x, { epsilon: NaN });
    await fails(x, { epsilon: Infinity });
    await fails(x, { scale: {} });
    await fails(x, 1);
    await fails({});
    await fails(x, { scale: (await builderFor(backend)).input('s', { dataType: 'float32', shape: [3] }) });
    const y = b['instanceNormalization']!(input([1, 2, 3, 4], 'float16'), { layout: 'nhwc', scale: input([4], 'float16') });
    if (y.dataType !== 'float16' || y.shape.join() !== '1,2,3,4') throw new Error(`${y.dataType} [${y.shape}]`);
  });
});

forEachBackend('layerNormalization', (backend) => {
  interface Case {
    shape: number[];
    axes?: number[];
    scale?: boolean;
    bias?: boolean;
    epsilon?: number;
  }
  const cases: Case[] = [
    { shape: [2, 3, 4, 5], scale: true, bias: true },
    { shape: [2, 3, 4, 5] },
    { shape: [3, 4], axes: [1], scale: true, bias: true },
    { shape: [3, 4], axes: [0], scale: true },
    { shape: [3, 4], axes: [0, 1], bias: true, epsilon: 1e-3 },
    { shape: [2, 3, 4], axes: [2, 0], scale: true, bias: true },
    { shape: [2, 3, 4], axes: [2, 0, 1], scale: true, bias: true },
    { shape: [2, 3, 2, 2, 3], axes: [1, 3, 4], scale: true, bias: true },
    { shape: [2, 3, 2, 2, 3], axes: [4, 1], scale: true, bias: true },
    { shape: [2, 3, 2, 2, 3], scale: true },
    { shape: [2, 3, 4], axes: [], scale: true, bias: true },
    { shape: [5], scale: true, bias: true },
    { shape: [5], axes: [0], scale: true, bias: true },
    { shape: [], scale: true, bias: true },
    { shape: [], axes: [], bias: true },
    { shape: [4, 1], axes: [1], scale: true, bias: true },
    { shape: [2, 6], axes: [1], epsilon: 0.5 },
  ];
  for (const dataType of FLOATS) {
    for (const c of cases) {
      for (const constants of [false, true]) {
        const title = `${dataType} [${c.shape}] axes ${c.axes ? `[${c.axes}]` : 'default'}${c.scale ? ' scale' : ''}` +
          `${c.bias ? ' bias' : ''} epsilon ${c.epsilon ?? 'default'} (parameters as ${constants ? 'constants' : 'inputs'})`;
        it(title, async () => {
          const axes = c.axes ?? c.shape.map((_, i) => i).slice(1);
          const paramShape = axes.map((a) => c.shape[a]!);
          const x = representable(randomData(size(c.shape), 43, -3, 5), dataType);
          const params: Parameters = { shape: paramShape };
          if (c.scale) params.scale = representable(randomData(size(paramShape), 47, -2, 2), dataType);
          if (c.bias) params.bias = representable(randomData(size(paramShape), 53, -1, 1), dataType);
          const options: Record<string, unknown> = {};
          if (c.axes) options['axes'] = c.axes;
          if (c.epsilon !== undefined) options['epsilon'] = c.epsilon;
          const paramStrides = strides(paramShape);
          const paramIndex = (coords: number[]) => axes.reduce((s, a, k) => s + coords[a]! * paramStrides[k]!, 0);
          const exact = normalizeReference(x, c.shape, axes, castEpsilon(c.epsilon ?? 1e-5, dataType), paramIndex,
            params.scale, params.bias);
          const result = await runNormalization(backend, 'layerNormalization', dataType, c.shape, x, params, options, constants);
          assertClose(result, { shape: c.shape, data: dataType === 'float16' ? representable(exact, 'float16') : exact });
        });
      }
    }
  }

  it('a large mean with a small spread stays accurate', async () => {
    const x = [1000.5, 1000.25, 1000.75, 1000, 1001, 1000.5];
    const expected = normalizeReference(x, [6], [0], Math.fround(1e-5), () => 0);
    const result = await runNormalization(backend, 'layerNormalization', 'float32', [6], x, { shape: [6] }, { axes: [0] }, false);
    assertClose(result, { shape: [6], data: expected });
  });

  it('a NaN or an infinity makes its own row NaN, and no other', async () => {
    const x = [1, 2, Number.NaN, 4, 5, 6, Infinity, 8, 9, -1, 0.5, 2, -Infinity, 0, 1];
    const scale = [0.5, -1, 2];
    const expected = normalizeReference(x, [5, 3], [1], Math.fround(1e-5), (c) => c[1]!, scale);
    const result = await runNormalization(backend, 'layerNormalization', 'float32', [5, 3], x, { shape: [3], scale }, { axes: [1] }, true);
    assertClose(result, { shape: [5, 3], data: expected });
  });

  it('float32 over the trailing axes: one kernel on wasm and cpu, a TF.js composition on webgl and webgpu', async () => {
    const shape = [2, 3, 4];
    const inputs = { x: { dataType: 'float32' as const, shape, data: randomData(24, 59, -2, 2) } };
    const { kernels } = await dispatchProfile(backend, inputs, (b, { x }) =>
      ({ y: (b as Builder)['layerNormalization']!(x, { axes: [1, 2] }) }));
    if (backend === 'webgl' || backend === 'webgpu' ? kernels.length < 5 : kernels.join() !== 'WebNNLayerNormalization') {
      throw new Error(`kernels: ${kernels.join(', ')}`);
    }
  });

  it('reports the required types and ranks', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as
      Record<string, Record<string, { dataTypes: string[]; rankRange: { min: number; max: number } }>>;
    const l = limits['layerNormalization']!;
    for (const member of ['input', 'scale', 'bias', 'output']) {
      for (const t of FLOATS) if (!l[member]!.dataTypes.includes(t)) throw new Error(`${member} lacks ${t}`);
      if (l[member]!.rankRange.min !== 0 || l[member]!.rankRange.max < 5) throw new Error(`${member} ranks`);
    }
  });

  it('validation', async () => {
    const b = (await builderFor(backend)) as Builder;
    let n = 0;
    const input = (shape: number[], dataType: MLOperandDataType = 'float32') => b.input(`i${n++}`, { dataType, shape });
    const x = input([2, 3, 4]);
    const fails = (operand: unknown, options?: unknown) =>
      assertThrows(() => b['layerNormalization']!(operand, options), 'TypeError', /^layerNormalization/);
    await fails(input([2, 3], 'int32'));
    await fails(x, { axes: [3] });
    await fails(x, { axes: [1, 1] });
    await fails(x, { axes: [-1] });
    await fails(x, { axes: 1 });
    await fails(x, { scale: input([3]) });
    await fails(x, { scale: input([4, 3]) });
    await fails(x, { axes: [2, 1], scale: input([3, 4]) });
    await fails(x, { axes: [1], bias: input([3, 1]) });
    await fails(x, { axes: [], bias: input([1]) });
    await fails(x, { scale: input([3, 4], 'float16') });
    await fails(input([2, 3, 4], 'float16'), { bias: input([3, 4]) });
    await fails(x, { epsilon: NaN });
    await fails(x, { scale: 1 });
    await fails(x, 1);
    await fails({});
    await fails(x, { bias: (await builderFor(backend)).input('s', { dataType: 'float32', shape: [3, 4] }) });
    const y = b['layerNormalization']!(x, { axes: [2, 0], scale: input([4, 2]), bias: input([4, 2]) });
    if (y.dataType !== 'float32' || y.shape.join() !== '2,3,4') throw new Error(`${y.dataType} [${y.shape}]`);
  });
});

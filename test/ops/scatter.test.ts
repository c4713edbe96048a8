import type { MLContext } from '../../src/api/context.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
  typedArrayFor,
} from '../util/harness.js';

type Scatter = (input: MLOperand, indices: MLOperand, updates: MLOperand, options?: object) => MLOperand;
const scatterOf = (b: MLGraphBuilder, op: 'scatterElements' | 'scatterND') =>
  (b as unknown as Record<string, Scatter>)[op]!.bind(b);
const reshapeOf = (b: MLGraphBuilder) =>
  (b as unknown as { reshape(x: MLOperand, shape: number[]): MLOperand }).reshape.bind(b);

/** An index as this implementation reads it: negative counts from the end, then clamped into [0, n). */
const inRange = (raw: number, n: number) => Math.min(Math.max(raw < 0 ? raw + n : raw, 0), n - 1);

/** A copy of input with updates[c] written at c with c[axis] = indices[c], in row-major order of the indices. */
function scatterElementsReference(data: readonly number[], shape: readonly number[], indices: readonly number[],
  indicesShape: readonly number[], updates: readonly number[], axis: number) {
  const out = [...data];
  const inputStrides = strides(shape);
  const indexStrides = strides(indicesShape);
  indices.forEach((raw, p) => {
    let offset = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = d === axis ? inRange(raw, shape[axis]!) : Math.floor(p / indexStrides[d]!) % indicesShape[d]!;
      offset += c * inputStrides[d]!;
    }
    out[offset] = updates[p]!;
  });
  return { shape: [...shape], data: out };
}

/** A copy of input with each slice of updates written at the coordinates of its row of indices. */
function scatterNDReference(data: readonly number[], shape: readonly number[], indices: readonly number[],
  indicesShape: readonly number[], updates: readonly number[]) {
  const out = [...data];
  const k = indicesShape[indicesShape.length - 1]!;
  const sliceSize = size(shape.slice(k));
  const st = strides(shape);
  for (let row = 0; row < indices.length / k; row++) {
    let base = 0;
    for (let j = 0; j < k; j++) base += inRange(indices[row * k + j]!, shape[j]!) * st[j]!;
    for (let e = 0; e < sliceSize; e++) out[base + e] = updates[row * sliceSize + e]!;
  }
  return { shape: [...shape], data: out };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const RANGE: Partial<Record<MLOperandDataType, [number, number]>> = {
  float32: [-1000, 1000], float16: [-1000, 1000], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};
const values = (t: MLOperandDataType, count: number, seed: number) =>
  representable(randomData(count, seed, ...RANGE[t]!), t);

forEachBackend('scatterElements', (backend) => {
  // [input shape, indices shape, indices (no two aimed at one position), axis]
  const cases: [number[], number[], number[], number | undefined][] = [
    [[4, 3], [2, 3], [3, 1, 1, 2, 0, 3], undefined],
    [[4, 3], [4, 1], [2, 1, 0, 2], 1],
    [[4, 2, 2], [1, 2, 2], [0, 2, 1, 3], 0],
    [[5], [3], [4, -2, -5], 0],
    [[2, 5], [2, 3], [0, -1, 2, 4, -4, 2], 1],
    [[2, 3, 4], [2, 3, 2], [0, -1, 1, 2, 3, -4, 2, 1, 0, 3, -2, -1], 2],
    [[2, 1, 3, 2, 2], [2, 1, 3, 1, 2], [1, 0, -1, -2, 0, 0, 1, 1, 0, 1, -1, 0], 3],
    [[3, 1, 2, 2, 2], [2, 1, 2, 2, 2], [0, 1, 2, 0, 1, 2, 0, 1, -2, -1, -2, -1, -3, -3, -1, -3], 0],
  ];
  for (const dataType of TYPES) {
    for (const [shape, indicesShape, indices, axis] of cases) {
      it(`${dataType} [${shape}] indices [${indicesShape}] ${JSON.stringify(indices)} axis ${axis ?? 'default'}`, async () => {
        const data = values(dataType, size(shape), 29);
        const updates = values(dataType, indices.length, 31);
        const expected = scatterElementsReference(data, shape, indices, indicesShape, updates, axis ?? 0);
        const result = await runGraph(backend, {
          x: { dataType, shape, data }, i: { dataType: 'int32', shape: indicesShape, data: indices },
          u: { dataType, shape: indicesShape, data: updates },
        }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterElements')(x!, i!, u!, axis === undefined ? {} : { axis }) }));
        assertClose(result['out']!, expected);
      });
    }
  }

  it('spec example: axis 0 of [4,3]', async () => {
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [4, 3], data: [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32] },
      i: { dataType: 'int32', shape: [2, 3], data: [3, 1, 1, 2, 0, 3] },
      u: { dataType: 'float32', shape: [2, 3], data: [-1, -2, -3, -4, -5, -6] },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterElements')(x!, i!, u!) }));
    assertClose(result['out']!, { shape: [4, 3], data: [0, -5, 2, 10, -2, -3, -4, 21, 22, -1, 31, -6] });
  });

  it('int32 values at the ends of the range', async () => {
    const data = [0, 1, 2, 3, 4, 5];
    const updates = [2147483647, -2147483648, 16777217, -16777217];
    const indices = [2, -3, 0, 1];
    const result = await runGraph(backend, {
      x: { dataType: 'int32', shape: [3, 2], data }, i: { dataType: 'int32', shape: [2, 2], data: indices },
      u: { dataType: 'int32', shape: [2, 2], data: updates },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterElements')(x!, i!, u!) }));
    assertClose(result['out']!, scatterElementsReference(data, [3, 2], indices, [2, 2], updates, 0));
  });

  it('overwrites infinities, NaN and large values exactly', async () => {
    const data = [Infinity, NaN, -Infinity, 3e38, -3e38, 1e-30];
    const updates = [1, -0.5, 2.5e-8, 7, 123456.7890625, -1];
    const indices = [0, 1, 1, 0, 0, 1];
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [3, 2], data }, i: { dataType: 'int32', shape: [3, 2], data: indices },
      u: { dataType: 'float32', shape: [3, 2], data: updates.map(Math.fround) },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterElements')(x!, i!, u!, { axis: 1 }) }));
    assertClose(result['out']!, { shape: [3, 2], data: [1, -0.5, 7, Math.fround(2.5e-8), 123456.7890625, -1] }, { atol: 0, rtol: 0 });
  });

  it('clamps out-of-range indices instead of writing out of bounds', async () => {
    const data = randomData(12, 5, -10, 10).map(Math.fround);
    const updates = randomData(3, 6, -10, 10).map(Math.fround);
    const indices = [2147483647, -2147483648, 7];
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [4, 3], data }, i: { dataType: 'int32', shape: [1, 3], data: indices },
      u: { dataType: 'float32', shape: [1, 3], data: updates },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterElements')(x!, i!, u!) }));
    assertClose(result['out']!, scatterElementsReference(data, [4, 3], indices, [1, 3], updates, 0));
  });

  it('duplicate indices: the last update in row-major order wins', async () => {
    const data = [0, 1, 2, 3, 4];
    const indices = [1, 3, 1, -4, 9];
    const updates = [10, 20, 30, 40, 50];
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [5], data }, i: { dataType: 'int32', shape: [5], data: indices },
      u: { dataType: 'float32', shape: [5], data: updates },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterElements')(x!, i!, u!) }));
    assertClose(result['out']!, { shape: [5], data: [0, 40, 2, 20, 50] });
  });

  it('constant input, indices and updates (computed once when built)', async () => {
    const data = [1, 2, 3, 4, 5, 6];
    const result = await runGraph(backend, {}, (b) => ({
      out: scatterOf(b, 'scatterElements')(
        b.constant({ dataType: 'uint8', shape: [2, 3] }, Uint8Array.from(data)),
        b.constant({ dataType: 'int32', shape: [2, 1] }, Int32Array.from([-1, 5])),
        b.constant({ dataType: 'uint8', shape: [2, 1] }, Uint8Array.from([200, 255])), { axis: 1 }),
    }));
    assertClose(result['out']!, { shape: [2, 3], data: [1, 2, 200, 4, 5, 255] });
  });

  it('rejects invalid operands, shapes and axes', async () => {
    const b = await builderFor(backend);
    const s = scatterOf(b, 'scatterElements');
    const x = b.input('x', { dataType: 'float32', shape: [4, 3] });
    const i = b.input('i', { dataType: 'int32', shape: [2, 3] });
    const u = b.input('u', { dataType: 'float32', shape: [2, 3] });
    const where = 'scatterElements';
    await assertThrows(() => s(x, b.input('f', { dataType: 'float32', shape: [2, 3] }), u), 'TypeError', where);
    await assertThrows(() => s(x, b.input('i8', { dataType: 'int8', shape: [2, 3] }), u), 'TypeError', where);
    await assertThrows(() => s(x, i, b.input('ui', { dataType: 'int32', shape: [2, 3] })), 'TypeError', where);
    await assertThrows(() => s(x, i, b.input('u2', { dataType: 'float32', shape: [3, 2] })), 'TypeError', where);
    await assertThrows(() => s(x, i, b.input('u1', { dataType: 'float32', shape: [6] })), 'TypeError', where);
    await assertThrows(() => s(x, b.input('r1', { dataType: 'int32', shape: [6] }), b.input('v1', { dataType: 'float32', shape: [6] })),
      'TypeError', where);
    await assertThrows(() => s(x, b.input('w', { dataType: 'int32', shape: [2, 2] }), b.input('v2', { dataType: 'float32', shape: [2, 2] })),
      'TypeError', where);
    await assertThrows(() => s(x, i, u, { axis: 1 }), 'TypeError', where);
    await assertThrows(() => s(x, i, u, { axis: 2 }), 'TypeError', where);
    await assertThrows(() => s(x, i, u, { axis: -1 }), 'TypeError', where);
    await assertThrows(() => s(b.input('s', { dataType: 'float32', shape: [] }), b.input('is', { dataType: 'int32', shape: [] }),
      b.input('us', { dataType: 'float32', shape: [] })), 'TypeError', where);
    const other = (await builderFor(backend)).input('u', { dataType: 'float32', shape: [2, 3] });
    await assertThrows(() => s(x, i, other), 'TypeError', where);
    const out = s(x, i, u, { label: 'ok' });
    if (out.shape.join() !== '4,3' || out.dataType !== 'float32') throw new Error(`output ${out.dataType} [${out.shape}]`);
  });
});

forEachBackend('scatterND', (backend) => {
  // [input shape, indices shape, indices (no two rows aimed at one position)]
  const cases: [number[], number[], number[]][] = [
    [[8], [4, 1], [4, 3, 1, 7]],
    [[2, 2], [2, 2], [0, 0, 1, 1]],
    [[3, 2], [2, 1], [2, 0]],
    [[2, 2, 2], [2, 2], [0, 1, 1, 0]],
    [[3, 4], [2], [-1, -4]],
    [[3, 4], [1], [-2]],
    [[4, 3], [2, 2, 1], [3, -2, 0, -3]],
    [[2, 3, 4], [3, 3], [1, -1, -2, 0, 0, 0, -1, 1, 3]],
    [[2, 3, 2, 2, 3], [2, 3], [1, 2, 0, -2, -1, 1]],
    [[2, 3, 2, 2, 3], [1, 2, 1, 1, 5], [1, 2, 1, 1, 2, 0, 0, 0, -1, -3]],
  ];
  for (const dataType of TYPES) {
    for (const [shape, indicesShape, indices] of cases) {
      const k = indicesShape[indicesShape.length - 1]!;
      const updatesShape = [...indicesShape.slice(0, -1), ...shape.slice(k)];
      it(`${dataType} [${shape}] indices [${indicesShape}] ${JSON.stringify(indices)}`, async () => {
        const data = values(dataType, size(shape), 37);
        const updates = values(dataType, size(updatesShape), 41);
        const expected = scatterNDReference(data, shape, indices, indicesShape, updates);
        const result = await runGraph(backend, {
          x: { dataType, shape, data }, i: { dataType: 'int32', shape: indicesShape, data: indices },
          u: { dataType, shape: updatesShape, data: updates },
        }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterND')(x!, i!, u!) }));
        assertClose(result['out']!, expected);
      });
    }
  }

  it('spec example: rows [2] and [0] of [3,2]', async () => {
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [3, 2], data: [0, 1, 2, 3, 4, 5] },
      i: { dataType: 'int32', shape: [2, 1], data: [2, 0] },
      u: { dataType: 'float32', shape: [2, 2], data: [-1, -2, -3, -4] },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterND')(x!, i!, u!) }));
    assertClose(result['out']!, { shape: [3, 2], data: [-3, -4, 2, 3, -1, -2] });
  });

  it('int32 values at the ends of the range', async () => {
    const data = [-1, 2147483647, -2147483648, 5];
    const updates = [-2147483648, 2147483647, 16777217];
    const indices = [1, 2, 0];
    const result = await runGraph(backend, {
      x: { dataType: 'int32', shape: [4], data }, i: { dataType: 'int32', shape: [3, 1], data: indices },
      u: { dataType: 'int32', shape: [3], data: updates },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterND')(x!, i!, u!) }));
    assertClose(result['out']!, scatterNDReference(data, [4], indices, [3, 1], updates));
  });

  it('overwrites infinities and NaN exactly', async () => {
    const data = [Infinity, NaN, -Infinity, 3e38];
    const updates = [1, -0.5, 1e-30, -2.5];
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [2, 2], data }, i: { dataType: 'int32', shape: [2, 1], data: [0, 1] },
      u: { dataType: 'float32', shape: [2, 2], data: updates.map(Math.fround) },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterND')(x!, i!, u!) }));
    assertClose(result['out']!, { shape: [2, 2], data: updates.map(Math.fround) }, { atol: 0, rtol: 0 });
  });

  it('clamps out-of-range coordinates instead of writing out of bounds', async () => {
    const data = randomData(24, 7, -10, 10).map(Math.fround);
    const indices = [2147483647, -2147483648, 100, -100, 2, -7];
    const updates = randomData(12, 8, -10, 10).map(Math.fround);
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [2, 3, 4], data }, i: { dataType: 'int32', shape: [3, 2], data: indices },
      u: { dataType: 'float32', shape: [3, 4], data: updates },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterND')(x!, i!, u!) }));
    assertClose(result['out']!, scatterNDReference(data, [2, 3, 4], indices, [3, 2], updates));
  });

  it('duplicate coordinates: the last update wins', async () => {
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [3, 2], data: [0, 1, 2, 3, 4, 5] },
      i: { dataType: 'int32', shape: [3, 1], data: [1, -2, 4] },
      u: { dataType: 'float32', shape: [3, 2], data: [10, 11, 20, 21, 30, 31] },
    }, (b, { x, i, u }) => ({ out: scatterOf(b, 'scatterND')(x!, i!, u!) }));
    assertClose(result['out']!, { shape: [3, 2], data: [0, 1, 20, 21, 30, 31] });
  });

  it('leaves a constant input and a graph input unchanged, over several dispatches', async () => {
    const ctx = await contextFor(backend);
    const b = await builderFor(backend);
    const constantData = [1, 2, 3, 4];
    const c = b.constant({ dataType: 'float32', shape: [4] }, Float32Array.from(constantData));
    const x = b.input('x', { dataType: 'int32', shape: [2, 2] });
    const i = b.constant({ dataType: 'int32', shape: [1, 1] }, Int32Array.from([2]));
    const s = scatterOf(b, 'scatterND');
    const outputs = {
      sc: s(c, i, b.constant({ dataType: 'float32', shape: [1] }, Float32Array.from([-7]))),
      c: reshapeOf(b)(c, [2, 2]),
      sx: s(x, b.constant({ dataType: 'int32', shape: [1, 2] }, Int32Array.from([1, 0])),
        b.constant({ dataType: 'int32', shape: [1] }, Int32Array.from([99]))),
      x: reshapeOf(b)(x, [4]),
    };
    const graph = await b.build(outputs);
    const xData = [5, 6, 7, 8];
    const input = await ctx.createTensor({ dataType: 'int32', shape: [2, 2], writable: true });
    ctx.writeTensor(input, typedArrayFor({ dataType: 'int32', shape: [2, 2], data: xData }) as Uint8Array);
    const read = async (name: keyof typeof outputs) => {
      const t = await ctx.createTensor({ dataType: outputs[name].dataType, shape: [...outputs[name].shape], readable: true });
      return t;
    };
    const tensors = { sc: await read('sc'), c: await read('c'), sx: await read('sx'), x: await read('x') };
    for (let run = 0; run < 2; run++) {
      ctx.dispatch(graph, { x: input }, tensors);
      const sc = Array.from(new Float32Array(await ctx.readTensor(tensors.sc)));
      const cc = Array.from(new Float32Array(await ctx.readTensor(tensors.c)));
      const sx = Array.from(new Int32Array(await ctx.readTensor(tensors.sx)));
      const xx = Array.from(new Int32Array(await ctx.readTensor(tensors.x)));
      if (sc.join() !== '1,2,-7,4') throw new Error(`run ${run}: scatter of the constant ${sc}`);
      if (cc.join() !== constantData.join()) throw new Error(`run ${run}: the constant became ${cc}`);
      if (sx.join() !== '5,6,99,8') throw new Error(`run ${run}: scatter of the input ${sx}`);
      if (xx.join() !== xData.join()) throw new Error(`run ${run}: the input became ${xx}`);
    }
    for (const t of [input, ...Object.values(tensors)]) t.destroy();
    graph.destroy();
  });

  it('advertises the required types and the index types int32, uint32, int64', async () => {
    const ctx = await contextFor(backend) as MLContext;
    const all = ctx.opSupportLimits() as unknown as Record<string, Record<string, { dataTypes: string[];
      rankRange: { min: number; max: number } }>>;
    for (const op of ['scatterND', 'scatterElements']) {
      const limits = all[op]!;
      if (Object.keys(limits).sort().join() !== 'indices,input,output,updates') throw new Error(`${op} members`);
      if (limits['indices']!.dataTypes.join() !== 'int32,uint32,int64') throw new Error(`${op} indices ${limits['indices']!.dataTypes}`);
      for (const t of ['float32', 'float16', 'int32']) {
        for (const m of ['input', 'updates', 'output']) if (!limits[m]!.dataTypes.includes(t)) throw new Error(`${op} ${m} lacks ${t}`);
      }
    }
    if (all['scatterND']!['updates']!.rankRange.min !== 0) throw new Error('scatterND updates ranks');
  });

  it('rejects invalid operands and shapes', async () => {
    const b = await builderFor(backend);
    const s = scatterOf(b, 'scatterND');
    const x = b.input('x', { dataType: 'float32', shape: [4, 3] });
    const i = b.input('i', { dataType: 'int32', shape: [2, 1] });
    const u = b.input('u', { dataType: 'float32', shape: [2, 3] });
    const where = 'scatterND';
    await assertThrows(() => s(x, b.input('f', { dataType: 'float32', shape: [2, 1] }), u), 'TypeError', where);
    await assertThrows(() => s(x, b.input('u8', { dataType: 'uint8', shape: [2, 1] }), u), 'TypeError', where);
    await assertThrows(() => s(x, i, b.input('ui', { dataType: 'int32', shape: [2, 3] })), 'TypeError', where);
    await assertThrows(() => s(x, i, b.input('u2', { dataType: 'float32', shape: [2] })), 'TypeError', where);
    await assertThrows(() => s(x, i, b.input('u3', { dataType: 'float32', shape: [2, 4] })), 'TypeError', where);
    await assertThrows(() => s(x, b.input('k3', { dataType: 'int32', shape: [2, 3] }), b.input('v', { dataType: 'float32', shape: [2] })),
      'TypeError', where);
    await assertThrows(() => s(x, b.input('s', { dataType: 'int32', shape: [] }), b.input('v0', { dataType: 'float32', shape: [] })),
      'TypeError', where);
    const other = (await builderFor(backend)).input('i', { dataType: 'int32', shape: [2, 1] });
    await assertThrows(() => s(x, other, u), 'TypeError', where);
    const out = s(x, b.input('i2', { dataType: 'int32', shape: [2] }), b.input('u0', { dataType: 'float32', shape: [] }));
    if (out.shape.join() !== '4,3' || out.dataType !== 'float32') throw new Error(`output ${out.dataType} [${out.shape}]`);
  });
});

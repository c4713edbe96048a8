/**
 * Data movement of uint32, int64 and uint64 (values beyond 2^53, uint32 above 2^31), and uint32 / int64 indices of
 * gather and scatter (negative ones, out of range ones clamped), against references written here.
 */
import { forEachBackend } from '../util/harness.js';
import { asType, assertExact, exactConstant, runExact, type Element, type ExactValue } from '../util/exact.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

type Method = (...args: unknown[]) => MLOperand;
const call = (builder: unknown, op: string, ...args: unknown[]) => (builder as Record<string, Method>)[op]!.call(builder, ...args);

const HOST_TYPES: readonly MLOperandDataType[] = ['int64', 'uint64', 'uint32'];

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function coordsOf(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return c;
}

function indexOf(coords: readonly number[], shape: readonly number[]): number {
  return coords.reduce((acc, c, d) => acc * shape[d]! + c, 0);
}

/** Distinct values of type `t` that float64 cannot all tell apart: beyond 2^53 (int64 both signs), above 2^31 (uint32). */
function valuesOf(t: MLOperandDataType, n: number, seed = 0): Element[] {
  return Array.from({ length: n }, (_, k) => {
    const i = BigInt(k + seed * 100);
    switch (t) {
      case 'int64': return (k % 2 ? -1n : 1n) * (2n ** 62n + i * 2n ** 40n + i);
      case 'uint64': return 2n ** 63n + i * 2n ** 50n + i + 1n;
      case 'uint32': return 2 ** 31 + (k + seed * 100) * 12345 + 1;
      default: return k + seed * 100;
    }
  });
}

function value(t: MLOperandDataType, shape: number[], seed = 0): ExactValue {
  return { dataType: t, shape, data: valuesOf(t, count(shape), seed) };
}

/** out[i] = x[sourceOf(coordinates of i)], for references of element-moving operations. */
function moved(x: ExactValue, outShape: readonly number[], sourceOf: (c: number[]) => number[]): Element[] {
  return Array.from({ length: count(outShape) }, (_, i) => x.data[indexOf(sourceOf(coordsOf(i, outShape)), x.shape)]!);
}

function clampIndex(v: Element, dim: number): number {
  let x = BigInt(v);
  if (x < 0n) x += BigInt(dim);
  return Number(x < 0n ? 0n : x >= BigInt(dim) ? BigInt(dim - 1) : x);
}

forEachBackend('uint32 / int64 / uint64 data movement', (backend) => {
  for (const t of HOST_TYPES) {
    it(`${t}: reshape, transpose, expand, tile, reverse, identity`, async () => {
      const x = value(t, [2, 3, 2]);
      const r = await runExact(backend, { x }, (b, { x: input }) => ({
        reshape: call(b, 'reshape', input, [3, 4]),
        transpose: call(b, 'transpose', input, { permutation: [2, 0, 1] }),
        expand: call(b, 'expand', call(b, 'reshape', input, [2, 3, 1, 2]), [2, 2, 3, 2, 2]),
        tile: call(b, 'tile', input, [1, 2, 2]),
        reverse: call(b, 'reverse', input, { axes: [0, 2] }),
        identity: call(b, 'identity', input),
      }));
      assertExact(r['reshape']!.data, x.data);
      assertExact(r['transpose']!.data, moved(x, [2, 2, 3], ([k, i, j]) => [i!, j!, k!]));
      assertExact(r['expand']!.data, moved(x, [2, 2, 3, 2, 2], ([, i, j, , k]) => [i!, j!, k!]));
      assertExact(r['tile']!.data, moved(x, [2, 6, 4], ([i, j, k]) => [i!, j! % 3, k! % 2]));
      assertExact(r['reverse']!.data, moved(x, [2, 3, 2], ([i, j, k]) => [1 - i!, j!, 1 - k!]));
      assertExact(r['identity']!.data, x.data);
    });

    it(`${t}: concat, slice (with strides), split, of inputs and constants`, async () => {
      const x = value(t, [2, 5]);
      const y = value(t, [2, 3], 1);
      const r = await runExact(backend, { x }, (b, { x: input }) => {
        const [s0, s1] = call(b, 'split', input, [2, 3], { axis: 1 }) as unknown as MLOperand[];
        return {
          concat: call(b, 'concat', [input, exactConstant(b, y), input], 1),
          slice: call(b, 'slice', input, [0, 1], [2, 4], { strides: [1, 2] }),
          s0: s0!, s1: s1!,
        };
      });
      assertExact(r['concat']!.data, Array.from({ length: 26 }, (_, i) => {
        const [row, col] = coordsOf(i, [2, 13]);
        return col! < 5 ? x.data[row! * 5 + col!]! : col! < 8 ? y.data[row! * 3 + col! - 5]! : x.data[row! * 5 + col! - 8]!;
      }));
      assertExact(r['slice']!.data, moved(x, [2, 2], ([i, j]) => [i!, 1 + 2 * j!]));
      assertExact(r['s0']!.data, moved(x, [2, 2], ([i, j]) => [i!, j!]));
      assertExact(r['s1']!.data, moved(x, [2, 3], ([i, j]) => [i!, 2 + j!]));
    });

    it(`${t}: where with a broadcast uint8 condition`, async () => {
      const a = value(t, [2, 3]);
      const f = value(t, [3], 2);
      const condition = { dataType: 'uint8' as const, shape: [2, 1], data: [0, 7] };
      const r = await runExact(backend, { a, condition }, (b, inputs) => ({
        out: call(b, 'where', inputs['condition'], inputs['a'], exactConstant(b, f)),
      }));
      assertExact(r['out']!.data, Array.from({ length: 6 }, (_, i) => (i < 3 ? f.data[i]! : a.data[i]!)));
    });

    for (const indexType of ['int32', 'uint32', 'int64'] as const) {
      it(`${t} data, ${indexType} indices: gather, gatherElements, gatherND (negative and out-of-range indices)`, async () => {
        const x = value(t, [3, 4]);
        const signed = indexType !== 'uint32';
        const big = indexType === 'int64';
        const raw: Element[] = signed ? [2, -1, 0, -4, 7, -9] : [2, 3, 0, 1, 7, 2 ** 32 - 1];
        const wide = big ? [...raw.slice(0, 4), 2n ** 62n, -(2n ** 63n)] : raw;
        const indices = { dataType: indexType, shape: [2, 3], data: wide };
        const nd = { dataType: indexType, shape: [3, 2], data: wide };
        const r = await runExact(backend, { x, indices, nd }, (b, inputs) => ({
          gather: call(b, 'gather', inputs['x'], inputs['indices'], { axis: 1 }),
          elements: call(b, 'gatherElements', inputs['x'], call(b, 'reshape', inputs['indices'], [3, 2]), { axis: 1 }),
          gatherND: call(b, 'gatherND', inputs['x'], inputs['nd']),
          fromConstant: call(b, 'gather', inputs['x'], exactConstant(b, indices), { axis: 0 }),
        }));
        assertExact(r['gather']!.data, moved(x, [3, 2, 3], ([i, p, q]) => [i!, clampIndex(wide[p! * 3 + q!]!, 4)]));
        assertExact(r['elements']!.data, Array.from({ length: 6 }, (_, i) => {
          const [row] = coordsOf(i, [3, 2]);
          return x.data[row! * 4 + clampIndex(wide[i]!, 4)]!;
        }));
        assertExact(r['gatherND']!.data, Array.from({ length: 3 }, (_, i) =>
          x.data[clampIndex(wide[2 * i]!, 3) * 4 + clampIndex(wide[2 * i + 1]!, 4)]!));
        assertExact(r['fromConstant']!.data, moved(x, [2, 3, 4], ([p, q, j]) => [clampIndex(wide[p! * 3 + q!]!, 3), j!]));
      });

      it(`${t} data, ${indexType} indices: scatterElements, scatterND`, async () => {
        const x = value(t, [3, 4]);
        const u = value(t, [3, 4], 3);
        const signed = indexType !== 'uint32';
        // One index per column for scatterElements (distinct targets), rows for scatterND.
        const columnRows: Element[] = signed ? [2, -3, 1, 0] : [2, 0, 1, 0];
        const ndRows: Element[] = indexType === 'int64' ? [-1n, 2n ** 40n] : signed ? [-1, 0] : [2, 0];
        const r = await runExact(backend, {
          x, u, rows: { dataType: indexType, shape: [1, 4], data: columnRows }, nd: { dataType: indexType, shape: [1, 1], data: [ndRows[0]!] },
        }, (b, inputs) => ({
          elements: call(b, 'scatterElements', inputs['x'], inputs['rows'], call(b, 'slice', inputs['u'], [0, 0], [1, 4]), { axis: 0 }),
          nd: call(b, 'scatterND', inputs['x'], inputs['nd'], call(b, 'slice', inputs['u'], [1, 0], [1, 4])),
          ndClamped: call(b, 'scatterND', inputs['x'], exactConstant(b, { dataType: indexType, shape: [1, 1], data: [ndRows[1]!] }),
            call(b, 'slice', inputs['u'], [2, 0], [1, 4])),
        }));
        const elements = [...x.data];
        columnRows.forEach((row, col) => { elements[clampIndex(row, 3) * 4 + col] = u.data[col]!; });
        assertExact(r['elements']!.data, elements);
        const nd = [...x.data];
        for (let j = 0; j < 4; j++) nd[clampIndex(ndRows[0]!, 3) * 4 + j] = u.data[4 + j]!;
        assertExact(r['nd']!.data, nd);
        const clamped = [...x.data];
        for (let j = 0; j < 4; j++) clamped[clampIndex(ndRows[1]!, 3) * 4 + j] = u.data[8 + j]!;
        assertExact(r['ndClamped']!.data, clamped);
      });
    }
  }

  it('float32 data with int64 and uint32 indices: gatherElements, gatherND, scatterElements, scatterND', async () => {
    const x = { dataType: 'float32' as const, shape: [2, 3], data: [0.5, -1.25, 3, 2 ** 100, -0, 7] };
    const rows = { dataType: 'int64' as const, shape: [1, 3], data: [-1n, 2n ** 62n, -(2n ** 62n)] };
    const nd = { dataType: 'uint32' as const, shape: [2, 2], data: [1, 2 ** 32 - 1, 0, 1] };
    const updates = { dataType: 'float32' as const, shape: [1, 3], data: [10, 20, 30] };
    const r = await runExact(backend, { x, rows, nd, updates }, (b, inputs) => ({
      gatherElements: call(b, 'gatherElements', inputs['x'], inputs['rows']),
      gatherND: call(b, 'gatherND', inputs['x'], inputs['nd']),
      scatterElements: call(b, 'scatterElements', inputs['x'], inputs['rows'], inputs['updates']),
      scatterND: call(b, 'scatterND', inputs['x'], call(b, 'slice', inputs['nd'], [0, 0], [1, 2]), call(b, 'slice', call(b, 'reshape', inputs['updates'], [3]), [0], [1])),
    }));
    // rows -1, 2^62, -2^62 along axis 0 of size 2: 1, 1 (clamped), 0 (clamped).
    assertExact(r['gatherElements']!.data, [2 ** 100, -0, 3]);
    // (1, 2^32 - 1) -> (1, 2); (0, 1).
    assertExact(r['gatherND']!.data, [7, -1.25]);
    assertExact(r['scatterElements']!.data, [0.5, -1.25, 30, 10, 20, 7]);
    // scatterND with the coordinate pair (1, 2^32 - 1 -> 2) writes one element, the first update.
    assertExact(r['scatterND']!.data, [0.5, -1.25, 3, 2 ** 100, -0, 10]);
  });

  it('float32 data gathered with int64 indices stays on its backend path and is exact', async () => {
    const x = { dataType: 'float32' as const, shape: [5], data: [0.5, -1.25, 3, 1e30, -0] };
    const indices = { dataType: 'int64' as const, shape: [6], data: [4n, -1n, -5n, 2n ** 62n, -(2n ** 62n), 1n] };
    const r = await runExact(backend, { x, indices }, (b, inputs) => ({ out: call(b, 'gather', inputs['x'], inputs['indices']) }));
    assertExact(r['out']!.data, asType([-0, -0, 0.5, -0, 0.5, -1.25], 'float32'));
  });
});

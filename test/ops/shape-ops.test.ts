import { setDynamicShapes } from '../../src/api/proposal.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, runGraph, size, withDynamicShapes,
} from '../util/harness.js';
import { assertExact, exactConstant, runExact, type Element } from '../util/exact.js';

type Method = (...args: unknown[]) => MLOperand;
/** A proposal method (absent from the static MLGraphBuilder type). */
function op(b: MLGraphBuilder, name: string, ...args: unknown[]): MLOperand {
  return (b as unknown as Record<string, Method>)[name]!(...args);
}

function scalar(b: MLGraphBuilder, dataType: MLOperandDataType, value: Element): MLOperand {
  return exactConstant(b, { dataType, shape: [], data: [value] });
}

const PROPOSAL_METHODS: Record<string, number> = {
  shape: 1, range: 3, modulusFloor: 2, modulusTruncate: 2, squeeze: 1, unsqueeze: 2, reshapeTo2d: 1,
  reshapeDynamic: 2, expandDynamic: 2, sliceDynamic: 3, padDynamic: 3, splitDynamic: 2, resample2dDynamic: 1,
  tileDynamic: 2,
};

/** float64 reference of range: count = max(0, ceil((limit - start) / delta)), values start + i * delta. */
function rangeReference(start: number, limit: number, delta: number): number[] {
  const count = Math.max(0, Math.ceil((limit - start) / delta));
  return Array.from({ length: count }, (_, i) => start + i * delta);
}

describe('shape, range, squeeze, unsqueeze, reshapeTo2d', () => {
  withDynamicShapes(true);

  it('MLGraphBuilder has the proposal methods with their IDL lengths only while the proposal is on', () => {
    const proto = (globalThis as unknown as { MLGraphBuilder: { prototype: Record<string, { length: number }> } })
      .MLGraphBuilder.prototype;
    for (const [name, length] of Object.entries(PROPOSAL_METHODS)) {
      if (!(name in proto)) throw new Error(`${name} missing while on`);
      if (proto[name]!.length !== length) throw new Error(`${name}.length ${proto[name]!.length} != ${length}`);
    }
    setDynamicShapes(false);
    try {
      for (const name of Object.keys(PROPOSAL_METHODS)) if (name in proto) throw new Error(`${name} present while off`);
      if (!('reshape' in proto)) throw new Error('reshape absent');
    } finally {
      setDynamicShapes(true);
    }
  });

  forEachBackend('proposal shape operations', (backend) => {
    it('opSupportLimits reports the operations only while the proposal is on', async () => {
      const ctx = await contextFor(backend);
      const on = ctx.opSupportLimits() as unknown as Record<string, Record<string, { dataTypes: string[]; rankRange: { min: number; max: number } }>>;
      const shape = on['shape']!;
      if (shape['output']!.dataTypes.join() !== 'uint32' || shape['output']!.rankRange.max !== 1) throw new Error('shape output limits');
      if (on['range']!['start']!.dataTypes.length !== 8 || on['range']!['start']!.rankRange.max !== 0) throw new Error('range limits');
      setDynamicShapes(false);
      try {
        const off = ctx.opSupportLimits() as unknown as Record<string, unknown>;
        for (const name of Object.keys(PROPOSAL_METHODS)) if (name in off) throw new Error(`${name} reported while off`);
      } finally {
        setDynamicShapes(true);
      }
    });

    it('shape: uint32 dimensions of inputs of every rank and type', async () => {
      const r = await runExact(backend, {
        x: { dataType: 'float32', shape: [2, 3, 4], data: new Array<number>(24).fill(0) },
        y: { dataType: 'int64', shape: [5], data: new Array<bigint>(5).fill(0n) },
        z: { dataType: 'uint8', shape: [1, 2, 1, 3, 2], data: new Array<number>(12).fill(1) },
      }, (b, { x, y, z }) => ({ sx: op(b, 'shape', x), sy: op(b, 'shape', y), sz: op(b, 'shape', z, { label: 'z' }) }));
      for (const name of ['sx', 'sy', 'sz']) if (r[name]!.dataType !== 'uint32') throw new Error(`${name} ${r[name]!.dataType}`);
      assertExact(r['sx']!.data, [2, 3, 4]);
      assertExact(r['sy']!.data, [5]);
      assertExact(r['sz']!.data, [1, 2, 1, 3, 2]);
    });

    it('shape: a scalar has no representable shape (TypeError)', async () => {
      const b = await builderFor(backend);
      const s = b.input('s', { dataType: 'float32', shape: [] });
      await assertThrows(() => op(b, 'shape', s), 'TypeError', 'shape');
      await assertThrows(() => op(b, 'shape', 1), 'TypeError', 'shape');
    });

    it('range: int32 up and down, from a shape() value, float32 and float16', async () => {
      const f32 = Math.fround;
      const r = await runGraph(backend, { x: { dataType: 'float32', shape: [3, 7], data: new Array<number>(21).fill(0) } }, (b, { x }) => {
        const i32 = (v: number) => scalar(b, 'int32', v);
        const u32 = (v: number) => scalar(b, 'uint32', v);
        // limit = shape(x)[1], a uint32 scalar from the shape value.
        const seven = op(b, 'reshape', op(b, 'slice', op(b, 'shape', x), [1], [1]), []);
        return {
          up: op(b, 'range', i32(0), i32(10), i32(3)),
          down: op(b, 'range', i32(10), i32(-1), i32(-3)),
          fromShape: op(b, 'range', u32(0), seven, u32(2)),
          float: op(b, 'range', scalar(b, 'float32', 0.5), scalar(b, 'float32', 2), scalar(b, 'float32', 0.3)),
          half: op(b, 'range', scalar(b, 'float16', -1), scalar(b, 'float16', 1), scalar(b, 'float16', 0.25)),
        };
      });
      assertExact(r['up']!.data, [0, 3, 6, 9]);
      assertExact(r['down']!.data, [10, 7, 4, 1]);
      if (r['fromShape']!.dataType !== 'uint32') throw new Error('fromShape type');
      assertExact(r['fromShape']!.data, [0, 2, 4, 6]);
      // The operands hold float32 values: the reference starts from the same ones and rounds each element to float32.
      const expected = rangeReference(f32(0.5), 2, f32(0.3)).map(f32);
      assertClose(r['float']!, { shape: [expected.length], data: expected }, { atol: 0, rtol: 0 });
      assertClose(r['half']!, { shape: [8], data: rangeReference(-1, 1, 0.25) }, { atol: 0, rtol: 0 });
    });

    it('range: int64, uint64, uint32, int8 and uint8 exactly', async () => {
      const big = 2n ** 40n;
      const r = await runExact(backend, {}, (b) => ({
        i64: op(b, 'range', scalar(b, 'int64', big), scalar(b, 'int64', big - 9n), scalar(b, 'int64', -4n)),
        u64: op(b, 'range', scalar(b, 'uint64', 2n ** 50n), scalar(b, 'uint64', 2n ** 50n + 3n), scalar(b, 'uint64', 1n)),
        u32: op(b, 'range', scalar(b, 'uint32', 4294967290), scalar(b, 'uint32', 4294967295), scalar(b, 'uint32', 2)),
        i8: op(b, 'range', scalar(b, 'int8', -128), scalar(b, 'int8', 127), scalar(b, 'int8', 100)),
        u8: op(b, 'range', scalar(b, 'uint8', 250), scalar(b, 'uint8', 255), scalar(b, 'uint8', 2)),
      }));
      assertExact(r['i64']!.data, [big, big - 4n, big - 8n]);
      assertExact(r['u64']!.data, [2n ** 50n, 2n ** 50n + 1n, 2n ** 50n + 2n]);
      assertExact(r['u32']!.data, [4294967290, 4294967292, 4294967294]);
      assertExact(r['i8']!.data, [-128, -28, 72]);
      assertExact(r['u8']!.data, [250, 252, 254]);
    });

    it('range: TypeErrors (delta 0, empty, non-scalar, mixed types, tensor data)', async () => {
      const b = await builderFor(backend);
      const i32 = (v: number) => scalar(b, 'int32', v);
      await assertThrows(() => op(b, 'range', i32(0), i32(5), i32(0)), 'TypeError', 'delta');
      await assertThrows(() => op(b, 'range', i32(5), i32(5), i32(1)), 'TypeError', 'range');
      await assertThrows(() => op(b, 'range', i32(5), i32(1), i32(1)), 'TypeError', 'range');
      await assertThrows(() => op(b, 'range', i32(1), i32(5), i32(-1)), 'TypeError', 'range');
      const vector = b.constant({ dataType: 'int32', shape: [1] }, Int32Array.of(3));
      await assertThrows(() => op(b, 'range', vector, i32(5), i32(1)), 'TypeError', 'range');
      await assertThrows(() => op(b, 'range', i32(0), scalar(b, 'int64', 5n), i32(1)), 'TypeError', 'range');
      await assertThrows(() => op(b, 'range', scalar(b, 'float32', 0), scalar(b, 'float32', Infinity), scalar(b, 'float32', 1)),
        'TypeError', 'range');
      const n = b.input('n', { dataType: 'int32', shape: [] });
      await assertThrows(() => op(b, 'range', i32(0), n, i32(1)), 'TypeError', "input 'n'");
      await assertThrows(() => op(b, 'range', i32(0), op(b, 'add', n, i32(1)), i32(1)), 'TypeError', "input 'n'");
    });

    const data = (n: number) => randomData(n, 5, -4, 4).map(Math.fround);

    it('squeeze: all ones, given axes, scalar; the data unchanged', async () => {
      const x = data(6);
      const r = await runGraph(backend, {
        x: { dataType: 'float32', shape: [1, 3, 1, 2], data: x },
        o: { dataType: 'int32', shape: [1, 1, 1], data: [42] },
        s: { dataType: 'float32', shape: [], data: [1.5] },
      }, (b, { x: input, o, s }) => ({
        all: op(b, 'squeeze', input),
        first: op(b, 'squeeze', input, { axes: [0] }),
        both: op(b, 'squeeze', input, { axes: [2, 0] }),
        none: op(b, 'squeeze', input, { axes: [] }),
        ones: op(b, 'squeeze', o),
        scalar: op(b, 'squeeze', s),
      }));
      assertClose(r['all']!, { shape: [3, 2], data: x });
      assertClose(r['first']!, { shape: [3, 1, 2], data: x });
      assertClose(r['both']!, { shape: [3, 2], data: x });
      assertClose(r['none']!, { shape: [1, 3, 1, 2], data: x });
      assertClose(r['ones']!, { shape: [], data: [42] });
      assertClose(r['scalar']!, { shape: [], data: [1.5] });
    });

    it('squeeze: TypeErrors (axis out of range, duplicate, dimension not 1)', async () => {
      const b = await builderFor(backend);
      const x = b.input('x', { dataType: 'float32', shape: [1, 3, 1] });
      await assertThrows(() => op(b, 'squeeze', x, { axes: [3] }), 'TypeError', 'squeeze');
      await assertThrows(() => op(b, 'squeeze', x, { axes: [0, 0] }), 'TypeError', 'squeeze');
      await assertThrows(() => op(b, 'squeeze', x, { axes: [1] }), 'TypeError', 'squeeze');
      await assertThrows(() => op(b, 'squeeze', x, { axes: [-1] }), 'TypeError', 'squeeze');
      await assertThrows(() => op(b, 'squeeze', x, { axes: 1 }), 'TypeError', 'squeeze');
    });

    it('unsqueeze: ones at output positions, int64 data unchanged', async () => {
      const x = [1n, -2n, 2n ** 60n, 4n, 5n, -(2n ** 62n)];
      const r = await runExact(backend, { x: { dataType: 'int64', shape: [3, 2], data: x } }, (b, { x: input }) => ({
        front: op(b, 'unsqueeze', input, [0]),
        middle: op(b, 'unsqueeze', input, [1]),
        ends: op(b, 'unsqueeze', input, [3, 0]),
        many: op(b, 'unsqueeze', input, [0, 2, 4]),
      }));
      const shapes: Record<string, number[]> = { front: [1, 3, 2], middle: [3, 1, 2], ends: [1, 3, 2, 1], many: [1, 3, 1, 2, 1] };
      for (const [name, shape] of Object.entries(shapes)) {
        assertExact(r[name]!.shape, shape, name);
        assertExact(r[name]!.data, x, name);
      }
    });

    it('unsqueeze: TypeErrors (axis out of range, duplicate, rank above 6, not a sequence)', async () => {
      const b = await builderFor(backend);
      const x = b.input('x', { dataType: 'float32', shape: [3, 2] });
      await assertThrows(() => op(b, 'unsqueeze', x, [3]), 'TypeError', 'unsqueeze');
      await assertThrows(() => op(b, 'unsqueeze', x, [1, 1]), 'TypeError', 'unsqueeze');
      await assertThrows(() => op(b, 'unsqueeze', x, [0, 1, 2, 3, 4]), 'TypeError', 'unsqueeze');
      await assertThrows(() => op(b, 'unsqueeze', x, 0), 'TypeError', 'unsqueeze');
      await assertThrows(() => op(b, 'unsqueeze', x), 'TypeError');
    });

    const ALL: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64', 'int8', 'uint8'];
    for (const t of ALL) {
      it(`${t}: squeeze, unsqueeze and reshapeTo2d keep the data; shape() of a ${t} input`, async () => {
        const big = t === 'int64' || t === 'uint64';
        const signed = t !== 'uint32' && t !== 'uint64' && t !== 'uint8';
        const x: Element[] = [1, 2, 3, 4, 5, 6].map((v) => (signed && v % 2 === 0 ? -v : v)).map((v) => (big ? BigInt(v) : v));
        const r = await runExact(backend, { x: { dataType: t, shape: [1, 2, 1, 3], data: x } }, (b, { x: input }) => ({
          squeezed: op(b, 'squeeze', input, { axes: [0] }),
          unsqueezed: op(b, 'unsqueeze', input, [4]),
          flat: op(b, 'reshapeTo2d', input, { axis: 2 }),
          dims: op(b, 'shape', input),
        }));
        const shapes: Record<string, number[]> = { squeezed: [2, 1, 3], unsqueezed: [1, 2, 1, 3, 1], flat: [2, 3] };
        for (const [name, shape] of Object.entries(shapes)) {
          assertExact(r[name]!.shape, shape, name);
          assertExact(r[name]!.data, x, name);
        }
        assertExact(r['dims']!.data, [1, 2, 1, 3]);
      });
    }

    it('reshapeTo2d: products before and after the axis', async () => {
      const x = data(24);
      const r = await runGraph(backend, { x: { dataType: 'float32', shape: [2, 3, 4], data: x } }, (b, { x: input }) => ({
        byDefault: op(b, 'reshapeTo2d', input),
        zero: op(b, 'reshapeTo2d', input, { axis: 0 }),
        two: op(b, 'reshapeTo2d', input, { axis: 2 }),
        last: op(b, 'reshapeTo2d', input, { axis: 3 }),
      }));
      assertClose(r['byDefault']!, { shape: [2, 12], data: x });
      assertClose(r['zero']!, { shape: [1, 24], data: x });
      assertClose(r['two']!, { shape: [6, 4], data: x });
      assertClose(r['last']!, { shape: [24, 1], data: x });
    });

    it('reshapeTo2d: TypeErrors (axis above the rank)', async () => {
      const b = await builderFor(backend);
      const x = b.input('x', { dataType: 'float32', shape: [2, 3, 4] });
      const s = b.input('s', { dataType: 'float32', shape: [] });
      await assertThrows(() => op(b, 'reshapeTo2d', x, { axis: 4 }), 'TypeError', 'reshapeTo2d');
      await assertThrows(() => op(b, 'reshapeTo2d', s), 'TypeError', 'reshapeTo2d');
      await assertThrows(() => op(b, 'reshapeTo2d', x, { axis: -1 }), 'TypeError', 'reshapeTo2d');
      const scalarFlat = op(b, 'reshapeTo2d', s, { axis: 0 });
      assertExact([...scalarFlat.shape], [1, 1]);
      if (size([...scalarFlat.shape] as number[]) !== 1) throw new Error('size');
    });
  });
});

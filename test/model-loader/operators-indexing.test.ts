/** GatherElements, GatherND, ScatterElements, ScatterND (negative indices included), DepthToSpace and SpaceToDepth. */
import { assertClose, forEachBackend, strides } from '../util/harness.js';
import { int, OnnxModelWriter, string } from '../browser/onnx/model-writer.js';
import { feeds, randomTensor } from './model-util.js';
import { transposeRef, type Tensor } from './reference.js';
import { runModel } from './run-model.js';
import type { OnnxAttribute } from '../browser/onnx/model-writer.js';
import type { BackendName } from '../../src/runtime/backends.js';

/** A model of one node over input x (and updates u, a graph input too), with int64 indices as an initializer. */
async function run(backend: BackendName, opType: string, x: Tensor, indices: { shape: number[]; data: number[] } | null,
  attributes: Record<string, OnnxAttribute>, updates?: Tensor) {
  const w = new OnnxModelWriter(13, 8);
  w.input('x', x.shape);
  const names = ['x'];
  if (indices) names.push(w.initializer('i', indices.shape, BigInt64Array.from(indices.data, BigInt)));
  if (updates) names.push(w.input('u', updates.shape));
  w.nodeWithOutputs(opType, 'op', names, ['y'], attributes);
  w.output('y', null);
  const inputs = [{ name: 'x', tensor: x }, ...(updates ? [{ name: 'u', tensor: updates }] : [])];
  return (await runModel(backend, w.encode(), feeds(inputs)))['y']!;
}

const positionOf = (flat: number, shape: readonly number[]) => strides(shape).map((s, k) => Math.floor(flat / s) % shape[k]!);
const flatOf = (position: readonly number[], shape: readonly number[]) => position.reduce((p, v, k) => p + v * strides(shape)[k]!, 0);

forEachBackend('ONNX import: indexing operators', (backend) => {
  const x = randomTensor([3, 4], 100);

  it('GatherElements on axis 1, with negative indices', async () => {
    const indices = { shape: [3, 2], data: [0, -1, 2, 1, -4, 3] };
    const expected = indices.data.map((i, flat) => {
      const [r] = positionOf(flat, indices.shape);
      return x.data[r! * 4 + (i < 0 ? i + 4 : i)]!;
    });
    assertClose(await run(backend, 'GatherElements', x, indices, { axis: int(1) }) as never, { shape: [3, 2], data: expected });
  });

  it('GatherND picking rows and elements, with negative indices', async () => {
    const rows = await run(backend, 'GatherND', x, { shape: [2, 1], data: [2, -3] }, {});
    assertClose(rows as never, { shape: [2, 4], data: [...x.data.slice(8, 12), ...x.data.slice(0, 4)] });
    const elements = await run(backend, 'GatherND', x, { shape: [3, 2], data: [0, 0, 2, -1, -1, 1] }, {});
    assertClose(elements as never, { shape: [3], data: [x.data[0]!, x.data[11]!, x.data[9]!] });
  });

  it('ScatterElements on axis 0 and ScatterND of rows', async () => {
    const updates = randomTensor([2, 4], 101);
    const indices = { shape: [2, 4], data: [2, 0, -1, 1, 0, 1, 0, -3] };
    const scattered = [...x.data];
    indices.data.forEach((i, flat) => {
      const [, c] = positionOf(flat, indices.shape);
      scattered[flatOf([i < 0 ? i + 3 : i, c!], x.shape)] = updates.data[flat]!;
    });
    assertClose(await run(backend, 'ScatterElements', x, indices, { axis: int(0) }, updates) as never, { shape: [3, 4], data: scattered });
    const rows = [...x.data];
    rows.splice(4, 4, ...updates.data.slice(0, 4));
    rows.splice(0, 4, ...updates.data.slice(4, 8));
    assertClose(await run(backend, 'ScatterND', x, { shape: [2, 1], data: [-2, 0] }, {}, updates) as never, { shape: [3, 4], data: rows });
  });

  it('DepthToSpace in DCR and CRD modes, and SpaceToDepth', async () => {
    const t = randomTensor([1, 8, 2, 3], 102);
    const b = 2;
    const dcr = transposeRef({ shape: [1, b, b, 2, 2, 3], data: t.data }, [0, 3, 4, 1, 5, 2]);
    assertClose(await run(backend, 'DepthToSpace', t, null, { blocksize: int(b) }) as never, { shape: [1, 2, 4, 6], data: dcr.data });
    const crd = transposeRef({ shape: [1, 2, b, b, 2, 3], data: t.data }, [0, 1, 4, 2, 5, 3]);
    assertClose(await run(backend, 'DepthToSpace', t, null, { blocksize: int(b), mode: string('CRD') }) as never,
      { shape: [1, 2, 4, 6], data: crd.data });
    const s = randomTensor([1, 2, 4, 6], 103);
    const depth = transposeRef({ shape: [1, 2, 2, b, 3, b], data: s.data }, [0, 3, 5, 1, 2, 4]);
    assertClose(await run(backend, 'SpaceToDepth', s, null, { blocksize: int(b) }) as never, { shape: [1, 8, 2, 3], data: depth.data });
  });
});

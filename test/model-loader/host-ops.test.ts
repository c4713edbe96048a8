/** The importer's load-time folding on host tensors, against the test harness's own broadcasting. */
import { broadcastTo } from '../util/harness.js';
import { hostBinary, hostConcat, hostGather, hostSlice } from '../../src/model-loader/host-ops.js';
import { hostTensor, toNumbers } from '../../src/model-loader/host-tensor.js';
import { sliceRef } from './reference.js';

const range = (count: number, from = 0) => Array.from({ length: count }, (_, k) => from + k);

function same(actual: readonly number[], expected: readonly number[], what: string): void {
  if (actual.join() !== expected.join()) throw new Error(`${what}: ${actual} != ${expected}`);
}

describe('ONNX import: folding on the host', () => {
  it('hostBinary broadcasts both operands as numpy does', () => {
    const a = hostTensor('int64', [2, 1, 3], range(6));
    const b = hostTensor('int64', [4, 1], range(4, 10));
    const sum = hostBinary(a, b, 'int64', (x, y) => x * 100 + y)!;
    const shape = [2, 4, 3];
    const x = broadcastTo(range(6), [2, 1, 3], shape);
    const y = broadcastTo(range(4, 10), [4, 1], shape);
    same(sum.shape as number[], shape, 'shape');
    same(toNumbers(sum), x.map((v, i) => v * 100 + y[i]!), 'values');
    if (hostBinary(a, hostTensor('int64', [2], [0, 0]), 'int64', (p) => p) !== null) throw new Error('[2,1,3] and [2] broadcast');
  });

  it('hostConcat, hostGather and hostSlice', () => {
    const t = hostTensor('float32', [2, 3], range(6));
    same(toNumbers(hostConcat([t, hostTensor('float32', [2, 1], [9, 9])], 1)), [0, 1, 2, 9, 3, 4, 5, 9], 'concat');
    same(toNumbers(hostGather(t, [2, 0], [2], 1)), [2, 0, 5, 3], 'gather');
    same(toNumbers(hostSlice(t, [1, 2], [1, 2], [1, -2])), sliceRef({ shape: [2, 3], data: range(6) }, [1, 2], [1, 2], [1, -2]).data, 'slice');
  });
});

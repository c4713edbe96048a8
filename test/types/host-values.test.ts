/** castNumberExact (MLNumber -> int64 / uint64 bigints) and HostTensor's checks, without a graph. */
import { castNumberExact } from '../../src/types/cast-number.js';
import { HostTensor } from '../../src/types/host-tensor.js';
import { assertExact } from '../util/exact.js';
import { assertThrows } from '../util/harness.js';

describe('castNumberExact', () => {
  it('int64: bigints kept, clamped to [-2^63, 2^63 - 1]; doubles rounded half to even; NaN 0; infinities saturate', () => {
    const cases: [number | bigint, bigint][] = [
      [2n ** 53n + 1n, 2n ** 53n + 1n], [-(2n ** 63n) - 1n, -(2n ** 63n)], [2n ** 63n, 2n ** 63n - 1n],
      [2.5, 2n], [3.5, 4n], [-2.5, -2n], [-0, 0n], [NaN, 0n], [Infinity, 2n ** 63n - 1n], [-Infinity, -(2n ** 63n)],
      [2 ** 60, 2n ** 60n], [1e300, 2n ** 63n - 1n],
    ];
    for (const [value, expected] of cases) assertExact(castNumberExact(value, 'int64'), expected, String(value));
  });

  it('uint64: clamped to [0, 2^64 - 1]', () => {
    const cases: [number | bigint, bigint][] = [
      [2n ** 64n - 1n, 2n ** 64n - 1n], [2n ** 64n, 2n ** 64n - 1n], [-1n, 0n], [-0.5, 0n], [2 ** 64, 2n ** 64n - 1n], [NaN, 0n],
    ];
    for (const [value, expected] of cases) assertExact(castNumberExact(value, 'uint64'), expected, String(value));
  });

  it('other types: numbers as castNumber gives them', () => {
    assertExact(castNumberExact(2n ** 40n, 'uint32'), 2 ** 32 - 1);
    assertExact(castNumberExact(-3n, 'uint32'), 0);
    assertExact(castNumberExact(1.5, 'float32'), 1.5);
    assertExact(castNumberExact(2n ** 31n, 'int32'), 2 ** 31 - 1);
  });
});

describe('HostTensor', () => {
  it('holds the typed array of its data type only, and clones deeply', async () => {
    await assertThrows(() => new HostTensor('int64', [2], new BigUint64Array(2)), 'Error', 'int64');
    await assertThrows(() => new HostTensor('uint32', [2], new Int32Array(2)), 'Error', 'uint32');
    const t = new HostTensor('int64', [2], BigInt64Array.from([1n, -(2n ** 63n)]));
    const copy = t.clone();
    t.values[0] = 5n;
    assertExact(Array.from(copy.values as BigInt64Array), [1n, -(2n ** 63n)]);
    assertExact(Array.from(HostTensor.zeros('uint64', [2, 2]).values as BigUint64Array), [0n, 0n, 0n, 0n]);
  });
});

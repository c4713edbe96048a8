/** castNumber() is the spec's cast(x, dataType) for MLNumber scalars: ConvertToFloat and ConvertToInt. */
import { castNumber } from '../../src/types/cast-number.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { nearestHalf } from './half-reference.js';

function check(dataType: MLOperandDataType, x: number | bigint, expected: number): void {
  const actual = castNumber(x, dataType);
  if (!Object.is(actual, expected) && !(Number.isNaN(actual) && Number.isNaN(expected))) {
    throw new Error(`cast(${String(x)}, ${dataType}) = ${actual}, expected ${expected}`);
  }
}

describe('cast(x, dataType)', () => {
  it('ConvertToFloat(x, 32): nearest binary32, ties to even, infinity from 2^128 - 2^103 on, signed zero kept', () => {
    const max = (2 - 2 ** -23) * 2 ** 127;
    check('float32', 0.1, 0.10000000149011612);
    check('float32', 1 + 2 ** -24, 1); // a tie, to the even significand
    check('float32', 1 + 3 * 2 ** -24, 1 + 2 ** -22);
    check('float32', max, max);
    check('float32', max + 2 ** 103 - 2 ** 80, max);
    check('float32', max + 2 ** 103, Infinity); // the tie with 2^128 goes to 2^128: +Infinity
    check('float32', -1e39, -Infinity);
    check('float32', -1e-50, -0);
    check('float32', NaN, NaN);
    check('float32', Infinity, Infinity);
  });

  it('ConvertToFloat(x, 16): nearest binary16, ties to even, infinity from 65520 on', () => {
    for (const x of [0.1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 65519, 65520, -65520, 2 ** -25, 3 * 2 ** -25, -1e-9, 1e9]) {
      check('float16', x, nearestHalf(x));
    }
    check('float16', 65520, Infinity);
    check('float16', -1e-9, -0);
  });

  it('ConvertToInt: NaN to 0, clamp to the range, round half to even, +0 rather than -0', () => {
    const cases: [MLOperandDataType, number | bigint, number][] = [
      ['int32', 2.5, 2], ['int32', 3.5, 4], ['int32', -2.5, -2], ['int32', -3.5, -4], ['int32', -0.4, 0], ['int32', -0, 0],
      ['int32', NaN, 0], ['int32', Infinity, 2147483647], ['int32', -Infinity, -2147483648], ['int32', 2 ** 40, 2147483647],
      ['int32', 2147483647.5, 2147483647], ['int32', 12n, 12],
      ['uint32', -1, 0], ['uint32', 2 ** 32, 4294967295], ['uint32', 3e9, 3e9],
      ['int8', 127.5, 127], ['int8', 126.5, 126], ['int8', -128.5, -128], ['int8', 1000, 127], ['int8', -0.5, 0],
      ['uint8', 255.5, 255], ['uint8', 254.5, 254], ['uint8', -3, 0], ['uint8', 0.5, 0], ['uint8', 1.5, 2],
    ];
    for (const [dataType, x, expected] of cases) check(dataType, x, expected);
  });
});

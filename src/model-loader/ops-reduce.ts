/** Reductions, argMax/argMin, softmax and cumulative sums. */
import type { Converter, ConverterTable } from './converter.js';
import { reshapeTo } from './shape-values.js';
import { dimensionsOf, isStaticShape } from './symbolic.js';
import type { NodeImport } from './node-import.js';
import type { Operand } from './webnn-types.js';

type ReduceMethod = 'reduceL1' | 'reduceL2' | 'reduceLogSum' | 'reduceLogSumExp' | 'reduceMax' | 'reduceMean' | 'reduceMin' |
  'reduceProduct' | 'reduceSum' | 'reduceSumSquare';

/** axesInputSince: the opset from which axes is an input rather than an attribute (13 for ReduceSum, 18 for the rest). */
function reduce(method: ReduceMethod, axesInputSince: number): Converter {
  return {
    minOpset: 1,
    convert(n) {
      const x = n.operand(0);
      const rank = x.shape.length;
      let axes: number[] | undefined;
      if (n.opset < axesInputSince) axes = n.ints('axes')?.slice();
      else if (n.has(1)) axes = n.constantNumbers(1, 'axes');
      if (!axes || axes.length === 0) {
        if (n.opset >= axesInputSince && n.int('noop_with_empty_axes', 0) === 1) return n.builder.identity(x);
        axes = [...Array(rank).keys()];
      }
      return n.builder[method](x, { axes: axes.map((a) => n.axis(a, rank)), keepDimensions: n.int('keepdims', 1) === 1 });
    },
  };
}

function argReduce(method: 'argMax' | 'argMin'): Converter {
  return {
    minOpset: 1,
    convert(n) {
      const x = n.operand(0);
      n.require(n.int('select_last_index', 0) === 0, 'select_last_index = 1 is not mapped');
      const outputDataType = n.supports(method, 'output', 'int64') ? 'int64' : 'int32';
      return n.builder[method](x, n.axis(n.int('axis', 0), x.shape.length), {
        keepDimensions: n.int('keepdims', 1) === 1, outputDataType,
      });
    },
  };
}

/** Before opset 13, Softmax works on the input seen as 2-D: [axes before axis, axis and after]. */
function softmaxOf(n: NodeImport, x: Operand): Operand {
  const rank = x.shape.length;
  if (n.opset >= 13) return n.builder.softmax(x, n.axis(n.int('axis', -1), rank));
  const axis = n.axis(n.int('axis', 1), rank);
  if (axis === rank - 1) return n.builder.softmax(x, axis);
  if (!isStaticShape(dimensionsOf(x))) return reshapeTo(n, n.builder.softmax(n.dynamic().reshapeTo2d(x, { axis }), 1), dimensionsOf(x));
  const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(axis).reduce((p, d) => p * d, 1);
  const y = n.builder.softmax(n.builder.reshape(x, [outer, inner]), 1);
  return n.builder.reshape(y, [...x.shape]);
}

const softmax: Converter = { minOpset: 1, convert: (n) => softmaxOf(n, n.operand(0)) };
const logSoftmax: Converter = { minOpset: 1, convert: (n) => n.builder.log(softmaxOf(n, n.operand(0))) };

const cumSum: Converter = {
  minOpset: 11,
  convert(n) {
    const x = n.operand(0);
    const axis = n.constantNumbers(1, 'axis')[0] ?? 0;
    return n.builder.cumulativeSum(x, n.axis(axis, x.shape.length), {
      exclusive: n.int('exclusive', 0) === 1, reversed: n.int('reverse', 0) === 1,
    });
  },
};

const trilu: Converter = {
  minOpset: 14,
  convert(n) {
    const diagonal = n.has(1) ? n.constantNumbers(1, 'k')[0] ?? 0 : 0;
    return n.builder.triangular(n.operand(0), { upper: n.int('upper', 1) === 1, diagonal });
  },
};

export const REDUCE_CONVERTERS: ConverterTable = [
  ['ReduceL1', reduce('reduceL1', 18)],
  ['ReduceL2', reduce('reduceL2', 18)],
  ['ReduceLogSum', reduce('reduceLogSum', 18)],
  ['ReduceLogSumExp', reduce('reduceLogSumExp', 18)],
  ['ReduceMax', reduce('reduceMax', 18)],
  ['ReduceMean', reduce('reduceMean', 18)],
  ['ReduceMin', reduce('reduceMin', 18)],
  ['ReduceProd', reduce('reduceProduct', 18)],
  ['ReduceSum', reduce('reduceSum', 13)],
  ['ReduceSumSquare', reduce('reduceSumSquare', 18)],
  ['ArgMax', argReduce('argMax')],
  ['ArgMin', argReduce('argMin')],
  ['Softmax', softmax],
  ['LogSoftmax', logSoftmax],
  ['CumSum', cumSum],
  ['Trilu', trilu],
];

// META: title=WebNN element-wise unary operations
// META: global=window,dedicatedworker
// META: variant=?cpu
// META: variant=?gpu
// META: script=../resources/utils.js
// META: timeout=long

'use strict';

const X = [-3.5, -1, -0.25, 0, 0.5, 2];
const POSITIVE = [0.125, 0.5, 1.5, 2, 4, 10];

/** One single-input graph: builder[op](x, ...args) on a [2, 3] float32 input. */
function unaryTest(op, data, expected, tolerance, ...args) {
  webnn_graph_test(`${op} float32`, {
    inputs: { x: { dataType: 'float32', shape: [2, 3], data } },
    build: (builder, { x }) => ({ out: builder[op](x, ...args) }),
    expected: { out: { dataType: 'float32', shape: [2, 3], data: expected } },
  }, tolerance);
}

unaryTest('abs', X, [3.5, 1, 0.25, 0, 0.5, 2]);
unaryTest('neg', X, [3.5, 1, 0.25, -0, -0.5, -2]);
unaryTest('ceil', [-3.5, -1.25, -0.5, 0.25, 1, 2.75], [-3, -1, -0, 1, 1, 3]);
unaryTest('floor', [-3.5, -1.25, -0.5, 0.25, 1, 2.75], [-4, -2, -1, 0, 1, 2]);
unaryTest('roundEven', [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], [-2, -2, -0, 0, 2, 2]);
unaryTest('sign', X, [-1, -1, -1, 0, 1, 1]);
unaryTest('identity', X, X);
unaryTest('relu', X, [0, 0, 0, 0, 0.5, 2]);
unaryTest('sqrt', POSITIVE, [0.3535533906, 0.7071067812, 1.224744871, 1.414213562, 2, 3.16227766], { ulp: 1 });
unaryTest('reciprocal', POSITIVE, [8, 2, 0.6666666667, 0.5, 0.25, 0.1], { ulp: 2 });
unaryTest('exp', X, [0.03019738342, 0.3678794412, 0.7788007831, 1, 1.648721271, 7.389056099], { ulp: 32 });
unaryTest('log', POSITIVE, [-2.079441542, -0.6931471806, 0.4054651081, 0.6931471806, 1.386294361, 2.302585093], { ulp: 8 });
unaryTest('sin', X, [0.3507832277, -0.8414709848, -0.2474039593, 0, 0.4794255386, 0.9092974268], { atol: 1 / 1024 });
unaryTest('cos', X, [-0.9364566873, 0.5403023059, 0.9689124217, 1, 0.8775825619, -0.4161468365], { atol: 1 / 1024 });
unaryTest('tanh', X, [-0.9981778976, -0.761594156, -0.2449186624, 0, 0.4621171573, 0.9640275801], { atol: 1 / 1024 });
unaryTest('sigmoid', X, [0.02931223075, 0.2689414214, 0.4378234991, 0.5, 0.6224593312, 0.880797078], { ulp: 34 });
unaryTest('erf', X, [-0.9999992569, -0.8427007929, -0.2763263902, 0, 0.5204998778, 0.995322265], { atol: 1 / 1024 });

webnn_graph_test('log of 0 and of a negative number gives -Infinity and NaN; sqrt(-1) gives NaN', {
  inputs: { x: { dataType: 'float32', shape: [2], data: [0, -1] } },
  build: (builder, { x }) => ({ log: builder.log(x), sqrt: builder.sqrt(x) }),
  expected: {
    log: { dataType: 'float32', shape: [2], data: [-Infinity, NaN] },
    sqrt: { dataType: 'float32', shape: [2], data: [0, NaN] },
  },
}, { ulp: 0 });

webnn_graph_test('abs and neg int32 (or a TypeError where the context does not advertise int32)', {
  requires: [['abs', 'input', 'int32'], ['neg', 'input', 'int32']],
  inputs: { x: { dataType: 'int32', shape: [4], data: [-5, 0, 7, -2147483647] } },
  build: (builder, { x }) => ({ abs: builder.abs(x), neg: builder.neg(x) }),
  expected: {
    abs: { dataType: 'int32', shape: [4], data: [5, 0, 7, 2147483647] },
    neg: { dataType: 'int32', shape: [4], data: [5, 0, -7, 2147483647] },
  },
});

webnn_graph_test('a chain of unary operations on a rank-5 input', {
  inputs: { x: { dataType: 'float32', shape: [1, 2, 1, 3, 1], data: X } },
  build: (builder, { x }) => ({ out: builder.neg(builder.abs(builder.floor(x))) }),
  expected: { out: { dataType: 'float32', shape: [1, 2, 1, 3, 1], data: [-4, -1, -1, -0, -0, -2] } },
});

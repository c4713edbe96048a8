// META: title=WebNN element-wise binary operations: add, sub, mul, div, max, min, pow
// META: global=window,dedicatedworker,dedicatedworker-module
// META: variant=?cpu
// META: variant=?gpu
// META: script=../resources/utils.js
// META: timeout=long

'use strict';

// Inputs are small multiples of 1/4, so sums, differences, products and extrema are exact in float32.
const A = [1, -2.5, 0, 3.25, -0.75, 10];
const B = [0.5, 4, -3, 2, -0.25, -10];

webnn_graph_test('add float32 [2, 3] + [2, 3]', {
  inputs: { a: { dataType: 'float32', shape: [2, 3], data: A }, b: { dataType: 'float32', shape: [2, 3], data: B } },
  build: (builder, { a, b }) => ({ out: builder.add(a, b) }),
  expected: { out: { dataType: 'float32', shape: [2, 3], data: [1.5, 1.5, -3, 5.25, -1, 0] } },
});

webnn_graph_test('add float32 broadcasts [2, 3] + [3]', {
  inputs: { a: { dataType: 'float32', shape: [2, 3], data: A }, b: { dataType: 'float32', shape: [3], data: [1, 2, 3] } },
  build: (builder, { a, b }) => ({ out: builder.add(a, b) }),
  expected: { out: { dataType: 'float32', shape: [2, 3], data: [2, -0.5, 3, 4.25, 1.25, 13] } },
});

webnn_graph_test('add float32 broadcasts [2, 1] + [1, 3] to [2, 3]', {
  inputs: { a: { dataType: 'float32', shape: [2, 1], data: [10, 20] }, b: { dataType: 'float32', shape: [1, 3], data: [1, 2, 3] } },
  build: (builder, { a, b }) => ({ out: builder.add(a, b) }),
  expected: { out: { dataType: 'float32', shape: [2, 3], data: [11, 12, 13, 21, 22, 23] } },
});

webnn_graph_test('add int32 (or a TypeError where the context does not advertise int32)', {
  requires: [['add', 'a', 'int32'], ['add', 'b', 'int32'], ['add', 'output', 'int32']],
  inputs: {
    a: { dataType: 'int32', shape: [4], data: [1, -2, 1000000, -7] },
    b: { dataType: 'int32', shape: [4], data: [2, 2, 234567, -8] },
  },
  build: (builder, { a, b }) => ({ out: builder.add(a, b) }),
  expected: { out: { dataType: 'int32', shape: [4], data: [3, 0, 1234567, -15] } },
});

webnn_graph_test('sub float32 with a scalar (rank 0) second operand', {
  inputs: { a: { dataType: 'float32', shape: [2, 3], data: A }, b: { dataType: 'float32', shape: [], data: [0.5] } },
  build: (builder, { a, b }) => ({ out: builder.sub(a, b) }),
  expected: { out: { dataType: 'float32', shape: [2, 3], data: [0.5, -3, -0.5, 2.75, -1.25, 9.5] } },
});

webnn_graph_test('mul float32', {
  inputs: { a: { dataType: 'float32', shape: [2, 3], data: A }, b: { dataType: 'float32', shape: [2, 3], data: B } },
  build: (builder, { a, b }) => ({ out: builder.mul(a, b) }),
  expected: { out: { dataType: 'float32', shape: [2, 3], data: [0.5, -10, -0, 6.5, 0.1875, -100] } },
});

webnn_graph_test('div float32', {
  inputs: { a: { dataType: 'float32', shape: [2, 3], data: A }, b: { dataType: 'float32', shape: [2, 3], data: B } },
  build: (builder, { a, b }) => ({ out: builder.div(a, b) }),
  expected: { out: { dataType: 'float32', shape: [2, 3], data: [2, -0.625, -0, 1.625, 3, -1] } },
}, { ulp: 2 });

webnn_graph_test('div float32 by zero gives infinities and NaN', {
  inputs: { a: { dataType: 'float32', shape: [3], data: [1, -1, 0] }, b: { dataType: 'float32', shape: [3], data: [0, 0, 0] } },
  build: (builder, { a, b }) => ({ out: builder.div(a, b) }),
  expected: { out: { dataType: 'float32', shape: [3], data: [Infinity, -Infinity, NaN] } },
}, { ulp: 0 });

webnn_graph_test('max and min float32, two outputs of one graph', {
  inputs: { a: { dataType: 'float32', shape: [2, 3], data: A }, b: { dataType: 'float32', shape: [2, 3], data: B } },
  build: (builder, { a, b }) => ({ max: builder.max(a, b), min: builder.min(a, b) }),
  expected: {
    max: { dataType: 'float32', shape: [2, 3], data: [1, 4, 0, 3.25, -0.25, 10] },
    min: { dataType: 'float32', shape: [2, 3], data: [0.5, -2.5, -3, 2, -0.75, -10] },
  },
});

webnn_graph_test('pow float32 with small integer and half exponents', {
  inputs: {
    a: { dataType: 'float32', shape: [6], data: [2, 3, 4, 0.5, 9, 10] },
    b: { dataType: 'float32', shape: [6], data: [3, 2, 0.5, -2, -0.5, 0] },
  },
  build: (builder, { a, b }) => ({ out: builder.pow(a, b) }),
  expected: { out: { dataType: 'float32', shape: [6], data: [8, 9, 2, 4, 0.3333333333, 1] } },
}, { ulp: 32 });

webnn_graph_test('add of constants and an input chained with mul (0.2 * A + B)', {
  inputs: { a: { dataType: 'float32', shape: [2, 2], data: [1, 2, 3, 4] } },
  constants: {
    scale: { dataType: 'float32', shape: [2, 2], data: [0.25, 0.25, 0.25, 0.25] },
    bias: { dataType: 'float32', shape: [2, 2], data: [1, 1, 1, 1] },
  },
  build: (builder, { a, scale, bias }) => ({ out: builder.add(builder.mul(a, scale), bias) }),
  expected: { out: { dataType: 'float32', shape: [2, 2], data: [1.25, 1.5, 1.75, 2] } },
});

// META: title=WebNN reductions
// META: global=window,dedicatedworker
// META: variant=?cpu
// META: variant=?gpu
// META: script=../resources/utils.js
// META: timeout=long

'use strict';

const A = { dataType: 'float32', shape: [2, 3], data: [1, -2, 3, 4, 5, -6] };

webnn_graph_test('reduceSum over every axis by default, and over axis 1', {
  inputs: { a: A },
  build: (builder, { a }) => ({ all: builder.reduceSum(a), rows: builder.reduceSum(a, { axes: [1] }) }),
  expected: {
    all: { dataType: 'float32', shape: [], data: [5] },
    rows: { dataType: 'float32', shape: [2], data: [2, 3] },
  },
});

webnn_graph_test('reduceMean over axis 0 keeping dimensions', {
  inputs: { a: A },
  build: (builder, { a }) => ({ out: builder.reduceMean(a, { axes: [0], keepDimensions: true }) }),
  expected: { out: { dataType: 'float32', shape: [1, 3], data: [2.5, 1.5, -1.5] } },
});

webnn_graph_test('reduceMax, reduceMin and reduceProduct', {
  inputs: { a: A },
  build: (builder, { a }) => ({
    max: builder.reduceMax(a, { axes: [1] }),
    min: builder.reduceMin(a),
    product: builder.reduceProduct(a, { axes: [0] }),
  }),
  expected: {
    max: { dataType: 'float32', shape: [2], data: [3, 5] },
    min: { dataType: 'float32', shape: [], data: [-6] },
    product: { dataType: 'float32', shape: [3], data: [4, -10, -18] },
  },
});

webnn_graph_test('reduceL1 and reduceSumSquare', {
  inputs: { a: A },
  build: (builder, { a }) => ({ l1: builder.reduceL1(a, { axes: [1] }), sumSquare: builder.reduceSumSquare(a) }),
  expected: {
    l1: { dataType: 'float32', shape: [2], data: [6, 15] },
    sumSquare: { dataType: 'float32', shape: [], data: [91] },
  },
});

webnn_graph_test('reduceL2', {
  inputs: { a: A },
  build: (builder, { a }) => ({ out: builder.reduceL2(a, { axes: [1] }) }),
  expected: { out: { dataType: 'float32', shape: [2], data: [3.741657387, 8.774964387] } },
}, { ulp: 2 });

webnn_graph_test('reduceLogSumExp', {
  inputs: { a: A },
  build: (builder, { a }) => ({ out: builder.reduceLogSumExp(a, { axes: [1] }) }),
  expected: { out: { dataType: 'float32', shape: [2], data: [3.132845234, 5.313273897] } },
}, { ulp: 32 });

webnn_graph_test('reduceSum with empty axes leaves the input as it is', {
  inputs: { a: A },
  build: (builder, { a }) => ({ out: builder.reduceSum(a, { axes: [] }) }),
  expected: { out: { dataType: 'float32', shape: [2, 3], data: A.data } },
});

webnn_graph_test('reduceSum int32 (or a TypeError where the context does not advertise int32)', {
  requires: [['reduceSum', 'input', 'int32']],
  inputs: { a: { dataType: 'int32', shape: [2, 2], data: [1000000, 2000000, -3, 4] } },
  build: (builder, { a }) => ({ out: builder.reduceSum(a, { axes: [1] }) }),
  expected: { out: { dataType: 'int32', shape: [2], data: [3000000, 1] } },
});

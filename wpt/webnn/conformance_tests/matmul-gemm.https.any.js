// META: title=WebNN matmul and gemm
// META: global=window,dedicatedworker
// META: variant=?cpu
// META: variant=?gpu
// META: script=../resources/utils.js
// META: timeout=long

'use strict';

const A = { dataType: 'float32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] };
const B = { dataType: 'float32', shape: [3, 2], data: [0.5, -1, 2, 0.25, -1, 1] };

webnn_graph_test('matmul [2, 3] x [3, 2]', {
  inputs: { a: A, b: B },
  build: (builder, { a, b }) => ({ out: builder.matmul(a, b) }),
  expected: { out: { dataType: 'float32', shape: [2, 2], data: [1.5, 2.5, 6, 3.25] } },
});

webnn_graph_test('matmul broadcasts a rank-2 operand over a batch [2, 2, 3] x [3, 2]', {
  inputs: { a: { dataType: 'float32', shape: [2, 2, 3], data: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5] }, b: B },
  build: (builder, { a, b }) => ({ out: builder.matmul(a, b) }),
  expected: { out: { dataType: 'float32', shape: [2, 2, 2], data: [0, 1.125, 2.25, 1.5, 4.5, 1.875, 6.75, 2.25] } },
});

webnn_graph_test('gemm with aTranspose, alpha, beta and a broadcast c', {
  inputs: { a: { dataType: 'float32', shape: [3, 2], data: [1, 4, 2, 5, 3, 6] }, b: B },
  constants: { c: { dataType: 'float32', shape: [2], data: [1, -1] } },
  build: (builder, { a, b, c }) => ({ out: builder.gemm(a, b, { c, alpha: 0.5, beta: 2, aTranspose: true }) }),
  expected: { out: { dataType: 'float32', shape: [2, 2], data: [2.75, -0.75, 5, -0.375] } },
});

webnn_graph_test('gemm with bTranspose', {
  inputs: { a: A, b: { dataType: 'float32', shape: [2, 3], data: [0.5, 2, -1, -1, 0.25, 1] } },
  build: (builder, { a, b }) => ({ out: builder.gemm(a, b, { bTranspose: true }) }),
  expected: { out: { dataType: 'float32', shape: [2, 2], data: [1.5, 2.5, 6, 3.25] } },
});

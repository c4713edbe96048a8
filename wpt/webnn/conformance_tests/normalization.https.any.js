// META: title=WebNN normalization: batchNormalization, softmax, layerNormalization
// META: global=window,dedicatedworker
// META: variant=?cpu
// META: variant=?gpu
// META: script=../resources/utils.js
// META: timeout=long

'use strict';

webnn_graph_test('batchNormalization over channels (axis 1) with scale and bias', {
  inputs: { x: { dataType: 'float32', shape: [1, 2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] } },
  constants: {
    mean: { dataType: 'float32', shape: [2], data: [2.5, 6.5] },
    variance: { dataType: 'float32', shape: [2], data: [1.25, 1.25] },
    scale: { dataType: 'float32', shape: [2], data: [2, 0.5] },
    bias: { dataType: 'float32', shape: [2], data: [0, 1] },
  },
  build: (builder, { x, mean, variance, scale, bias }) => ({
    out: builder.batchNormalization(x, mean, variance, { scale, bias }),
  }),
  expected: {
    out: {
      dataType: 'float32', shape: [1, 2, 2, 2],
      data: [-2.68327084, -0.8944236133, 0.8944236133, 2.68327084, 0.32918229, 0.7763940967, 1.223605903, 1.67081771],
    },
  },
}, { atol: 1e-6, rtol: 1e-5 });

webnn_graph_test('softmax along the last axis and along axis 0', {
  inputs: {
    x: { dataType: 'float32', shape: [2, 3], data: [1, 2, 3, -1, 0, 1] },
    y: { dataType: 'float32', shape: [2, 3], data: [1, 2, 3, -1, 0, 5] },
  },
  build: (builder, { x, y }) => ({ last: builder.softmax(x, 1), first: builder.softmax(y, 0) }),
  expected: {
    last: { dataType: 'float32', shape: [2, 3], data: [0.09003057317, 0.2447284711, 0.6652409558, 0.09003057317, 0.2447284711, 0.6652409558] },
    first: { dataType: 'float32', shape: [2, 3], data: [0.880797078, 0.880797078, 0.119202922, 0.119202922, 0.119202922, 0.880797078] },
  },
}, { ulp: 32 });

webnn_graph_test('layerNormalization over the last axis', {
  inputs: { x: { dataType: 'float32', shape: [2, 4], data: [1, 2, 3, 4, 2, 2, 2, 6] } },
  build: (builder, { x }) => ({ out: builder.layerNormalization(x, { axes: [1] }) }),
  expected: {
    out: {
      dataType: 'float32', shape: [2, 4],
      data: [-1.34163542, -0.4472118067, 0.4472118067, 1.34163542, -0.5773493069, -0.5773493069, -0.5773493069, 1.732047921],
    },
  },
}, { atol: 1e-6, rtol: 1e-5 });

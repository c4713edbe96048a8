// META: title=WebNN convolution and pooling: conv2d, convTranspose2d, averagePool2d, maxPool2d, l2Pool2d
// META: global=window,dedicatedworker
// META: variant=?cpu
// META: variant=?gpu
// META: script=../resources/utils.js
// META: timeout=long

'use strict';

// A 1x1x4x4 NCHW input holding 1..16; every product and sum below is exact in float32.
const X = { dataType: 'float32', shape: [1, 1, 4, 4], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] };
// Two 3x3 OIHW filters: a horizontal and a vertical edge detector.
const W = { dataType: 'float32', shape: [2, 1, 3, 3], data: [1, 0, -1, 2, 0, -2, 1, 0, -1, 0.5, 0.5, 0.5, 0, 0, 0, -0.5, -0.5, -0.5] };
const BIAS = { dataType: 'float32', shape: [2], data: [1, -1] };

webnn_graph_test('conv2d with padding 1 and a bias (nchw input, oihw filter)', {
  inputs: { x: X },
  constants: { w: W, b: BIAS },
  build: (builder, { x, w, b }) => ({ out: builder.conv2d(x, w, { padding: [1, 1, 1, 1], bias: b }) }),
  expected: {
    out: {
      dataType: 'float32', shape: [1, 2, 4, 4],
      data: [-9, -5, -5, 14, -23, -7, -7, 29, -39, -7, -7, 45, -37, -5, -5, 42,
        -6.5, -10, -11.5, -8.5, -9, -13, -13, -9, -9, -13, -13, -9, 8.5, 14, 15.5, 10.5],
    },
  },
});

webnn_graph_test('conv2d with strides 2 and no padding', {
  inputs: { x: X },
  constants: { w: W, b: BIAS },
  build: (builder, { x, w, b }) => ({ out: builder.conv2d(x, w, { strides: [2, 2], bias: b }) }),
  expected: { out: { dataType: 'float32', shape: [1, 2, 1, 1], data: [-7, -13] } },
});

webnn_graph_test('conv2d depthwise (groups = input channels)', {
  inputs: { x: { dataType: 'float32', shape: [1, 2, 3, 3], data: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5] } },
  constants: { w: { dataType: 'float32', shape: [2, 1, 2, 2], data: [1, 2, 3, 4, -1, 0, 0, 1] } },
  build: (builder, { x, w }) => ({ out: builder.conv2d(x, w, { groups: 2 }) }),
  expected: { out: { dataType: 'float32', shape: [1, 2, 2, 2], data: [13.5, 18.5, 28.5, 33.5, 2, 2, 2, 2] } },
});

webnn_graph_test('convTranspose2d with strides 1 and 2 (iohw filter)', {
  inputs: { x: { dataType: 'float32', shape: [1, 1, 2, 2], data: [1, 2, 3, 4] } },
  constants: { w: { dataType: 'float32', shape: [1, 1, 2, 2], data: [1, 2, 3, 4] } },
  build: (builder, { x, w }) => ({
    s1: builder.convTranspose2d(x, w),
    s2: builder.convTranspose2d(x, w, { strides: [2, 2] }),
  }),
  expected: {
    s1: { dataType: 'float32', shape: [1, 1, 3, 3], data: [1, 4, 4, 6, 20, 16, 9, 24, 16] },
    s2: { dataType: 'float32', shape: [1, 1, 4, 4], data: [1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16] },
  },
});

webnn_graph_test('averagePool2d 2x2 windows, strides 2', {
  inputs: { x: X },
  build: (builder, { x }) => ({ out: builder.averagePool2d(x, { windowDimensions: [2, 2], strides: [2, 2] }) }),
  expected: { out: { dataType: 'float32', shape: [1, 1, 2, 2], data: [3.5, 5.5, 11.5, 13.5] } },
});

webnn_graph_test('averagePool2d over the whole spatial extent by default', {
  inputs: { x: X },
  build: (builder, { x }) => ({ out: builder.averagePool2d(x) }),
  expected: { out: { dataType: 'float32', shape: [1, 1, 1, 1], data: [8.5] } },
});

webnn_graph_test('maxPool2d 3x3 windows, strides 1', {
  inputs: { x: X },
  build: (builder, { x }) => ({ out: builder.maxPool2d(x, { windowDimensions: [3, 3] }) }),
  expected: { out: { dataType: 'float32', shape: [1, 1, 2, 2], data: [11, 12, 15, 16] } },
});

webnn_graph_test('maxPool2d nhwc layout with padding', {
  inputs: { x: { dataType: 'float32', shape: [1, 2, 2, 1], data: [-4, -3, -2, -1] } },
  build: (builder, { x }) => ({
    out: builder.maxPool2d(x, { windowDimensions: [2, 2], padding: [1, 0, 1, 0], layout: 'nhwc' }),
  }),
  expected: { out: { dataType: 'float32', shape: [1, 2, 2, 1], data: [-4, -3, -2, -1] } },
});

webnn_graph_test('l2Pool2d 2x2 windows, strides 2', {
  inputs: { x: X },
  build: (builder, { x }) => ({ out: builder.l2Pool2d(x, { windowDimensions: [2, 2], strides: [2, 2] }) }),
  expected: { out: { dataType: 'float32', shape: [1, 1, 2, 2], data: [8.124038405, 11.74734012, 23.36664289, 27.31300057] } },
}, { ulp: 2 });

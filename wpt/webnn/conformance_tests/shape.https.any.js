// META: title=WebNN data movement: reshape, transpose, concat, slice, split, pad, gather, expand, resample2d
// META: global=window,dedicatedworker
// META: variant=?cpu
// META: variant=?gpu
// META: script=../resources/utils.js
// META: timeout=long

'use strict';

const X = { dataType: 'float32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] };

webnn_graph_test('reshape [2, 3] to [3, 1, 2] and to a scalar-free rank 1', {
  inputs: { x: X },
  build: (builder, { x }) => ({ r3: builder.reshape(x, [3, 1, 2]), r1: builder.reshape(x, [6]) }),
  expected: {
    r3: { dataType: 'float32', shape: [3, 1, 2], data: [1, 2, 3, 4, 5, 6] },
    r1: { dataType: 'float32', shape: [6], data: [1, 2, 3, 4, 5, 6] },
  },
});

webnn_graph_test('transpose reverses the axes by default; a permutation moves them', {
  inputs: { x: { dataType: 'float32', shape: [2, 3, 2], data: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } },
  build: (builder, { x }) => ({
    reversed: builder.transpose(x),
    permuted: builder.transpose(x, { permutation: [1, 0, 2] }),
  }),
  expected: {
    reversed: { dataType: 'float32', shape: [2, 3, 2], data: [0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11] },
    permuted: { dataType: 'float32', shape: [3, 2, 2], data: [0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11] },
  },
});

webnn_graph_test('concat along axis 1', {
  inputs: { a: X, b: { dataType: 'float32', shape: [2, 1], data: [-1, -2] } },
  build: (builder, { a, b }) => ({ out: builder.concat([a, b, a], 1) }),
  expected: { out: { dataType: 'float32', shape: [2, 7], data: [1, 2, 3, -1, 1, 2, 3, 4, 5, 6, -2, 4, 5, 6] } },
});

webnn_graph_test('slice with starts and sizes, and with strides', {
  inputs: { x: { dataType: 'float32', shape: [3, 4], data: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } },
  build: (builder, { x }) => ({
    plain: builder.slice(x, [1, 1], [2, 2]),
    strided: builder.slice(x, [0, 0], [3, 4], { strides: [2, 3] }),
  }),
  expected: {
    plain: { dataType: 'float32', shape: [2, 2], data: [5, 6, 9, 10] },
    strided: { dataType: 'float32', shape: [2, 2], data: [0, 3, 8, 11] },
  },
});

webnn_graph_test('split into equal parts and by sizes', {
  inputs: { x: { dataType: 'float32', shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] } },
  build: (builder, { x }) => {
    const [a, b] = builder.split(x, 2, { axis: 1 });
    const [c, d] = builder.split(x, [3, 1], { axis: 1 });
    return { a, b, c, d };
  },
  expected: {
    a: { dataType: 'float32', shape: [2, 2], data: [1, 2, 5, 6] },
    b: { dataType: 'float32', shape: [2, 2], data: [3, 4, 7, 8] },
    c: { dataType: 'float32', shape: [2, 3], data: [1, 2, 3, 5, 6, 7] },
    d: { dataType: 'float32', shape: [2, 1], data: [4, 8] },
  },
});

webnn_graph_test('pad with a constant, edge and reflection', {
  inputs: { x: X },
  build: (builder, { x }) => ({
    constant: builder.pad(x, [0, 1], [1, 0], { value: 9 }),
    edge: builder.pad(x, [1, 0], [0, 1], { mode: 'edge' }),
    reflection: builder.pad(x, [0, 2], [0, 0], { mode: 'reflection' }),
  }),
  expected: {
    constant: { dataType: 'float32', shape: [3, 4], data: [9, 1, 2, 3, 9, 4, 5, 6, 9, 9, 9, 9] },
    edge: { dataType: 'float32', shape: [3, 4], data: [1, 2, 3, 3, 1, 2, 3, 3, 4, 5, 6, 6] },
    reflection: { dataType: 'float32', shape: [2, 5], data: [3, 2, 1, 2, 3, 6, 5, 4, 5, 6] },
  },
});

webnn_graph_test('gather along axis 1 with int32 indices', {
  inputs: { x: X, indices: { dataType: 'int32', shape: [2, 2], data: [2, 0, 1, 1] } },
  build: (builder, { x, indices }) => ({ out: builder.gather(x, indices, { axis: 1 }) }),
  expected: { out: { dataType: 'float32', shape: [2, 2, 2], data: [3, 1, 2, 2, 6, 4, 5, 5] } },
});

webnn_graph_test('expand [3, 1] to [2, 3, 4]', {
  inputs: { x: { dataType: 'float32', shape: [3, 1], data: [1, 2, 3] } },
  build: (builder, { x }) => ({ out: builder.expand(x, [2, 3, 4]) }),
  expected: {
    out: { dataType: 'float32', shape: [2, 3, 4], data: [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3] },
  },
});

webnn_graph_test('resample2d nearest-neighbor upsampling by 2', {
  inputs: { x: { dataType: 'float32', shape: [1, 1, 2, 2], data: [1, 2, 3, 4] } },
  build: (builder, { x }) => ({ out: builder.resample2d(x, { scales: [2, 2] }) }),
  expected: { out: { dataType: 'float32', shape: [1, 1, 4, 4], data: [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4] } },
});

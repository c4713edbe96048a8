// META: title=WebNN comparisons, logical operations, where and cast
// META: global=window,dedicatedworker
// META: variant=?cpu
// META: variant=?gpu
// META: script=../resources/utils.js
// META: timeout=long

'use strict';

const A = { dataType: 'float32', shape: [5], data: [1, -2, NaN, 4, 0] };
const B = { dataType: 'float32', shape: [5], data: [1, 3, NaN, -4, -0] };

webnn_graph_test('equal, greater and lesserOrEqual give uint8 0/1 (NaN compares false)', {
  inputs: { a: A, b: B },
  build: (builder, { a, b }) => ({
    equal: builder.equal(a, b),
    greater: builder.greater(a, b),
    lesserOrEqual: builder.lesserOrEqual(a, b),
  }),
  expected: {
    equal: { dataType: 'uint8', shape: [5], data: [1, 0, 0, 0, 1] },
    greater: { dataType: 'uint8', shape: [5], data: [0, 0, 0, 1, 0] },
    lesserOrEqual: { dataType: 'uint8', shape: [5], data: [1, 1, 0, 0, 1] },
  },
});

webnn_graph_test('logicalNot and logicalAnd treat any non-zero uint8 as true', {
  inputs: {
    a: { dataType: 'uint8', shape: [4], data: [0, 1, 2, 255] },
    b: { dataType: 'uint8', shape: [4], data: [7, 0, 1, 3] },
  },
  build: (builder, { a, b }) => ({ not: builder.logicalNot(a), and: builder.logicalAnd(a, b) }),
  expected: {
    not: { dataType: 'uint8', shape: [4], data: [1, 0, 0, 0] },
    and: { dataType: 'uint8', shape: [4], data: [0, 0, 1, 1] },
  },
});

webnn_graph_test('isNaN and isInfinite', {
  inputs: { x: { dataType: 'float32', shape: [4], data: [NaN, Infinity, -Infinity, 1] } },
  build: (builder, { x }) => ({ nan: builder.isNaN(x), infinite: builder.isInfinite(x) }),
  expected: {
    nan: { dataType: 'uint8', shape: [4], data: [1, 0, 0, 0] },
    infinite: { dataType: 'uint8', shape: [4], data: [0, 1, 1, 0] },
  },
});

webnn_graph_test('where picks from two broadcast operands', {
  inputs: {
    condition: { dataType: 'uint8', shape: [2, 1], data: [1, 0] },
    t: { dataType: 'float32', shape: [3], data: [1, 2, 3] },
    f: { dataType: 'float32', shape: [2, 3], data: [-1, -2, -3, -4, -5, -6] },
  },
  build: (builder, { condition, t, f }) => ({ out: builder.where(condition, t, f) }),
  expected: { out: { dataType: 'float32', shape: [2, 3], data: [1, 2, 3, -4, -5, -6] } },
});

webnn_graph_test('cast float32 to int32 truncates toward zero; int32 to float32', {
  inputs: {
    x: { dataType: 'float32', shape: [4], data: [1.75, -1.75, 100.5, -0.5] },
    i: { dataType: 'int32', shape: [3], data: [-7, 0, 16777216] },
  },
  build: (builder, { x, i }) => ({ toInt: builder.cast(x, 'int32'), toFloat: builder.cast(i, 'float32') }),
  expected: {
    toInt: { dataType: 'int32', shape: [4], data: [1, -1, 100, 0] },
    toFloat: { dataType: 'float32', shape: [3], data: [-7, 0, 16777216] },
  },
});

webnn_graph_test('cast uint8 to float32 and float32 to uint8', {
  inputs: {
    u: { dataType: 'uint8', shape: [3], data: [0, 128, 255] },
    x: { dataType: 'float32', shape: [3], data: [0, 7.9, 200] },
  },
  build: (builder, { u, x }) => ({ toFloat: builder.cast(u, 'float32'), toUint8: builder.cast(x, 'uint8') }),
  expected: {
    toFloat: { dataType: 'float32', shape: [3], data: [0, 128, 255] },
    toUint8: { dataType: 'uint8', shape: [3], data: [0, 7, 200] },
  },
});

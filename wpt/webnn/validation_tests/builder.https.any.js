// META: title=WebNN MLGraphBuilder validation: inputs, constants, operands and build()
// META: global=window,dedicatedworker
// META: variant=?cpu
// META: script=../resources/utils.js

'use strict';

const F32 = { dataType: 'float32', shape: [2, 2] };

promise_test(async () => {
  const builder = new MLGraphBuilder(context);
  assert_throws_js(TypeError, () => builder.input('', F32), 'an empty name');
  builder.input('x', F32);
  assert_throws_js(TypeError, () => builder.input('x', F32), 'a name already used');
  assert_throws_js(TypeError, () => builder.input('y', { dataType: 'float32', shape: [2, 0] }), 'a zero dimension');
  assert_throws_js(TypeError, () => builder.input('z', { dataType: 'float64', shape: [2] }), 'an unknown data type');
}, 'input() throws a TypeError for an empty or repeated name and an invalid descriptor');

promise_test(async () => {
  const builder = new MLGraphBuilder(context);
  assert_throws_js(TypeError, () => builder.constant(F32, new Float32Array(3)), 'too few bytes');
  assert_throws_js(TypeError, () => builder.constant(F32, new Int32Array(4)), 'a view of another element type');
  const scalar = builder.constant('float32', 2.5);
  assert_equals(scalar.dataType, 'float32');
  assert_array_equals(scalar.shape, []);
}, 'constant() checks the buffer against the descriptor; constant(dataType, value) makes a scalar');

promise_test(async () => {
  const builder = new MLGraphBuilder(context);
  const other = new MLGraphBuilder(context);
  const a = builder.input('a', F32);
  const b = other.input('b', F32);
  assert_throws_js(TypeError, () => builder.add(a, b), 'an operand of another builder');
  assert_throws_js(TypeError, () => builder.add(a, builder.input('c', { dataType: 'float32', shape: [3] })), 'shapes that do not broadcast');
  assert_throws_js(TypeError, () => builder.add(a, builder.input('d', { dataType: 'int32', shape: [2, 2] })), 'different data types');
  assert_throws_js(TypeError, () => builder.conv2d(a, builder.input('f', { dataType: 'float32', shape: [1, 1, 1, 1] })), 'conv2d of a rank-2 input');
  assert_throws_js(TypeError, () => builder.softmax(a, 2), 'softmax axis out of range');
  assert_throws_js(TypeError, () => builder.reshape(a, [3]), 'reshape to another element count');
}, 'operations throw a TypeError for operands of another builder and for invalid arguments');

promise_test(async (t) => {
  const builder = new MLGraphBuilder(context);
  const x = builder.input('x', F32);
  const y = builder.relu(x);
  await promise_rejects_js(t, TypeError, builder.build({}), 'no outputs');
  await promise_rejects_js(t, TypeError, builder.build({ '': y }), 'an empty output name');
  await promise_rejects_js(t, TypeError, builder.build({ out: x }), 'an input as an output');
  const graph = await builder.build({ out: y });
  assert_true(graph instanceof MLGraph);
  await promise_rejects_dom(t, 'InvalidStateError', builder.build({ out: y }), 'a second build');
  assert_throws_dom('InvalidStateError', () => builder.input('again', F32), 'input() after build');
  graph.destroy();
}, 'build() rejects without outputs, with an empty name or an input as output, and after a first build');

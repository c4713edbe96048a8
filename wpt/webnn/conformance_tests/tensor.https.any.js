// META: title=WebNN MLTensor: createTensor, writeTensor, readTensor and dispatch, and their errors
// META: global=window,dedicatedworker
// META: variant=?cpu
// META: variant=?gpu
// META: script=../resources/utils.js
// META: timeout=long

'use strict';

const DESCRIPTOR = { dataType: 'float32', shape: [2, 2] };

/** A graph computing out = a + b on [2, 2] float32, built on `ctx`. */
async function buildAddGraph(ctx) {
  const builder = new MLGraphBuilder(ctx);
  const a = builder.input('a', DESCRIPTOR);
  const b = builder.input('b', DESCRIPTOR);
  return builder.build({ out: builder.add(a, b) });
}

async function tensors(ctx = context) {
  return {
    a: await ctx.createTensor({ ...DESCRIPTOR, writable: true }),
    b: await ctx.createTensor({ ...DESCRIPTOR, writable: true }),
    out: await ctx.createTensor({ ...DESCRIPTOR, readable: true }),
  };
}

// createTensor

promise_test(async () => {
  const tensor = await context.createTensor({ dataType: 'int32', shape: [3, 1], readable: true });
  assert_true(tensor instanceof MLTensor);
  assert_equals(tensor.dataType, 'int32');
  assert_array_equals(tensor.shape, [3, 1]);
  assert_true(tensor.readable);
  assert_false(tensor.writable);
  assert_false(tensor.constant);
  assert_array_equals(new Int32Array(await context.readTensor(tensor)), [0, 0, 0], 'a new tensor holds zeros');
  tensor.destroy();
}, 'createTensor resolves with a zero-filled MLTensor of the descriptor');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, context.createTensor({ dataType: 'float31', shape: [2] }));
  await promise_rejects_js(t, TypeError, context.createTensor({ dataType: 'float32' }));
  await promise_rejects_js(t, TypeError, context.createTensor({ dataType: 'float32', shape: [-1] }));
}, 'createTensor rejects descriptors that do not convert (a TypeError, as a rejection)');

promise_test(async (t) => {
  const other = await navigator.ml.createContext(contextOptions);
  other.destroy();
  await promise_rejects_dom(t, 'InvalidStateError', other.createTensor({ ...DESCRIPTOR, readable: true }));
}, 'createTensor on a destroyed context rejects with an InvalidStateError');

// writeTensor and readTensor

promise_test(async () => {
  const tensor = await context.createTensor({ ...DESCRIPTOR, readable: true, writable: true });
  context.writeTensor(tensor, new Float32Array([1, -2, 3.5, 0.25]));
  assert_array_equals(new Float32Array(await context.readTensor(tensor)), [1, -2, 3.5, 0.25]);
  const into = new Float32Array(4);
  await context.readTensor(tensor, into);
  assert_array_equals(into, [1, -2, 3.5, 0.25], 'readTensor(tensor, outputData)');
  context.writeTensor(tensor, new Uint8Array(new Float32Array([5, 6, 7, 8]).buffer));
  assert_array_equals(new Float32Array(await context.readTensor(tensor)), [5, 6, 7, 8], 'any view of the right byte length');
  tensor.destroy();
}, 'writeTensor then readTensor round-trips the bytes, in the order the calls were made');

promise_test(async () => {
  const readOnly = await context.createTensor({ ...DESCRIPTOR, readable: true });
  assert_throws_js(TypeError, () => context.writeTensor(readOnly, new Float32Array(4)), 'not writable');
  const tensor = await context.createTensor({ ...DESCRIPTOR, writable: true });
  assert_throws_js(TypeError, () => context.writeTensor(tensor, new Float32Array(3)), 'too few bytes');
  assert_throws_js(TypeError, () => context.writeTensor(tensor, new Float32Array(5)), 'too many bytes');
  tensor.destroy();
  assert_throws_js(TypeError, () => context.writeTensor(tensor, new Float32Array(4)), 'destroyed');
  const other = await navigator.ml.createContext(contextOptions);
  const foreign = await other.createTensor({ ...DESCRIPTOR, writable: true });
  assert_throws_js(TypeError, () => context.writeTensor(foreign, new Float32Array(4)), 'another context\'s tensor');
  other.destroy();
  readOnly.destroy();
}, 'writeTensor throws a TypeError for a tensor that is not writable, destroyed or another context\'s, or a buffer of the wrong size');

promise_test(async (t) => {
  const writeOnly = await context.createTensor({ ...DESCRIPTOR, writable: true });
  await promise_rejects_js(t, TypeError, context.readTensor(writeOnly), 'not readable');
  const tensor = await context.createTensor({ ...DESCRIPTOR, readable: true });
  await promise_rejects_js(t, TypeError, context.readTensor(tensor, new Float32Array(3)), 'buffer too small');
  tensor.destroy();
  await promise_rejects_js(t, TypeError, context.readTensor(tensor), 'destroyed');
  const other = await navigator.ml.createContext(contextOptions);
  const foreign = await other.createTensor({ ...DESCRIPTOR, readable: true });
  await promise_rejects_js(t, TypeError, context.readTensor(foreign), 'another context\'s tensor');
  other.destroy();
  writeOnly.destroy();
}, 'readTensor rejects with a TypeError for a tensor that is not readable, destroyed or another context\'s, or a buffer of the wrong size');

promise_test(async (t) => {
  const tensor = await context.createTensor({ ...DESCRIPTOR, readable: true });
  const pending = context.readTensor(tensor);
  tensor.destroy();
  await promise_rejects_dom(t, 'InvalidStateError', pending);
}, 'destroying a tensor rejects its pending reads with an InvalidStateError');

promise_test(async (t) => {
  const other = await navigator.ml.createContext(contextOptions);
  const tensor = await other.createTensor({ ...DESCRIPTOR, readable: true });
  const pending = other.readTensor(tensor);
  other.destroy();
  await promise_rejects_dom(t, 'InvalidStateError', pending);
  const info = await other.lost;
  assert_equals(typeof info.message, 'string');
}, 'destroying a context rejects its pending reads with an InvalidStateError and resolves lost');

// dispatch

promise_test(async () => {
  const graph = await buildAddGraph(context);
  const { a, b, out } = await tensors();
  context.writeTensor(a, new Float32Array([1, 2, 3, 4]));
  context.writeTensor(b, new Float32Array([10, 20, 30, 40]));
  context.dispatch(graph, { a, b }, { out });
  context.writeTensor(b, new Float32Array([-1, -2, -3, -4]));
  const first = new Float32Array(await context.readTensor(out));
  context.dispatch(graph, { a, b }, { out });
  const second = new Float32Array(await context.readTensor(out));
  assert_array_equals(first, [11, 22, 33, 44]);
  assert_array_equals(second, [0, 0, 0, 0]);
  graph.destroy();
}, 'dispatch computes on the timeline: a write after a dispatch does not change that dispatch\'s result');

promise_test(async () => {
  const graph = await buildAddGraph(context);
  const { a, b, out } = await tensors();
  const readOnly = await context.createTensor({ ...DESCRIPTOR, readable: true });
  const wrongShape = await context.createTensor({ dataType: 'float32', shape: [4], writable: true });
  const wrongType = await context.createTensor({ dataType: 'int32', shape: [2, 2], writable: true });
  const constant = await context.createConstantTensor(DESCRIPTOR, new Float32Array(4));
  assert_throws_js(TypeError, () => context.dispatch(graph, { a }, { out }), 'an input missing');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a, b, c: readOnly }, { out }), 'an unknown input');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a, b }, {}), 'no outputs');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a, b }, { wrong: out }), 'an unknown output name');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a: wrongShape, b }, { out }), 'a tensor of another shape');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a: wrongType, b }, { out }), 'a tensor of another data type');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a: constant, b }, { out }), 'a constant tensor');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a, b: a }, { out }), 'the same tensor twice');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a, b }, { out: a }), 'an input tensor as the output');
  b.destroy();
  assert_throws_js(TypeError, () => context.dispatch(graph, { a, b }, { out }), 'a destroyed tensor');
  graph.destroy();
}, 'dispatch throws a TypeError for tensors that do not match the graph');

promise_test(async () => {
  const other = await navigator.ml.createContext(contextOptions);
  const foreignGraph = await buildAddGraph(other);
  const graph = await buildAddGraph(context);
  const mine = await tensors();
  const foreign = await tensors(other);
  assert_throws_js(TypeError, () => context.dispatch(foreignGraph, mine, {}), 'another context\'s graph');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a: foreign.a, b: mine.b }, { out: mine.out }), 'another context\'s input');
  assert_throws_js(TypeError, () => context.dispatch(graph, { a: mine.a, b: mine.b }, { out: foreign.out }), 'another context\'s output');
  graph.destroy();
  assert_throws_dom('InvalidStateError', () => context.dispatch(graph, { a: mine.a, b: mine.b }, { out: mine.out }), 'a destroyed graph');
  foreignGraph.destroy();
  assert_throws_js(TypeError, () => context.dispatch(foreignGraph, { a: mine.a, b: mine.b }, { out: mine.out }),
    'another context\'s graph is a TypeError even once destroyed (checked first)');
  other.destroy();
}, 'dispatch throws a TypeError for another context\'s graph or tensors, and an InvalidStateError for a destroyed graph');

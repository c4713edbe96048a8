// Helpers shared by this directory's WebNN tests, loaded with `// META: script=../resources/utils.js`.
//
// The page's variant picks the device: `?cpu`, `?gpu` or `?npu` become MLContextOptions.deviceType (a hint this
// polyfill maps onto its TF.js backends). Every test file that loads this script gets one context, `context`, made
// before its first test runs. Loaded as an ES module (in module workers) too: what tests use is put on the global
// object at the end.
'use strict';

const variant = location.search.substring(1);
const contextOptions = { cpu: { deviceType: 'cpu' }, gpu: { deviceType: 'gpu' }, npu: { deviceType: 'npu' } }[variant] ?? {};

promise_setup(async () => {
  self.context = await navigator.ml.createContext(contextOptions);
});

const TYPED_ARRAYS = {
  float32: Float32Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};
if (typeof Float16Array !== 'undefined') TYPED_ARRAYS.float16 = Float16Array;

function typedArrayFor(dataType, values) {
  const Type = TYPED_ARRAYS[dataType];
  if (!Type) throw new Error(`no typed array for ${dataType} here`);
  const is64 = dataType === 'int64' || dataType === 'uint64';
  return Type.from(values, (v) => (is64 ? BigInt(v) : v));
}

/** Whether `context` advertises `dataType` for operand `member` of operation `op` (MLContext.opSupportLimits()). */
function isDataTypeSupported(op, member, dataType) {
  const limits = context.opSupportLimits()[op];
  return Boolean(limits && limits[member] && limits[member].dataTypes.includes(dataType));
}

/** The distance in float32 units in the last place between two numbers, each first rounded to float32. */
function float32UlpDistance(a, b) {
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  // Two's-complement bit patterns, remapped so that they increase with the value (-0 and +0 both map to 0).
  const ordered = (i) => (i < 0 ? -2147483648 - i : i);
  return Math.abs(ordered(bits[0]) - ordered(bits[1]));
}

/**
 * Checks `actual` (a typed array) against `expected` numbers. tolerance: undefined (exact), { ulp: n } (float32
 * units in the last place), or { atol: a, rtol: r } (|actual - expected| <= a + r * |expected|).
 */
function assert_values_close(actual, expected, tolerance, dataType, label) {
  assert_equals(actual.length, expected.length, `${label}: element count`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = expected[i];
    const where = `${label}[${i}]: got ${a}, expected ${e}`;
    if (Number.isNaN(e)) {
      assert_true(Number.isNaN(a), where);
    } else if (!Number.isFinite(e) || tolerance === undefined || dataType !== 'float32' && dataType !== 'float16') {
      const rounded = dataType === 'float32' ? Math.fround(e) : e;
      assert_true(a === rounded, where);
    } else if (tolerance.ulp !== undefined) {
      const distance = float32UlpDistance(a, e);
      assert_less_than_equal(distance, tolerance.ulp, `${where} (${distance} ULP apart)`);
    } else {
      const bound = (tolerance.atol ?? 0) + (tolerance.rtol ?? 0) * Math.abs(e);
      assert_less_than_equal(Math.abs(a - e), bound, where);
    }
  }
}

/**
 * Builds a graph on `context`, runs it once through MLTensors and returns { outputName: typed array }.
 * graph.inputs / graph.constants: { name: { dataType, shape, data } }; graph.build(builder, operands) returns the
 * named outputs; graph.expected: { name: { dataType, shape, data } } (the output tensors are made from these).
 */
async function computeGraph(graph) {
  const builder = new MLGraphBuilder(context);
  const operands = {};
  for (const [name, input] of Object.entries(graph.inputs ?? {})) {
    operands[name] = builder.input(name, { dataType: input.dataType, shape: input.shape });
  }
  for (const [name, constant] of Object.entries(graph.constants ?? {})) {
    operands[name] = builder.constant({ dataType: constant.dataType, shape: constant.shape },
      typedArrayFor(constant.dataType, constant.data));
  }
  const outputs = graph.build(builder, operands);
  for (const [name, expected] of Object.entries(graph.expected)) {
    assert_true(outputs[name] instanceof MLOperand, `output ${name} is an MLOperand`);
    assert_equals(outputs[name].dataType, expected.dataType, `output ${name}: dataType`);
    assert_array_equals(outputs[name].shape, expected.shape, `output ${name}: shape`);
  }
  const built = await builder.build(outputs);
  const inputTensors = {};
  for (const [name, input] of Object.entries(graph.inputs ?? {})) {
    inputTensors[name] = await context.createTensor({ dataType: input.dataType, shape: input.shape, writable: true });
    context.writeTensor(inputTensors[name], typedArrayFor(input.dataType, input.data));
  }
  const outputTensors = {};
  for (const [name, expected] of Object.entries(graph.expected)) {
    outputTensors[name] = await context.createTensor({ dataType: expected.dataType, shape: expected.shape, readable: true });
  }
  context.dispatch(built, inputTensors, outputTensors);
  const results = {};
  for (const [name, expected] of Object.entries(graph.expected)) {
    results[name] = new TYPED_ARRAYS[expected.dataType](await context.readTensor(outputTensors[name]));
  }
  for (const tensor of [...Object.values(inputTensors), ...Object.values(outputTensors)]) tensor.destroy();
  built.destroy();
  return results;
}

/**
 * One subtest: builds and runs `graph` and compares each output with graph.expected within `tolerance`.
 * graph.requires: [[op, member, dataType], ...] operand data types the spec does not require of every context;
 * where the context does not advertise one of them, the subtest checks instead that building the graph throws a
 * TypeError (an implementation must refuse what its opSupportLimits() leaves out).
 */
function webnn_graph_test(name, graph, tolerance) {
  promise_test(async () => {
    const unsupported = (graph.requires ?? []).filter(([op, member, dataType]) => !isDataTypeSupported(op, member, dataType));
    if (unsupported.length) {
      const builder = new MLGraphBuilder(context);
      assert_throws_js(TypeError, () => {
        const operands = {};
        for (const [n, input] of Object.entries(graph.inputs ?? {})) {
          operands[n] = builder.input(n, { dataType: input.dataType, shape: input.shape });
        }
        for (const [n, constant] of Object.entries(graph.constants ?? {})) {
          operands[n] = builder.constant({ dataType: constant.dataType, shape: constant.shape },
            typedArrayFor(constant.dataType, constant.data));
        }
        graph.build(builder, operands);
      }, `the context leaves ${unsupported.map((u) => u.join('.')).join(', ')} out of opSupportLimits()`);
      return;
    }
    const results = await computeGraph(graph);
    for (const [output, expected] of Object.entries(graph.expected)) {
      assert_values_close(results[output], expected.data, tolerance, expected.dataType, output);
    }
  }, name);
}

Object.assign(self, {
  variant, contextOptions, TYPED_ARRAYS, typedArrayFor, isDataTypeSupported, float32UlpDistance, assert_values_close,
  computeGraph, webnn_graph_test,
});

// The WebNN dynamic-shape proposal in Node: one graph for every batch size and sequence length.
// Run after `npm run build`:   node examples/dynamic-shapes.mjs
//
// The graph takes x of shape ['batch', 'sequence', 4] and computes
//   y      = relu(x · W + b)                                      shape ['batch', 'sequence', 3]
//   padded = y with zero rows appended along 'sequence' up to a multiple of 8,
// where the padding amount is computed in the graph from shape(x): pad = (8 - sequence % 8) % 8.
import { installNow, MLGraph, MLGraphBuilder } from '../dist/esm/index.js';

installNow({ dynamicShapes: true });
if (!('computeShapes' in MLGraph.prototype)) throw new Error('the dynamic-shape proposal is not switched on');

const context = await navigator.ml.createContext({ tfjsBackend: 'cpu' });
const builder = new MLGraphBuilder(context);

const FEATURES = 4;
const UNITS = 3;
const MULTIPLE = 8;
const weights = Float32Array.from({ length: FEATURES * UNITS }, (_, i) => ((i * 7) % 11) / 10 - 0.5);
const bias = Float32Array.from([0.5, 0.25, 0.1]);

const uint32 = (values) => builder.constant({ dataType: 'uint32', shape: [values.length] }, Uint32Array.from(values));

const x = builder.input('x', { dataType: 'float32', shape: ['batch', 'sequence', FEATURES] });
const product = builder.matmul(x, builder.constant({ dataType: 'float32', shape: [FEATURES, UNITS] }, weights));
const y = builder.relu(builder.add(product, builder.constant({ dataType: 'float32', shape: [UNITS] }, bias)));

// The shape computation: uint32 values from shape() and constants only.
const xShape = builder.shape(x);                                       // [batch, sequence, 4]
const sequence = builder.gather(xShape, uint32([1]));                  // [sequence]
const multiple = uint32([MULTIPLE]);
const remainder = builder.modulusFloor(sequence, multiple);            // sequence % 8
const padAmount = builder.modulusFloor(builder.sub(multiple, remainder), multiple); // (8 - sequence % 8) % 8
const endingPadding = builder.concat([uint32([0]), padAmount, uint32([0])], 0);
const padded = builder.padDynamic(y, uint32([0, 0, 0]), endingPadding);

const show = (name, operand) => console.log(`  ${name.padEnd(14)} ${operand.dataType.padEnd(8)} ${JSON.stringify(operand.shape)}`);
console.log('MLOperand.shape at build time:');
show('x', x);
show('matmul', product);
show('y', y);
show('shape(x)', xShape);
show('sequence', sequence);
show('padAmount', padAmount);
show('endingPadding', endingPadding);
show('padded', padded);

const graph = await builder.build({ y, padded });

const BATCH = 2;
const roundUp = (n) => Math.ceil(n / MULTIPLE) * MULTIPLE;
const sameShape = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);

/** relu(x · W + b) and its zero-padded copy, in float64. */
function reference(input, batch, length) {
  const yRef = new Array(batch * length * UNITS);
  const paddedLength = roundUp(length);
  const paddedRef = new Array(batch * paddedLength * UNITS).fill(0);
  for (let n = 0; n < batch; n++) {
    for (let s = 0; s < length; s++) {
      for (let u = 0; u < UNITS; u++) {
        let sum = bias[u];
        for (let f = 0; f < FEATURES; f++) sum += input[(n * length + s) * FEATURES + f] * weights[f * UNITS + u];
        const value = Math.max(0, sum);
        yRef[(n * length + s) * UNITS + u] = value;
        paddedRef[(n * paddedLength + s) * UNITS + u] = value;
      }
    }
  }
  return { y: yRef, padded: paddedRef };
}

function check(name, actual, expected) {
  if (actual.length !== expected.length) throw new Error(`${name}: ${actual.length} values, ${expected.length} expected`);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > 1e-5 * Math.max(1, Math.abs(expected[i]))) {
      throw new Error(`${name}[${i}] is ${actual[i]}, ${expected[i]} expected`);
    }
  }
}

for (const length of [5, 13]) {
  const inputShape = [BATCH, length, FEATURES];
  const shapes = graph.computeShapes({ x: inputShape });
  console.log(`\nsequence ${length}: computeShapes({x: ${JSON.stringify(inputShape)}}) = ${JSON.stringify(shapes)}`);
  if (!sameShape(shapes.y, [BATCH, length, UNITS]) || !sameShape(shapes.padded, [BATCH, roundUp(length), UNITS])) {
    throw new Error(`computeShapes gave ${JSON.stringify(shapes)}`);
  }

  const data = Float32Array.from({ length: BATCH * length * FEATURES }, (_, i) => Math.sin(i * 0.7 + length));
  const xTensor = await context.createTensor({ dataType: 'float32', shape: inputShape, writable: true });
  const yTensor = await context.createTensor({ dataType: 'float32', shape: shapes.y, readable: true });
  const paddedTensor = await context.createTensor({ dataType: 'float32', shape: shapes.padded, readable: true });
  context.writeTensor(xTensor, data);
  context.dispatch(graph, { x: xTensor }, { y: yTensor, padded: paddedTensor });
  const yData = new Float32Array(await context.readTensor(yTensor));
  const paddedData = new Float32Array(await context.readTensor(paddedTensor));

  const expected = reference(data, BATCH, length);
  check('y', yData, expected.y);
  check('padded', paddedData, expected.padded);
  const row = (values, n, s) => [...values.slice((n * shapes.padded[1] + s) * UNITS, (n * shapes.padded[1] + s + 1) * UNITS)]
    .map((v) => v.toFixed(4)).join(', ');
  for (const [s, what] of [[0, 'first row'], [length - 1, 'last row'], [shapes.padded[1] - 1, 'padding']]) {
    console.log(`  padded[1][${s}]`.padEnd(18) + `= [${row(paddedData, 1, s)}]  (${what})`);
  }
  console.log(`  y and padded match the float64 reference (${yData.length} + ${paddedData.length} values)`);

  // An output tensor must have exactly the computed shape: nothing is resized.
  const wrong = await context.createTensor({ dataType: 'float32', shape: [BATCH, length, UNITS], readable: true });
  let rejected = null;
  try {
    context.dispatch(graph, { x: xTensor }, { y: yTensor, padded: wrong });
  } catch (error) {
    rejected = error;
  }
  const mustReject = !sameShape(shapes.padded, [BATCH, length, UNITS]);
  if (mustReject && !(rejected instanceof TypeError)) throw new Error('dispatch accepted a wrongly shaped output tensor');
  if (rejected) console.log(`  wrongly shaped output: ${rejected.name}: ${rejected.message}`);
  for (const tensor of [xTensor, yTensor, paddedTensor, wrong]) tensor.destroy();
}

graph.destroy();
console.log('\nok');

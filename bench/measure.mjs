// Times one case on one backend: the polyfill (write input, dispatch, read output) against the same computation
// written directly in TF.js (upload input, run, download output). The two are interleaved run by run so that
// machine noise and JIT warm-up affect both alike. Works wherever `tf` and an ML object are available.

import { values } from './cases.mjs';

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export async function measureCase({
  tf, ml, backend, benchCase, setDynamicShapes, warmupMs = 1500, measureMs = 2500, minRuns = 15, maxRuns = 400,
}) {
  const missing = benchCase.needs.filter((op) => typeof globalThis.MLGraphBuilder.prototype[op] !== 'function');
  if (missing.length) return { backend, name: benchCase.name, skipped: `no ${missing.join(', ')} yet` };

  const context = await ml.createContext({ tfjsBackend: backend });
  const desc = { dataType: 'float32', shape: benchCase.inputShape };
  // A case with named input dimensions is built with the dynamic-shape proposal on; its dispatches resolve the shapes.
  const symbolic = benchCase.symbolicShape !== undefined;
  if (symbolic) setDynamicShapes(true);
  const builder = new globalThis.MLGraphBuilder(context);
  const output = benchCase.graph(builder, builder.input('x', symbolic ? { ...desc, shape: benchCase.symbolicShape } : desc));
  const buildStart = performance.now();
  const graph = await builder.build({ y: output });
  const buildMs = performance.now() - buildStart;
  // One run per input shape in turn (a case may cycle through several); each has its own tensors and data.
  const runs = await Promise.all((benchCase.inputShapes ?? [benchCase.inputShape]).map(async (shape, k) => {
    const outputShape = symbolic ? graph.computeShapes({ x: shape }).y : output.shape;
    const data = k === 0 && shape === benchCase.inputShape ? benchCase.input : values(shape.reduce((a, b) => a * b, 1), 7 + k);
    return {
      shape, data,
      input: await context.createTensor({ dataType: 'float32', shape, writable: true }),
      result: await context.createTensor({ dataType: 'float32', shape: outputShape, readable: true }),
      out: new Float32Array(outputShape.reduce((a, b) => a * b, 1)),
    };
  }));
  if (symbolic) setDynamicShapes(false);
  let polyfillCount = 0;
  let polyfillOut = null;
  const polyfillRun = async () => {
    const run = runs[polyfillCount++ % runs.length];
    context.writeTensor(run.input, run.data);
    context.dispatch(graph, { x: run.input }, { y: run.result });
    await context.readTensor(run.result, run.out);
    polyfillOut = run.out;
  };

  // The graph's first dispatch (with its write and read), against the median later. The polyfill's last job has then
  // settled (readTensor resolved), so TF.js is free to use directly.
  const firstStart = performance.now();
  await polyfillRun();
  const firstMs = performance.now() - firstStart;
  polyfillCount = 0;
  await tf.setBackend(backend);
  const weights = benchCase.tfjsSetup(tf);
  let tfjsOut = null;
  let tfjsCount = 0;
  const tfjsRun = async () => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    const run = runs[tfjsCount++ % runs.length];
    const x = tf.tensor(run.data, run.shape);
    const y = tf.tidy(() => benchCase.tfjs(tf, x, weights));
    tfjsOut = await y.data();
    x.dispose();
    y.dispose();
  };

  // One sample times `batch` runs in a row: browsers round performance.now() to 5 us (100 us without cross-origin
  // isolation), more than a tiny graph takes.
  let batch = 1;
  const time = async (fn) => {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    return (performance.now() - t0) / batch;
  };

  // At least one run per input shape: webgl compiles its shaders per shape, at the first run of each, and whichever
  // side ran a shape first would pay for both.
  const warmupStart = performance.now();
  const warmupEnd = warmupStart + warmupMs;
  let warmups = 0;
  for (; performance.now() < warmupEnd || warmups < runs.length; warmups++) {
    await polyfillRun();
    await tfjsRun();
  }
  // Samples of at least 0.5 ms each, and a whole number of cycles through the input shapes.
  const runMs = (performance.now() - warmupStart) / warmups / 2;
  batch = Math.min(100, Math.max(1, Math.ceil(0.5 / Math.max(runMs, 0.001))));
  batch = Math.ceil(batch / runs.length) * runs.length;

  const tensorsBefore = tf.memory().numTensors;
  const polyfillMs = [];
  const tfjsMs = [];
  const measureEnd = performance.now() + measureMs;
  while ((polyfillMs.length < minRuns || performance.now() < measureEnd) && polyfillMs.length < maxRuns) {
    // Each side goes first every other sample: the garbage one side leaves is collected during either.
    if (polyfillMs.length % 2) {
      tfjsMs.push(await time(tfjsRun));
      polyfillMs.push(await time(polyfillRun));
    } else {
      polyfillMs.push(await time(polyfillRun));
      tfjsMs.push(await time(tfjsRun));
    }
  }
  const tensorsAfter = tf.memory().numTensors;

  const maxDifference = polyfillOut.reduce((m, v, i) => Math.max(m, Math.abs(v - tfjsOut[i])), 0);

  tf.dispose(weights);
  for (const run of runs) {
    run.input.destroy();
    run.result.destroy();
  }
  graph.destroy();
  context.destroy();
  // Releases are queued behind the context's work; let them run before anyone counts tensors.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const polyfill = median(polyfillMs);
  const tfjs = median(tfjsMs);
  return {
    backend, name: benchCase.name, runs: polyfillMs.length * batch, polyfill, tfjs, ratio: polyfill / tfjs,
    tensorsBefore, tensorsAfter, maxDifference, buildMs, firstMs,
  };
}

export function formatTable(rows) {
  const header = ['backend', 'case', 'polyfill ms', 'TF.js ms', 'ratio', 'runs', 'tensors before/after', 'max |diff|',
    'build ms', 'first dispatch / median'];
  const body = rows.map((r) => (r.skipped
    ? [r.backend, r.name, '-', '-', '-', '-', '-', r.skipped, '-', '-']
    : [r.backend, r.name, r.polyfill.toFixed(3), r.tfjs.toFixed(3), Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}x` : '-', String(r.runs),
      `${r.tensorsBefore}/${r.tensorsAfter}`, r.maxDifference.toExponential(1), r.buildMs.toFixed(1),
      `${(r.firstMs / r.polyfill).toFixed(2)}x`]));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8, 9]);
  const line = (cells) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

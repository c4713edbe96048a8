// The in-page half of the ONNX Runtime Web section of `npm run bench` (bundled by bench/browser.mjs next to ORT's
// own script bundle, ort.min.js): each model runs through ORT's WebNN execution provider on the polyfill (built from
// src with the same tfjs-core this file imports, so tf.profile sees the polyfill's kernels) and through ORT's own
// wasm execution provider, run by run in turn, with ORT's thread count equal to the polyfill's wasm thread count.
/* global location, URLSearchParams */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { installNow, MLContext, MLGraphBuilder } from '../../src/index.ts';
import { bytesOf } from '../../src/types/data-type.ts';
import { seededRandom } from '../../test/util/seeded-random.ts';
import { readWebNNPlacement } from '../../test/browser/ort/placement.ts';
import { models } from './models.mjs';

const params = new URLSearchParams(location.search);
/** The polyfill backend under ORT's WebNN provider, chosen the way an ORT user chooses it: by deviceType. */
const DEVICE_TYPES = { wasm: 'cpu', webgl: 'gpu' };
const backends = (params.get('backends') ?? 'wasm').split(',').filter((b) => b in DEVICE_TYPES);
const runScale = params.has('quick') ? 0.25 : 1;
const wasmThreads = params.has('threads') ? Number(params.get('threads')) : undefined;
/** Comma-separated parts of model names to run (all when absent). */
const modelFilter = params.get('models')?.toLowerCase().split(',');
const selectedModels = models.filter((m) => !modelFilter || modelFilter.some((part) => m.name.toLowerCase().includes(part)));
/**
 * Timed runs start after at least this many runs of each session and this long: the first seconds of a page run
 * slower (V8 still optimizing the JavaScript of ORT and the polyfill, Chromium still compiling the wasm modules'
 * hot functions), the WebNN EP's far more than the wasm EP's (the keyword head read 3.0-3.2x for 1.3 s, 2.1-2.3x after).
 */
const WARMUP_RUNS = 3;
const WARMUP_MS = params.has('quick') ? 300 : 2000;
/**
 * After that, warm-up goes on, window by window of runs of each session in turn, until WARMUP_STEADY_WINDOWS windows
 * in a row have no more than WARMUP_SLOW_RUNS runs of either session slower than twice its median, or for
 * WARMUP_MAX_MS in all (the compiling comes in bursts, with quiet windows between). Chromium compiles the hot
 * functions of ORT's wasm module in background threads for several seconds after they first run; on two cores those
 * threads take the page's thread off its core, for 4-5 ms at a time (Silero VAD v5 through ORT's wasm EP alone: one
 * run in seven over 2 ms for 5 s, median 0.5 ms; then none, median 0.33 ms). Timed runs are meant to be the steady
 * state an application running a model for minutes sees, for both providers.
 */
const WARMUP_WINDOW = 40;
const WARMUP_SLOW_RUNS = 2;
const WARMUP_STEADY_WINDOWS = 3;
const WARMUP_MAX_MS = params.has('quick') ? 1000 : 20_000;
const WEBNN_EP = 'WebNNExecutionProvider';

const post = (path, body) => fetch(path, { method: 'POST', body: JSON.stringify(body) });

// ORT's wasm module binds the console when it starts (at the first session); what it writes from then on lands
// here, where the placement of each node is read from its verbose log.
let ortLog = [];
for (const method of ['log', 'info', 'warn', 'error', 'debug']) {
  console[method] = (...args) => { ortLog.push(args.map(String).join(' ')); };
}
const takeLog = () => {
  const taken = ortLog;
  ortLog = [];
  return taken;
};

/**
 * Time spent in MLGraphBuilder.build, the number of MLContext.dispatch calls as ORT makes them, and the polyfill's part
 * of a run: the writeTensor calls, and from each dispatch until the next readTensor resolves.
 */
const polyfillCalls = { buildMs: 0, dispatches: 0, runMs: 0 };
let dispatchedAt = null;
function instrumentPolyfill() {
  const build = MLGraphBuilder.prototype.build;
  MLGraphBuilder.prototype.build = async function timedBuild(...args) {
    const start = performance.now();
    try {
      return await build.apply(this, args);
    } finally {
      polyfillCalls.buildMs += performance.now() - start;
    }
  };
}

/**
 * Runs `body` with the polyfill's writeTensor, dispatch and readTensor timed into polyfillCalls. Only the runs made for
 * that are timed so: the wrappers' clock reads and the promise the timed readTensor adds cost a run of the keyword head
 * about a microsecond (1-2 % of it), which the runs timed against ORT's wasm EP must not carry.
 */
async function withPolyfillTiming(body) {
  const methods = ['writeTensor', 'dispatch', 'readTensor'].map((name) => [name, MLContext.prototype[name]]);
  const dispatch = MLContext.prototype.dispatch;
  MLContext.prototype.dispatch = function countedDispatch(...args) {
    polyfillCalls.dispatches += 1;
    dispatchedAt ??= performance.now();
    return dispatch.apply(this, args);
  };
  const writeTensor = MLContext.prototype.writeTensor;
  MLContext.prototype.writeTensor = function timedWrite(...args) {
    const start = performance.now();
    try {
      return writeTensor.apply(this, args);
    } finally {
      polyfillCalls.runMs += performance.now() - start;
    }
  };
  const readTensor = MLContext.prototype.readTensor;
  MLContext.prototype.readTensor = function timedRead(...args) {
    return readTensor.apply(this, args).then((result) => {
      if (dispatchedAt !== null) polyfillCalls.runMs += performance.now() - dispatchedAt;
      dispatchedAt = null;
      return result;
    });
  };
  try {
    return await body();
  } finally {
    for (const [name, method] of methods) MLContext.prototype[name] = method;
  }
}

/**
 * What the polyfill's readTensor calls of one run of `session` gave, in call order: the floor's reads give them back,
 * so that what ORT computes on its own providers from them (shape computations, If branches) is what it computes in
 * a real run.
 */
async function recordReads(session, feeds) {
  const readTensor = MLContext.prototype.readTensor;
  const reads = [];
  MLContext.prototype.readTensor = async function recordedRead(...args) {
    const result = await readTensor.apply(this, args);
    reads.push(bytesOf(args[1] ?? result).slice());
    return result;
  };
  try {
    await session.run(feeds);
  } finally {
    MLContext.prototype.readTensor = readTensor;
  }
  return reads;
}

/**
 * Runs `body` with the polyfill's writeTensor and dispatch doing no work and readTensor giving back, in turn, what the
 * reads of a real run gave (`reads`): what ORT's WebNN EP costs on its own, the least any WebNN implementation could
 * take for a run of the model.
 */
async function withFreeCompute(reads, body) {
  const methods = ['writeTensor', 'dispatch', 'readTensor'].map((name) => [name, MLContext.prototype[name]]);
  let next = 0;
  MLContext.prototype.writeTensor = function freeWrite() {};
  MLContext.prototype.dispatch = function freeDispatch() {};
  MLContext.prototype.readTensor = async function freeRead(tensor, view) {
    const bytes = reads[next++ % reads.length];
    if (view) {
      bytesOf(view).set(bytes);
      return undefined;
    }
    return bytes.slice().buffer;
  };
  try {
    return await body();
  } finally {
    for (const [name, method] of methods) MLContext.prototype[name] = method;
  }
}

/**
 * The step of a clock whose readings are all multiples of it (performance.now() in a cross-origin isolated page:
 * 5 us), from the smallest gap between distinct values; 0 where the values show none of at least a microsecond.
 */
function clockStep(sorted) {
  let step = Infinity;
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i] - sorted[i - 1];
    // Readings differ from multiples of the step by float rounding (a few 1e-9 ms).
    if (gap > 1e-4 && gap < step) step = gap;
  }
  if (!(step >= 1e-3 && step < Infinity)) return 0;
  return sorted.every((v) => Math.abs(v / step - Math.round(v / step)) < 1e-3) ? step : 0;
}

/**
 * The q-quantile of sorted samples. Times read off a clock of `step` are taken as spread evenly over the step each
 * stands for (the quantile of grouped data): a run of 45 us is 45 or 50 us on a 5 us clock, and a plain median of
 * such runs jumps by a step (the keyword head's ratio read 2.00, 2.11 or 2.22 from one bench to the next).
 */
function quantile(sorted, q) {
  const step = clockStep(sorted);
  if (step === 0) {
    const at = (sorted.length - 1) * q;
    const low = Math.floor(at);
    return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
  }
  const target = q * sorted.length;
  let below = 0;
  while (below < sorted.length) {
    let same = below;
    while (same < sorted.length && sorted[same] - sorted[below] < step / 2) same++;
    if (same > target || same === sorted.length) return sorted[below] - step / 2 + ((target - below) / (same - below)) * step;
    below = same;
  }
  return sorted[sorted.length - 1];
}

function spread(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9) };
}

/** Each input: a shape (float32, seeded values in [-1, 1)) or { dataType, shape, values } as given. */
function feedsFor(ort, inputs, seed) {
  const random = seededRandom(seed);
  return Object.fromEntries(Object.entries(inputs).map(([name, input]) => {
    if (!Array.isArray(input)) return [name, new ort.Tensor(input.dataType, input.values, input.shape)];
    const data = Float32Array.from({ length: input.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1);
    return [name, new ort.Tensor('float32', data, input)];
  }));
}

/** One run as an application makes it: inputs in, every output read back to a typed array. */
async function timedRun(session, feeds) {
  const start = performance.now();
  const out = await session.run(feeds);
  const data = session.outputNames.map((name) => out[name].data);
  return { ms: performance.now() - start, data };
}

/** The runs of a window slower than twice its median. */
function slowRuns(ms) {
  const median = spread(ms).median;
  return ms.filter((t) => t > 2 * median).length;
}

function maxAbsDiff(a, b) {
  let max = 0;
  a.forEach((values, o) => {
    for (let i = 0; i < values.length; i++) {
      const d = Math.abs(values[i] - b[o][i]);
      if (!(d <= max)) max = d;
    }
  });
  return max;
}

async function createSession(ort, model, provider, extra, logged = false) {
  const start = performance.now();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [provider], ...extra, ...(logged ? { logSeverityLevel: 0, logVerbosityLevel: 0 } : {}),
  });
  return { session, ms: performance.now() - start };
}

async function measureModel(ort, spec, backend, threads) {
  const model = await spec.load();
  const extra = spec.freeDimensionOverrides ? { freeDimensionOverrides: spec.freeDimensionOverrides } : {};
  const provider = { name: 'webnn', deviceType: DEVICE_TYPES[backend] };
  const feeds = feedsFor(ort, spec.inputs, 20250601);

  // Where ORT placed each node, from a separate session with verbose logging (which would slow the timed one).
  ort.env.logLevel = 'verbose';
  takeLog();
  const probe = await createSession(ort, model, provider, extra, true);
  const placement = readWebNNPlacement(takeLog());
  await probe.session.release();
  ort.env.logLevel = 'warning';

  polyfillCalls.buildMs = 0;
  const webnn = await createSession(ort, model, provider, extra);
  const polyfillBuildMs = polyfillCalls.buildMs;
  const wasm = await createSession(ort, model, 'wasm', extra);
  try {
    polyfillCalls.dispatches = 0;
    const polyfillBeforeFirst = polyfillCalls.runMs;
    const webnnFirst = await withPolyfillTiming(() => timedRun(webnn.session, feeds));
    const polyfillFirstMs = polyfillCalls.runMs - polyfillBeforeFirst;
    const dispatchesPerRun = polyfillCalls.dispatches;
    const wasmFirst = await timedRun(wasm.session, feeds);
    const warmupStart = performance.now();
    for (let i = 0; i < WARMUP_RUNS || performance.now() < warmupStart + WARMUP_MS; i++) {
      await timedRun(webnn.session, feeds);
      await timedRun(wasm.session, feeds);
    }
    const warmupEnd = warmupStart + WARMUP_MAX_MS;
    for (let steady = 0; steady < WARMUP_STEADY_WINDOWS && performance.now() < warmupEnd;) {
      const window = { webnn: [], wasm: [] };
      for (let i = 0; i < WARMUP_WINDOW && performance.now() < warmupEnd; i++) {
        window.webnn.push((await timedRun(webnn.session, feeds)).ms);
        window.wasm.push((await timedRun(wasm.session, feeds)).ms);
      }
      steady = slowRuns(window.webnn) <= WARMUP_SLOW_RUNS && slowRuns(window.wasm) <= WARMUP_SLOW_RUNS ? steady + 1 : 0;
    }
    const warmupMs = performance.now() - warmupStart;
    const runs = Math.max(5, Math.round(spec.runs * runScale));
    const webnnMs = [];
    const wasmMs = [];
    let last;
    for (let i = 0; i < runs; i++) {
      // Alternating which goes first keeps either from always running on a cache the other warmed.
      const order = i % 2 === 0 ? ['webnn', 'wasm'] : ['wasm', 'webnn'];
      const results = {};
      for (const which of order) results[which] = await timedRun(which === 'webnn' ? webnn.session : wasm.session, feeds);
      webnnMs.push(results.webnn.ms);
      wasmMs.push(results.wasm.ms);
      last = results;
    }
    // The polyfill's part of a run, from as many runs again, in turn with wasm runs as above, timed on their own.
    const polyfillMs = [];
    await withPolyfillTiming(async () => {
      for (let i = 0; i < runs; i++) {
        const before = polyfillCalls.runMs;
        await timedRun(webnn.session, feeds);
        polyfillMs.push(polyfillCalls.runMs - before);
        await timedRun(wasm.session, feeds);
      }
    });
    // Beside wasm runs again, in turn, so that the floor's ratio is to wasm runs made under the same load.
    const floorMs = [];
    const wasmBesideFloorMs = [];
    const reads = await recordReads(webnn.session, feeds);
    await withFreeCompute(reads, async () => {
      for (let i = 0; i < runs; i++) {
        floorMs.push((await timedRun(webnn.session, feeds)).ms);
        wasmBesideFloorMs.push((await timedRun(wasm.session, feeds)).ms);
      }
    });
    // ORT's own part of a first run: a fresh session's first run with free compute.
    const fresh = await createSession(ort, model, provider, extra);
    const floorFirst = await withFreeCompute(reads, () => timedRun(fresh.session, feeds));
    await fresh.session.release();
    const profile = await tf.profile(() => webnn.session.run(feeds));
    // tf.profile also lists the op around a kernel that has a custom gradient (e.g. fusedConv2d__op around
    // FusedConv2D), with the same time: those are not kernels of their own.
    const kernels = profile.kernels.filter((k) => !k.name.endsWith('__op'));
    const kernelNames = kernels.map((k) => k.name);
    const kernelMs = (k) => (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0);
    /** Kernel name -> [count, profiled ms] over the run. */
    const kernelCounts = {};
    for (const k of kernels) {
      const [count, ms] = kernelCounts[k.name] ?? [0, 0];
      kernelCounts[k.name] = [count + 1, ms + kernelMs(k)];
    }
    const webnnSpread = spread(webnnMs);
    const wasmSpread = spread(wasmMs);
    return {
      model: spec.name, source: spec.source, backend, threads, runs,
      nodes: placement.summary?.graphNodes ?? null,
      webnnNodes: placement.summary?.supportedNodes ?? null,
      partitions: placement.summary?.partitions ?? null,
      placements: Object.fromEntries(placement.placements),
      rejected: placement.nodes.filter((n) => !n.supported).map((n) => `${n.opType}:${n.name}`),
      webnnSessionMs: webnn.ms, polyfillBuildMs, wasmSessionMs: wasm.ms,
      webnnFirstMs: webnnFirst.ms, wasmFirstMs: wasmFirst.ms, polyfillFirstMs, warmupMs,
      webnn: webnnSpread, wasm: wasmSpread, ratio: webnnSpread.median / wasmSpread.median, polyfill: spread(polyfillMs),
      floorFirstMs: floorFirst.ms, floor: spread(floorMs), floorRatio: spread(floorMs).median / spread(wasmBesideFloorMs).median,
      maxDifference: maxAbsDiff(last.webnn.data, last.wasm.data),
      maxOutput: Math.max(...last.wasm.data.map((values) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0))),
      dispatchesPerRun,
      kernels: kernelNames.length,
      kernelCounts,
      profiledMs: kernels.reduce((sum, k) => sum + kernelMs(k), 0),
      slowestKernels: [...kernels].sort((a, b) => kernelMs(b) - kernelMs(a)).slice(0, 3)
        .map((k) => ({ name: k.name, inputShapes: k.inputShapes, ms: kernelMs(k) })),
      transposes: kernelNames.filter((name) => name === 'Transpose').length,
      onWebNN: placement.placements.get(WEBNN_EP) ?? 0,
    };
  } finally {
    await webnn.session.release();
    await wasm.session.release();
  }
}

async function main() {
  const ml = installNow({ force: true, wasmPaths: new URL('/dist/', location.href).href,
    ...(wasmThreads ? { wasmThreads } : {}) });
  instrumentPolyfill();
  // ORT fixes its thread count when its wasm module starts, at the first session: start the polyfill's wasm
  // backend first and give ORT the same number.
  const starter = await ml.createContext({ deviceType: 'cpu' });
  const threads = getThreadsCount();
  starter.destroy();
  const ort = globalThis.ort;
  if (!ort) throw new Error('ort.min.js did not define ort');
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
  ort.env.wasm.numThreads = threads;

  const rows = [];
  for (const backend of backends) {
    for (const spec of selectedModels) {
      await post('/progress', { backend: `ort ${backend}`, name: spec.name });
      try {
        rows.push(await measureModel(ort, spec, backend, threads));
      } catch (error) {
        rows.push({ model: spec.name, backend, skipped: `error: ${error?.message ?? error}` });
      }
    }
  }
  const environment = { userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated,
    tfjs: tf.version_core, ort: ort.env.versions?.web ?? 'unknown', threads };
  await post('/results', { environment, rows });
}

main().catch((error) => post('/results', { error: String(error?.stack ?? error) }));

/**
 * ONNX Runtime Web 1.30 (default script bundle, ort.min.js) runs a real ONNX conv net through its WebNN execution
 * provider on top of the polyfill's script-tag build (dist/webnn-polyfill.js), and must:
 *   - place every node of the model on the WebNN provider (read from ORT's own verbose session log), with the
 *     polyfill building the whole net as one graph and dispatching it once per run;
 *   - match ORT's own wasm execution provider within 1e-4 on every output, for two different inputs;
 *   - and, for a variant with one operator ORT's WebNN provider does not implement, run split across WebNN and
 *     ORT's CPU provider (tensors read back from and written to WebNN mid-run) with the same accuracy.
 * The wasm provider's results are themselves checked against a float64 forward pass of the model.
 */
import type * as Ort from 'onnxruntime-web';
import { buildConvNet, CLASSES, INPUT_SHAPE, randomImage, type ConvNet } from './onnx/conv-net.js';
import { convNetReference } from './onnx/conv-net-reference.js';
import { openOrtFrame, WEBGPU_POLYFILL_URL, type OrtFrame, type WebNNCalls } from './ort/ort-frame.js';
import { readWebNNPlacement, type WebNNPlacement } from './ort/placement.js';

const TOLERANCE = 1e-4;
const OUTPUTS = ['logits', 'probs'] as const;
const INPUT_SEEDS = [7, 1234567];
const WEBNN_EP = 'WebNNExecutionProvider';
const CPU_EP = 'CPUExecutionProvider';

type Outputs = Record<(typeof OUTPUTS)[number], Float32Array>;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = d; // a NaN difference makes max NaN, which fails the check below
  }
  return max;
}

function assertWithin(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const diff = maxAbsDiff(actual, expected);
  if (!(diff <= TOLERANCE)) {
    throw new Error(`${what}: max abs diff ${diff} > ${TOLERANCE}\n  actual   ${Array.from(actual).join(', ')}\n` +
      `  expected ${Array.from(expected).join(', ')}`);
  }
}

function assertEqual<T>(what: string, actual: T, expected: T): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

const countOf = (calls: WebNNCalls, key: string) => calls.counts.get(key) ?? 0;

describe('ONNX Runtime Web WebNN execution provider on the polyfill (conv net)', function () {
  this.timeout(300000);
  const inputs = INPUT_SEEDS.map(randomImage);
  const fullNet = buildConvNet();
  const splitNet = buildConvNet({ cpuShrink: true });
  let frame: OrtFrame;
  const wasmResults = new Map<ConvNet, Outputs[]>();

  async function runAll(session: Ort.InferenceSession, on: OrtFrame = frame): Promise<Outputs[]> {
    const results: Outputs[] = [];
    for (const input of inputs) {
      const feeds = { image: new on.ort.Tensor('float32', on.inFrame(input), [...INPUT_SHAPE]) };
      const out = await on.guard(session.run(feeds));
      const result = {} as Outputs;
      for (const name of OUTPUTS) {
        const tensor = out[name];
        if (!tensor) throw new Error(`the session returned no '${name}'`);
        assertEqual(`${name} dims`, tensor.dims, [INPUT_SHAPE[0], CLASSES]);
        result[name] = Float32Array.from(await on.guard(tensor.getData()) as Float32Array);
      }
      results.push(result);
    }
    return results;
  }

  /** Creates a session with verbose logging; returns it with what ORT logged and called while creating it. */
  async function createSession(net: ConvNet, provider: Ort.InferenceSession.ExecutionProviderConfig) {
    frame.takeLog();
    frame.takeCalls();
    const session = await frame.guard(frame.ort.InferenceSession.create(frame.inFrame(net.model), {
      executionProviders: [provider],
      logSeverityLevel: 0,
      logVerbosityLevel: 0,
    }));
    const log = frame.takeLog();
    return { session, log, placement: readWebNNPlacement(log), calls: frame.takeCalls() };
  }

  function explain(placement: WebNNPlacement, log: readonly string[]): string {
    return [...placement.reasons, ...log.filter((l) => /placed on|WebNN|webnn/.test(l))].join('\n');
  }

  /** Runs both inputs, compares with the wasm provider, and checks nothing went wrong on the WebNN side. */
  async function runAndCompare(net: ConvNet, session: Ort.InferenceSession, dispatchesPerRun: number): Promise<void> {
    for (const [i, result] of (await runAll(session)).entries()) {
      for (const name of OUTPUTS) assertWithin(`input ${i} ${name}`, result[name], wasmResults.get(net)![i]![name]);
    }
    const ran = frame.takeCalls();
    assertEqual('MLContext.dispatch calls', countOf(ran, 'MLContext.dispatch'), dispatchesPerRun * inputs.length);
    assertEqual('MLGraphBuilder.build calls while running', countOf(ran, 'MLGraphBuilder.build'), 0);
    const problems = frame.takeLog().filter((l) => /\[E:|\[W:|WebNN .* failed|Error/.test(l));
    assertEqual('errors or warnings logged while running', problems, []);
  }

  before(async () => {
    frame = await openOrtFrame();
    for (const net of [fullNet, splitNet]) {
      const session = await frame.guard(frame.ort.InferenceSession.create(frame.inFrame(net.model),
        { executionProviders: ['wasm'] }));
      try {
        wasmResults.set(net, await runAll(session));
      } finally {
        await session.release();
      }
    }
    frame.takeLog();
    frame.takeCalls();
  });

  after(() => frame?.dispose());

  it('the wasm execution provider (the comparison baseline) matches a float64 forward pass', () => {
    for (const net of [fullNet, splitNet]) {
      inputs.forEach((input, i) => {
        const reference = convNetReference(net, input);
        for (const name of OUTPUTS) {
          assertWithin(`${net.cpuShrink ? 'split' : 'full'} net, input ${i} ${name}`, wasmResults.get(net)![i]![name],
            reference[name]);
        }
      });
    }
  });

  const variants: { title: string; provider: Ort.InferenceSession.ExecutionProviderConfig; deviceType?: string }[] = [
    { title: "executionProviders: ['webnn']", provider: 'webnn' },
    { title: "webnn, deviceType 'cpu'", provider: { name: 'webnn', deviceType: 'cpu' }, deviceType: 'cpu' },
    { title: "webnn, deviceType 'gpu'", provider: { name: 'webnn', deviceType: 'gpu' }, deviceType: 'gpu' },
  ];

  for (const variant of variants) {
    it(`${variant.title}: every node runs on WebNN and the outputs match the wasm provider within ${TOLERANCE}`, async () => {
      const { session, log, placement, calls } = await createSession(fullNet, variant.provider);
      try {
        // ORT asked the polyfill for a context with the requested options and read its support limits.
        assertEqual('createContext calls', calls.contextOptions.length, 1);
        const options = calls.contextOptions[0] as { deviceType?: string } | undefined;
        assertEqual('createContext deviceType', options?.deviceType, variant.deviceType);
        if (countOf(calls, 'MLContext.opSupportLimits') < 1) throw new Error('ORT never read opSupportLimits()');

        // The WebNN provider's own verdict, node by node, then the session's placement of the partitioned graph.
        assertEqual(`nodes the WebNN provider examined (log:\n${explain(placement, log)})`,
          placement.nodes.map((n) => `${n.opType}:${n.name}`), fullNet.nodes.map((n) => `${n.opType}:${n.name}`));
        const rejected = placement.nodes.filter((n) => !n.supported);
        if (rejected.length) {
          throw new Error(`WebNN rejected ${rejected.map((n) => `${n.opType} '${n.name}'`).join(', ')}:\n` +
            explain(placement, log));
        }
        assertEqual('GetCapability summary', placement.summary,
          { partitions: 1, graphNodes: fullNet.nodes.length, supportedNodes: fullNet.nodes.length });
        assertEqual(`node placements (log:\n${explain(placement, log)})`, [...placement.placements], [[WEBNN_EP, 1]]);

        // The polyfill built that one partition as one WebNN graph holding the whole net.
        assertEqual('MLGraphBuilder.build calls', countOf(calls, 'MLGraphBuilder.build'), 1);
        assertEqual('MLGraphBuilder.input calls', countOf(calls, 'MLGraphBuilder.input'), 1);
        assertEqual('MLGraphBuilder.conv2d calls', countOf(calls, 'MLGraphBuilder.conv2d'), 3);
        for (const op of ['maxPool2d', 'add', 'softmax']) {
          if (countOf(calls, `MLGraphBuilder.${op}`) < 1) throw new Error(`ORT built no ${op}`);
        }

        await runAndCompare(fullNet, session, 1);
      } finally {
        await session.release();
      }
    });
  }

  it(`on webgpu (the script bundle carrying it; contexts ask for tfjsBackend 'webgpu', as SwiftShader's adapter is a ` +
    `fallback one): one WebNN graph, outputs within ${TOLERANCE} of the wasm provider's`, async () => {
    const gpu = await openOrtFrame({ polyfillUrl: WEBGPU_POLYFILL_URL, contextOptions: { tfjsBackend: 'webgpu' } });
    try {
      const session = await gpu.guard(gpu.ort.InferenceSession.create(gpu.inFrame(fullNet.model),
        { executionProviders: [{ name: 'webnn', deviceType: 'gpu' }] }));
      try {
        const calls = gpu.takeCalls();
        assertEqual('backends of the contexts ORT made', calls.contextBackends, ['webgpu']);
        assertEqual('MLGraphBuilder.build calls', countOf(calls, 'MLGraphBuilder.build'), 1);
        assertEqual('MLGraphBuilder.conv2d calls', countOf(calls, 'MLGraphBuilder.conv2d'), 3);
        const results = await runAll(session, gpu);
        results.forEach((result, i) => {
          for (const name of OUTPUTS) assertWithin(`input ${i} ${name}`, result[name], wasmResults.get(fullNet)![i]![name]);
        });
      } finally {
        await session.release();
      }
    } finally {
      gpu.dispose();
    }
  });

  it(`an operator ORT's WebNN provider lacks (Shrink) runs on its CPU provider between two WebNN graphs, ` +
    `and the outputs match the wasm provider within ${TOLERANCE}`, async () => {
    const { session, log, placement, calls } = await createSession(splitNet, 'webnn');
    try {
      assertEqual(`nodes the WebNN provider rejected (log:\n${explain(placement, log)})`,
        placement.nodes.filter((n) => !n.supported).map((n) => `${n.opType}:${n.name}`), ['Shrink:stem_shrink']);
      assertEqual('GetCapability summary', placement.summary,
        { partitions: 2, graphNodes: splitNet.nodes.length, supportedNodes: splitNet.nodes.length - 1 });
      assertEqual(`nodes placed on ${CPU_EP}`, placement.placements.get(CPU_EP), 1);
      if (!((placement.placements.get(WEBNN_EP) ?? 0) >= 2)) {
        throw new Error(`expected both WebNN partitions placed on ${WEBNN_EP}:\n${explain(placement, log)}`);
      }
      assertEqual('MLGraphBuilder.build calls', countOf(calls, 'MLGraphBuilder.build'), 2);
      await runAndCompare(splitNet, session, 2);
    } finally {
      await session.release();
    }
  });
});

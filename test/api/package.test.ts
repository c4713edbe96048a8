/**
 * The npm package as users get it (Node only): after the build, `import 'webnn-tfjs-polyfill'` resolves through
 * package.json "exports" to dist/esm/index.js, installs navigator.ml and runs graphs on cpu and on wasm (whose .wasm
 * files tfjs-backend-wasm finds in node_modules); and dist/types/index.d.ts types a strict TypeScript consumer.
 */
import { ensureDist, runModule, typecheckConsumer } from './node-package.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

const ESM_CHECK = `
import * as webnn from 'webnn-tfjs-polyfill';

const resolved = import.meta.resolve('webnn-tfjs-polyfill');
const ml = webnn.installNow();
if (navigator.ml !== ml) throw new Error('navigator.ml is not the installed ML');
for (const name of ['ML', 'MLContext', 'MLGraph', 'MLGraphBuilder', 'MLOperand', 'MLTensor']) {
  if (globalThis[name] !== webnn[name]) throw new Error(name + ' is not installed on the global object');
}
const results = {};
for (const backend of ['cpu', 'wasm']) {
  const context = await navigator.ml.createContext({ tfjsBackend: backend });
  const builder = new MLGraphBuilder(context);
  const desc = { dataType: 'float32', shape: [2, 2] };
  const x = builder.input('x', desc);
  const c = builder.constant(desc, new Float32Array([1, 2, 3, 4]));
  const graph = await builder.build({ y: builder.mul(builder.add(x, c), c) });
  const input = await context.createTensor({ ...desc, writable: true });
  const output = await context.createTensor({ ...desc, readable: true });
  context.writeTensor(input, new Float32Array([0.5, 0.5, 0.5, 0.5]));
  context.dispatch(graph, { x: input }, { y: output });
  results[backend] = Array.from(new Float32Array(await context.readTensor(output)));
  context.destroy();
}
console.log(JSON.stringify({ resolved, results }));
`;

const CONSUMER = `
import {
  installNow, MLGraphBuilder, type MLContext, type MLContextOptions, type MLConv2dOptions, type MLGraph,
  type MLOpSupportLimits, type MLOperand, type MLOperandDataType, type MLTensor, type MLTensorDescriptor,
} from 'webnn-tfjs-polyfill';

export async function consume(): Promise<number> {
  const ml = installNow({ wasmThreads: 2 });
  const options: MLContextOptions = { powerPreference: 'low-power', accelerated: false, tfjsBackend: 'wasm' };
  const context: MLContext = await ml.createContext(options);
  const builder = new MLGraphBuilder(context);
  const input: MLOperand = builder.input('input', { dataType: 'float32', shape: [1, 8, 8, 3] });
  const filter = builder.constant({ dataType: 'float32', shape: [4, 3, 3, 3] }, new Float32Array(108));
  const conv2dOptions: MLConv2dOptions = { inputLayout: 'nhwc', filterLayout: 'ohwi', padding: [1, 1, 1, 1], label: 'conv' };
  const conv = builder.conv2d(input, filter, conv2dOptions);
  const parts: MLOperand[] = builder.split(conv, 2, { axis: 3 });
  const [hidden, cell] = builder.lstmCell(input, filter, filter, input, input, 4);
  const gru: MLOperand[] = builder.gru(input, filter, filter, 2, 4, { direction: 'both', activations: ['sigmoid', 'tanh'] });
  const scalar = builder.constant('float16', 1.5);
  const big = builder.constant('int64', 2n ** 40n);
  const clamped = builder.clamp(parts[0]!, { minValue: 0, maxValue: 6n });
  const dataType: MLOperandDataType = clamped.dataType;
  const shape: readonly number[] = clamped.shape;
  const graph: MLGraph = await builder.build({ out: builder.relu(clamped) });
  const desc: MLTensorDescriptor = { dataType, shape, readable: true };
  const output: MLTensor = await context.createTensor(desc);
  context.dispatch(graph, {}, { out: output });
  const bytes: ArrayBuffer = await context.readTensor(output);
  const nothing: undefined = await context.readTensor(output, new Float32Array(bytes.byteLength / 4));
  const limits: MLOpSupportLimits = context.opSupportLimits();
  const filterTypes: MLOperandDataType[] | undefined = limits.conv2d?.filter.dataTypes;
  const maxRank: number = limits.input.rankRange.max;
  const lost: string = (await context.lost).message;
  void [hidden, cell, gru, scalar, big, nothing, filterTypes, maxRank, lost];

  // @ts-expect-error conv2d needs a filter
  builder.conv2d(input);
  // @ts-expect-error not a filter layout of conv2d
  builder.conv2d(input, filter, { filterLayout: 'iohw' });
  // @ts-expect-error split returns a sequence
  const single: MLOperand = builder.split(conv, 2);
  // @ts-expect-error per-operation members are optional: this version may not implement the operation
  void limits.gru.input;
  // @ts-expect-error not an MLOperandDataType
  builder.input('x', { dataType: 'float64', shape: [1] });
  // @ts-expect-error dispatch binds MLTensors
  context.dispatch(graph, { input }, { out: output });
  void single;
  return limits.maxTensorByteLength;
}
`;

if (isNode) {
  describe('npm package (Node)', function () {
    this.timeout(180_000);
    before(ensureDist);

    it('import \'webnn-tfjs-polyfill\' resolves to dist/esm, installs and runs graphs on cpu and on wasm', async () => {
      const { code, stdout, stderr } = await runModule('esm-check.mjs', ESM_CHECK);
      if (code !== 0) throw new Error(`node exited with ${code}:\n${stderr}`);
      const { resolved, results } = JSON.parse(stdout.trim().split('\n').pop()!) as {
        resolved: string; results: Record<string, number[]>;
      };
      if (!resolved.endsWith('/dist/esm/index.js')) throw new Error(`resolved to ${resolved}`);
      const expected = [1.5, 5, 10.5, 18].join();
      for (const backend of ['cpu', 'wasm']) {
        if (results[backend]?.join() !== expected) throw new Error(`${backend}: ${results[backend]}`);
      }
      if (/looks like you are running TensorFlow\.js in Node/.test(stdout + stderr)) throw new Error('TF.js Node.js banner printed');
    });

    it('dist/types types a strict TypeScript consumer (every operation, options and limits dictionary)', async () => {
      const { code, stdout, stderr } = await typecheckConsumer(CONSUMER);
      if (code !== 0) throw new Error(`tsc found errors:\n${stdout}${stderr}`);
    });
  });
}

/**
 * The npm package as users get it (Node only): after the build, `import 'webnn-tfjs-polyfill'` resolves through
 * package.json "exports" to dist/esm/index.js, installs navigator.ml and runs graphs on cpu and on wasm (whose .wasm
 * files tfjs-backend-wasm finds in node_modules); dist/types/index.d.ts types a strict TypeScript consumer; and the
 * packed tarball, installed into a fresh project, types a strict app with skipLibCheck off that uses the globals of
 * webnn-tfjs-polyfill/global.
 */
import {
  ensureDist, installPacked, runModule, typecheckApp, typecheckConsumer, type PackedProject, type ProcessResult,
} from './node-package.js';

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

// The globals, as a page or worker uses them after install(); every `@ts-expect-error` must meet an error.
const GLOBALS_APP = `
import { install } from 'webnn-tfjs-polyfill';

export async function run(): Promise<number[]> {
  await install();
  const options: MLContextOptions = { powerPreference: 'low-power' };
  const context: MLContext = await navigator.ml.createContext(options);
  const builder: MLGraphBuilder = new MLGraphBuilder(context);
  const desc: MLOperandDescriptor = { dataType: 'float32', shape: [2, 2] };
  const x: MLOperand = builder.input('x', desc);
  const bias = builder.constant(desc, new Float32Array([1, -2, 3, -4]));
  const conv2dOptions: MLConv2dOptions = { inputLayout: 'nhwc' };
  const graph: MLGraph = await builder.build({ y: builder.relu(builder.add(x, bias)) });
  const input: MLTensor = await context.createTensor({ ...desc, writable: true });
  const output: MLTensor = await context.createTensor({ ...desc, readable: true });
  context.writeTensor(input, new Float32Array([0, 1, 2, 3]));
  context.dispatch(graph, { x: input }, { y: output });
  const dataType: MLOperandDataType = output.dataType;
  const limits: MLOpSupportLimits = context.opSupportLimits();
  const interfaces = [ML, MLContext, MLGraph, MLOperand, MLTensor].map((i) => i.prototype);
  void [conv2dOptions, dataType, limits, interfaces];

  // A WebGPU device as TypeScript's DOM and WebWorker libraries declare it is one (that rejects at run time).
  const onDevice = (device: GPUDevice): Promise<MLContext> => navigator.ml.createContext(device);
  void onDevice;
  // @ts-expect-error tfjsBackend is 'webgpu', 'webgl', 'wasm' or 'cpu', and an options object is no GPUDevice
  await navigator.ml.createContext({ tfjsBackend: 'gpu' });
  // @ts-expect-error not a member of MLContextOptions
  await navigator.ml.createContext({ powerPreferences: 'low-power' });
  // @ts-expect-error not an MLOperandDataType
  builder.input('y', { dataType: 'float64', shape: [1] });
  return Array.from(new Float32Array(await context.readTensor(output)));
}
`;

const STRICT = { strict: true, skipLibCheck: false, target: 'ES2022' };

/** tsc's errors, and the files it read from TF.js or @webgpu/types, which the package's types must not reach. */
function typecheckProblems({ code, stdout, stderr }: ProcessResult): string {
  const lines = stdout.split('\n');
  const reached = lines.filter((line) => /[\\/]node_modules[\\/]@(tensorflow|webgpu)[\\/]/.test(line));
  const errors = lines.filter((line) => /error TS\d+/.test(line));
  if (code === 0 && reached.length === 0) return '';
  return [`tsc exited with ${code}`, ...errors, stderr, 'read:', ...reached].join('\n');
}

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

  describe('packed tarball in a strict TypeScript project (Node)', function () {
    this.timeout(180_000);
    let project: PackedProject;
    before(async () => {
      project = await installPacked();
    });
    after(() => project?.remove());

    it('types navigator.ml and the ML* globals of webnn-tfjs-polyfill/global (tsconfig "types", DOM, bundler)', async () => {
      const result = await typecheckApp(project.dir, 'page.ts', GLOBALS_APP, {
        ...STRICT, module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'],
        types: ['webnn-tfjs-polyfill/global'],
      });
      const problems = typecheckProblems(result);
      if (problems) throw new Error(problems);
      if (!/webnn-tfjs-polyfill[\\/]dist[\\/]types[\\/]global\.d\.ts/.test(result.stdout)) {
        throw new Error(`global.d.ts not read:\n${result.stdout}`);
      }
    });

    it('types WorkerNavigator.ml with a reference directive (WebWorker, nodenext)', async () => {
      const source = `/// <reference types="webnn-tfjs-polyfill/global" />\n${GLOBALS_APP}`;
      const problems = typecheckProblems(await typecheckApp(project.dir, 'worker.ts', source, {
        ...STRICT, module: 'NodeNext', moduleResolution: 'nodenext', lib: ['ES2022', 'WebWorker'],
      }));
      if (problems) throw new Error(problems);
    });

    it('types the per-backend entries, webnn-tfjs-polyfill/webgpu, /wasm, /webgl and /cpu, as the full one (nodenext)', async () => {
      const source = ['webgpu', 'wasm', 'webgl', 'cpu'].map((entry) => `
import * as ${entry} from 'webnn-tfjs-polyfill/${entry}';
export async function on${entry}(): Promise<${entry}.MLOpSupportLimits> {
  const context: ${entry}.MLContext = await ${entry}.installNow().createContext({ tfjsBackend: '${entry}' });
  const builder: ${entry}.MLGraphBuilder = new ${entry}.MLGraphBuilder(context);
  builder.relu(builder.input('x', { dataType: 'float32', shape: [2] }));
  return context.opSupportLimits();
}
`).join('');
      const problems = typecheckProblems(await typecheckApp(project.dir, 'entries.ts', source, {
        ...STRICT, module: 'NodeNext', moduleResolution: 'nodenext', lib: ['ES2022'],
      }));
      if (problems) throw new Error(problems);
    });

    it('leaves the global scope alone without webnn-tfjs-polyfill/global', async () => {
      const source = GLOBALS_APP.replace(/^ *\/\/ @ts-expect-error.*$/gm, '');
      const result = await typecheckApp(project.dir, 'module-only.ts', source, {
        ...STRICT, module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'],
      });
      const missing = new Set(result.stdout.match(/Cannot find name '\w+'|Property 'ml' does not exist/g));
      if (!missing.has("Property 'ml' does not exist") || !missing.has("Cannot find name 'MLGraphBuilder'")) {
        throw new Error(`expected navigator.ml and MLGraphBuilder to be unknown:\n${result.stdout}`);
      }
    });
  });
}

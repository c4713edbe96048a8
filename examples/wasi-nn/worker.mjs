// The worker of run.mjs: the program with node:wasi for its WASI imports and the blocking wasi-nn imports, which
// carry no WebNN (webnn-tfjs-polyfill/wasi-nn-worker).
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { parentPort, workerData } from 'node:worker_threads';
import { blockingWasiNnImports, WASI_NN_MODULE } from '../../dist/esm/wasi-nn-worker.js';

const { program, args, dir } = workerData;
const wasi = new WASI({ version: 'preview1', args: [program, ...args], preopens: { '/work': dir }, returnOnExit: true });
const wasiNn = blockingWasiNnImports(parentPort);
const { instance } = await WebAssembly.instantiate(await readFile(program), {
  ...wasi.getImportObject(),
  [WASI_NN_MODULE]: wasiNn.imports,
});
wasiNn.bind(instance);
parentPort.postMessage({ exitCode: wasi.start(instance) });

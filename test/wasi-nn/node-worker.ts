/**
 * The Node tests' worker: runs a wasm32-wasi program with node:wasi (arguments, a preopened directory, stdout into a
 * file) and the blocking wasi-nn imports, whose calls the main thread answers; posts the exit code.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { parentPort, workerData } from 'node:worker_threads';
import { blockingWasiNnImports } from '../../src/wasi-nn-worker.js';

interface NodeRun {
  wasmPath: string;
  args: string[];
  preopens: Record<string, string>;
  stdoutPath: string;
}

const port = parentPort!;
const run = workerData as NodeRun;
const stdout = openSync(run.stdoutPath, 'w');
try {
  const wasi = new WASI({ version: 'preview1', args: run.args, preopens: run.preopens, stdout, returnOnExit: true });
  const wasiNn = blockingWasiNnImports(port);
  const module = await WebAssembly.compile(readFileSync(run.wasmPath));
  const instance = await WebAssembly.instantiate(module, { ...wasi.getImportObject(), wasi_ephemeral_nn: wasiNn.imports });
  wasiNn.bind(instance);
  port.postMessage({ exitCode: wasi.start(instance) });
} finally {
  closeSync(stdout);
}

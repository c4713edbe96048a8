// Runs a wasm32-wasi program written against wasi-nn in Node, its ONNX models computed by the polyfill.
// Run after `npm run build`:   node examples/wasi-nn/run.mjs <program.wasm> [arguments...]
//
// Node has no JavaScript Promise Integration, so the program runs in a worker (worker.mjs) whose wasi-nn calls block
// on Atomics.wait while this thread, which owns the WebNN context, answers them. The current directory is the
// program's /work, e.g. for the test programs (scripts/build-wasi-programs.mjs):
//   node examples/wasi-nn/run.mjs .cache/wasi-nn/classify.wasm /work/model.onnx cpu 0.5 -1.25 2 0.75
import { Worker } from 'node:worker_threads';
import { installNow } from '../../dist/esm/cpu.js';
import { serveWasiNn, WasiNnHost } from '../../dist/esm/wasi-nn.js';

installNow();
const [program, ...args] = process.argv.slice(2);
if (!program) throw new Error('usage: node examples/wasi-nn/run.mjs <program.wasm> [arguments...]');

// Contexts come from navigator.ml, the polyfill's here; the program's execution target is the deviceType hint.
const host = new WasiNnHost();
const worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { program, args, dir: process.cwd() } });
const stop = serveWasiNn(worker, host);
worker.on('message', (message) => {
  if (message.exitCode === undefined) return;
  stop();
  host.destroy();
  process.exitCode = message.exitCode;
  void worker.terminate();
});
worker.on('error', (error) => {
  console.error(error);
  process.exit(1);
});

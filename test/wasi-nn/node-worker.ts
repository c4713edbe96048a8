/**
 * The Node tests' worker: runs the wasm32-wasi programs it is sent, one at a time, with node:wasi (arguments, a
 * preopened directory, stdout into a file) and the blocking wasi-nn imports, whose calls the main thread answers;
 * posts each program's exit code.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { parentPort } from 'node:worker_threads';
import { blockingWasiNnImports } from '../../src/wasi-nn-worker.js';

interface NodeRun {
  wasmPath: string;
  args: string[];
  preopens: Record<string, string>;
  stdoutPath: string;
}

const port = parentPort!;

async function runProgram(run: NodeRun): Promise<number> {
  const stdout = openSync(run.stdoutPath, 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args: run.args, preopens: run.preopens, stdout, returnOnExit: true });
    const wasiNn = blockingWasiNnImports(port);
    const module = await WebAssembly.compile(readFileSync(run.wasmPath));
    const instance = await WebAssembly.instantiate(module, { ...wasi.getImportObject(), wasi_ephemeral_nn: wasiNn.imports });
    wasiNn.bind(instance);
    return wasi.start(instance);
  } finally {
    closeSync(stdout);
  }
}

port.on('message', (message: { run?: NodeRun }) => {
  if (!message.run) return;
  runProgram(message.run).then(
    (exitCode) => port.postMessage({ exitCode }),
    (error: unknown) => port.postMessage({ error: String((error as Error)?.stack ?? error) }),
  );
});

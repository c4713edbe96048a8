/**
 * The browser tests' module worker (bundled into .cache/wasi-nn/browser-worker.js): runs the program it is sent, its
 * wasi-nn calls posted to the page and waited for with Atomics.wait, and posts back the exit code and stdout.
 */
import { blockingWasiNnImports } from '../../src/wasi-nn-worker.js';
import { runWasiProgram } from './browser-wasi.js';

interface RunMessage {
  run: { wasm: ArrayBuffer; args: string[]; models: Record<string, Uint8Array> };
}

const scope = globalThis as unknown as { postMessage(message: unknown): void; onmessage: ((event: MessageEvent<RunMessage>) => void) | null };
scope.onmessage = (event) => {
  const { wasm, args, models } = event.data.run;
  runWasiProgram(wasm, args, models, blockingWasiNnImports(scope), 'blocking').then(
    (result) => scope.postMessage({ result }),
    (error: unknown) => scope.postMessage({ error: String((error as Error)?.stack ?? error) }),
  );
};

/**
 * The worker path, module side: wasi-nn imports for a module run in a worker (or any thread that may block: Node's
 * worker_threads, a browser's dedicated worker in a cross-origin isolated page). Each call is posted to the thread
 * that owns the WebNN context (serveWasiNn there) and the module's thread blocks with Atomics.wait until the answer is
 * in shared memory. Independent of the host and of WebNN, so that the worker carries none of it.
 */
import { NnErrno } from './abi.js';
import { importObjectOf, MemorySlot, synchronousCall, type WasiNnBinding } from './binding.js';
import type { WasiNnRequest, WasiNnResponse } from './calls.js';
import { ANSWER, answerBytes, CALL_KEY, type CallMessage } from './worker-protocol.js';

/** Where calls go: the worker's own scope (self, or Node's parentPort), or a MessagePort to the owning thread. */
export interface CallPort {
  postMessage(message: unknown): void;
}

export interface BlockingOptions {
  /** How long a call may wait for its answer, in milliseconds; then it returns runtime_error. Default: no limit. */
  timeout?: number;
}

function callBlocking(port: CallPort, request: WasiNnRequest, timeout: number): WasiNnResponse {
  const answer = new SharedArrayBuffer(ANSWER.headerBytes + answerBytes(request));
  const header = new Int32Array(answer, 0, 4);
  const message: CallMessage = { [CALL_KEY]: { request, answer } };
  try {
    port.postMessage(message);
    if (Atomics.wait(header, ANSWER.state, 0, timeout) === 'timed-out') return { errno: NnErrno.runtimeError };
  } catch {
    // A thread that may not block (a page's main thread) or a port that is closed: the module gets an errno.
    return { errno: NnErrno.runtimeError };
  }
  const errno = header[ANSWER.errno] as NnErrno;
  const bytes = new Uint8Array(answer, ANSWER.headerBytes, header[ANSWER.length]!).slice();
  return { errno, handle: header[ANSWER.handle]! >>> 0, bytes };
}

/** The wasi-nn imports of a module whose calls are answered by serveWasiNn() on another thread. */
export function blockingWasiNnImports(port: CallPort, options: BlockingOptions = {}): WasiNnBinding {
  const timeout = options.timeout ?? Infinity;
  const slot = new MemorySlot();
  const imports = importObjectOf((name) => synchronousCall(slot, name, (request) => callBlocking(port, request, timeout)));
  return { imports, bind: (target) => slot.bind(target) };
}

/**
 * Starting tfjs-backend-wasm within a bounded time. Its threaded build starts its thread pool from workers made from
 * blob: URLs and waits, without a time limit, for each to load; where they cannot start (a Content-Security-Policy
 * whose worker-src or script-src has no blob:) the start never finishes. So threads are used only once a worker
 * made as the pool makes its own has started here; otherwise the single-threaded build runs, with a warning saying why.
 */
import * as tf from '@tensorflow/tfjs-core';

export const wasmStartLimits = {
  /** How long a probe worker may take to start (a worker usually starts in tens of milliseconds). */
  workerMs: 5_000,
  /** How long the whole start may take (fetching and compiling a .wasm file of a few MB). */
  startMs: 60_000,
};

const THREADS_FLAG = 'WASM_HAS_MULTITHREAD_SUPPORT';

/**
 * Null once a worker from a blob: URL has started and loaded a second blob: script (as each worker of the pool
 * loads the backend's script), else why not.
 */
function blobWorkerFailure(): Promise<string | null> {
  let inner = '';
  let outer = '';
  let worker: Worker | undefined;
  return new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => finish(`a worker made from a blob: URL did not start within ${wasmStartLimits.workerMs} ms`),
      wasmStartLimits.workerMs);
    const finish = (reason: string | null) => {
      clearTimeout(timer);
      worker?.terminate();
      if (inner) URL.revokeObjectURL(inner);
      if (outer) URL.revokeObjectURL(outer);
      resolve(reason);
    };
    try {
      inner = URL.createObjectURL(new Blob(['postMessage(1);'], { type: 'text/javascript' }));
      outer = URL.createObjectURL(new Blob([`importScripts(${JSON.stringify(inner)});`], { type: 'text/javascript' }));
      worker = new Worker(outer);
      worker.onmessage = () => finish(null);
      worker.onerror = (event) => {
        event.preventDefault();
        finish('a worker made from a blob: URL failed to start (is blob: missing from the Content-Security-Policy\'s ' +
          'worker-src or script-src?)');
      };
    } catch (error) {
      finish(`a worker cannot be made from a blob: URL here (${error instanceof Error ? error.message : String(error)})`);
    }
  });
}

/**
 * Where tfjs-backend-wasm would use threads, checks first that their workers start; if they do not, the backend is
 * told that threads are unsupported, and a console warning says why. `asked` threads (the wasmThreads option, if
 * given) that cannot run for want of cross-origin isolation are warned about too.
 */
export async function useThreadsOnlyIfWorkersStart(asked: number | undefined): Promise<void> {
  if (!(await tf.env().getAsync(THREADS_FLAG))) {
    if (asked !== undefined && asked > 1 && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
      console.warn(`WebNN: the wasm backend runs single-threaded, not with the ${asked} threads asked for: the page is ` +
        'not cross-origin isolated (threads need SharedArrayBuffer: Cross-Origin-Opener-Policy: same-origin and ' +
        'Cross-Origin-Embedder-Policy: require-corp)');
    }
    return;
  }
  const failure = typeof Worker === 'function' && typeof Blob === 'function' ? await blobWorkerFailure() : 'there are no workers here';
  if (failure === null) return;
  tf.env().set(THREADS_FLAG, false);
  console.warn(`WebNN: the wasm backend runs single-threaded: ${failure}`);
}

/** `start`, or false (and a console warning) if it has not finished within wasmStartLimits.startMs. */
export function withinStartLimit(name: string, start: Promise<boolean>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      console.warn(`WebNN: the TF.js ${name} backend did not start within ${wasmStartLimits.startMs} ms`);
      resolve(false);
    }, wasmStartLimits.startMs);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([start, limit]).finally(() => clearTimeout(timer));
}

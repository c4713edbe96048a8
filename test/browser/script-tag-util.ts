/** Loading the script bundle into an iframe or a dedicated worker. */
import { runConvAddRelu, type ConvAddReluData, type PolyfillScope } from './conv-add-relu.js';

export const SCRIPT = '/base/dist/webnn-polyfill.js';
const WORKER = '/base/test/browser/fixtures/graph-worker.js';

/** An iframe whose document is `html`; resolves once its scripts have run (load event). */
export async function loadFrame(html: string): Promise<PolyfillScope> {
  const iframe = document.createElement('iframe');
  iframe.style.display = 'none';
  const loaded = new Promise<void>((resolve, reject) => {
    iframe.onload = () => resolve();
    iframe.onerror = () => reject(new Error('the iframe did not load'));
  });
  iframe.srcdoc = html;
  document.body.appendChild(iframe);
  await loaded;
  return iframe.contentWindow as unknown as PolyfillScope;
}

export interface WorkerReport {
  /** ML* interfaces the worker's global has. */
  globals: string[];
  /** Problems the worker found with navigator.ml. */
  problems: string[];
}

/** Runs the conv2d + add + relu graph in a dedicated worker that loaded the bundle with importScripts(). */
export function convAddReluInWorker(backend: string, data: ConvAddReluData):
  Promise<{ shape: number[]; data: number[]; report: WorkerReport }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER);
    const finish = () => worker.terminate();
    worker.onerror = (event) => {
      finish();
      reject(new Error(`worker error: ${event.message}`));
    };
    worker.onmessage = (event: MessageEvent<{ error?: string; result?: { shape: number[]; data: number[] }; report: WorkerReport }>) => {
      finish();
      const m = event.data;
      if (m.error !== undefined) reject(new Error(`in the worker: ${m.error}`));
      else resolve({ ...m.result!, report: m.report });
    };
    worker.postMessage({ runner: runConvAddRelu.toString(), backend, data });
  });
}

/**
 * A same-origin iframe with its own global: the polyfill's script-tag build (dist/webnn-polyfill.js) installed as
 * navigator.ml, then ONNX Runtime Web's default script bundle (ort.min.js). Nothing leaks into the test page, and
 * the polyfill under test is the shipped build, not the sources the other tests import.
 *
 * The frame records what ONNX Runtime writes to its console (the session's verbose log, which says where each
 * node was placed) and every call ONNX Runtime makes into the WebNN API.
 */
import type * as Ort from 'onnxruntime-web';

export const POLYFILL_URL = '/base/dist/webnn-polyfill.js';
/** The script bundle that carries TF.js's webgpu backend too. */
export const WEBGPU_POLYFILL_URL = '/base/dist/webnn-polyfill-webgpu.js';
export const ORT_DIST_URL = '/base/node_modules/onnxruntime-web/dist/';
export const ORT_SCRIPT = 'ort.min.js';

/** Calls into the WebNN API, by `Interface.member`, and the options of every createContext() call. */
export interface WebNNCalls {
  counts: Map<string, number>;
  contextOptions: unknown[];
  /** The TF.js backend (tfjsBackendOf) of every context made. */
  contextBackends: string[];
}

export interface OrtFrameOptions {
  /** The polyfill script the frame loads (POLYFILL_URL by default). */
  polyfillUrl?: string;
  /** Merged into the options of every createContext() call made in the frame. */
  contextOptions?: Record<string, unknown>;
}

export interface OrtFrame {
  ort: typeof Ort;
  /** A copy made in the frame's realm: ONNX Runtime checks `instanceof Uint8Array` / `Float32Array` there. */
  inFrame<T extends Uint8Array | Float32Array>(array: T): T;
  /** Lines ONNX Runtime logged since the last `takeLog()`. */
  takeLog(): string[];
  /**
   * `promise`, or a rejection as soon as the frame reports an uncaught error: a WebNN call that throws inside ORT's
   * asynchronous wasm code surfaces only there, and the ORT promise waiting on it would never settle.
   */
  guard<T>(promise: Promise<T>): Promise<T>;
  /** WebNN calls since the last `takeCalls()`. */
  takeCalls(): WebNNCalls;
  dispose(): void;
}

type FrameGlobal = Window & typeof globalThis & {
  ort?: typeof Ort;
  webnnPolyfillOptions?: { force: boolean };
  scriptErrors?: string[];
  [name: string]: unknown;
};

function loadFrame(iframe: HTMLIFrameElement, html: string): Promise<FrameGlobal> {
  return new Promise((resolve, reject) => {
    iframe.onload = () => resolve(iframe.contentWindow as FrameGlobal);
    iframe.onerror = () => reject(new Error('the ONNX Runtime frame failed to load'));
    iframe.srcdoc = html;
  });
}

const WEBNN_INTERFACES = ['ML', 'MLContext', 'MLGraphBuilder', 'MLTensor', 'MLGraph'] as const;

/** Wraps every method of the frame's WebNN interfaces so each call is counted before it runs. */
function instrumentWebNN(win: FrameGlobal, calls: () => WebNNCalls): void {
  for (const name of WEBNN_INTERFACES) {
    const ctor = win[name] as { prototype: Record<string, unknown> } | undefined;
    if (!ctor) throw new Error(`the polyfill did not define ${name} in the frame`);
    const proto = ctor.prototype;
    for (const member of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, member)!;
      if (member === 'constructor' || typeof descriptor.value !== 'function') continue;
      const original = descriptor.value as (...args: unknown[]) => unknown;
      const key = `${name}.${member}`;
      const wrapped = {
        [member](this: unknown, ...args: unknown[]): unknown {
          const c = calls();
          c.counts.set(key, (c.counts.get(key) ?? 0) + 1);
          if (key === 'ML.createContext') c.contextOptions.push(args[0]);
          return original.apply(this, args);
        },
      }[member]!;
      Object.defineProperty(wrapped, 'length', { value: original.length });
      Object.defineProperty(proto, member, { ...descriptor, value: wrapped });
    }
  }
}

/**
 * Wraps the frame's ML.createContext() (outside the counting wrapper) to merge `extra` into its options and record the
 * backend of each context it makes.
 */
function recordContextBackends(win: FrameGlobal, extra: Record<string, unknown>, calls: () => WebNNCalls): void {
  const proto = (win['ML'] as { prototype: { createContext(o?: unknown): Promise<object> } }).prototype;
  const original = proto.createContext;
  const backendOf = (win['WebNNPolyfill'] as { tfjsBackendOf(context: object): string }).tfjsBackendOf;
  proto.createContext = function createContext(this: unknown, o?: unknown) {
    const merged = typeof o === 'object' && o !== null && !('lost' in o) ? { ...o, ...extra } : o ?? extra;
    return original.call(this, merged).then((context) => {
      calls().contextBackends.push(backendOf(context));
      return context;
    });
  };
}

export async function openOrtFrame(options: OrtFrameOptions = {}): Promise<OrtFrame> {
  const iframe = document.createElement('iframe');
  iframe.style.display = 'none';
  document.body.appendChild(iframe);
  const origin = window.location.origin;
  const polyfill = new URL(options.polyfillUrl ?? POLYFILL_URL, origin).href;
  const ortScript = new URL(ORT_DIST_URL + ORT_SCRIPT, origin).href;
  const onError = 'onerror="(window.scriptErrors ??= []).push(this.src)"';
  const win = await loadFrame(iframe, [
    '<!DOCTYPE html><meta charset="utf-8">',
    // A native navigator.ml, if this browser has one, must not stand in for the polyfill under test.
    '<script>window.webnnPolyfillOptions = { force: true };</script>',
    `<script src="${polyfill}" ${onError}></script>`,
    `<script src="${ortScript}" ${onError}></script>`,
  ].join('\n'));
  if (win.scriptErrors?.length) throw new Error(`failed to load ${win.scriptErrors.join(', ')}`);
  if (!win.ort) throw new Error(`${ortScript} did not define ort`);

  let calls: WebNNCalls = { counts: new Map(), contextOptions: [], contextBackends: [] };
  instrumentWebNN(win, () => calls);
  recordContextBackends(win, options.contextOptions ?? {}, () => calls);

  // ONNX Runtime's wasm module binds console.log/console.error when it is first instantiated (at the first
  // session), so these replacements are what it writes its log to from then on.
  let log: string[] = [];
  const record = (...args: unknown[]) => { log.push(args.map(String).join(' ')); };
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) win.console[method] = record;

  const uncaught = new Set<(error: unknown) => void>();
  const report = (error: unknown) => { for (const fail of uncaught) fail(error); };
  win.addEventListener('unhandledrejection', (event) => report(event.reason));
  win.addEventListener('error', (event) => report(event.error ?? event.message));

  const ort = win.ort;
  ort.env.wasm.wasmPaths = new URL(ORT_DIST_URL, origin).href;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'verbose';

  return {
    ort,
    inFrame<T extends Uint8Array | Float32Array>(array: T): T {
      const Ctor = (array instanceof Uint8Array ? win.Uint8Array : win.Float32Array) as unknown as new (a: T) => T;
      return new Ctor(array);
    },
    guard<T>(promise: Promise<T>): Promise<T> {
      let fail!: (error: unknown) => void;
      const failed = new Promise<never>((_, reject) => {
        fail = (error) => reject(error instanceof Error ? error : new Error(`uncaught in the ORT frame: ${String(error)}`));
      });
      uncaught.add(fail);
      return Promise.race([promise, failed]).finally(() => uncaught.delete(fail));
    },
    takeLog() {
      const taken = log;
      log = [];
      return taken;
    },
    takeCalls() {
      const taken = calls;
      calls = { counts: new Map(), contextOptions: [], contextBackends: [] };
      return taken;
    },
    dispose() {
      iframe.remove();
    },
  };
}

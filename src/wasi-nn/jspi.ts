/**
 * The JSPI call path: each wasi-nn import is a WebAssembly.Suspending function, so the module is suspended while WebNN
 * computes and resumed with the errno. The module must be entered through WebAssembly.promising (its _start, or any
 * export that reaches wasi-nn). Engines without JSPI (Node 20, Firefox, Safari today) take the worker path.
 */
import { asynchronousCall, importObjectOf, MemorySlot, type WasiNnBinding } from './binding.js';
import type { WasiNnHost } from './host.js';

interface JspiWebAssembly {
  Suspending: new (f: (...args: never[]) => Promise<unknown>) => object;
  promising: <A extends unknown[], R>(f: (...args: A) => R) => (...args: A) => Promise<Awaited<R>>;
}

const jspi = (): JspiWebAssembly | null => {
  const wasm = WebAssembly as unknown as Partial<JspiWebAssembly>;
  return typeof wasm.Suspending === 'function' && typeof wasm.promising === 'function' ? wasm as JspiWebAssembly : null;
};

/** Whether the engine has JavaScript Promise Integration (WebAssembly.Suspending and WebAssembly.promising). */
export const hasJspi = (): boolean => jspi() !== null;

/** The wasi-nn imports of a module run on this thread, suspended through JSPI while the host computes. */
export function jspiWasiNnImports(host: WasiNnHost): WasiNnBinding {
  const api = jspi();
  if (!api) throw new TypeError('this engine has no WebAssembly.Suspending: run the module in a worker (blockingWasiNnImports)');
  const slot = new MemorySlot();
  const imports = importObjectOf((name) => new api.Suspending(asynchronousCall(slot, name, (r) => host.call(r))) as (...args: number[]) => unknown);
  return { imports, bind: (target) => slot.bind(target) };
}

/** An export of the module as a function returning a promise (WebAssembly.promising), for imports that suspend. */
export function promisingExport<A extends unknown[], R>(exported: (...args: A) => R): (...args: A) => Promise<Awaited<R>> {
  const api = jspi();
  if (!api) throw new TypeError('this engine has no WebAssembly.promising');
  return api.promising(exported);
}

/**
 * The script-tag (and importScripts) entry. Installs the polyfill into this global unless a working native WebNN
 * is present. Options are read once, at load time, from `globalThis.webnnPolyfillOptions`.
 */
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as webgl from '@tensorflow/tfjs-backend-webgl';
import { install, installNow, polyfillML, type InstallOptions } from './install.js';
import { carryBackends } from './runtime/carried-backends.js';
import * as api from './public-api.js';

// The .wasm files are found beside the script (below), not beside a module.
carryBackends({ cpu, webgl, wasm });

function ownScriptDirectory(): string | undefined {
  const doc = (globalThis as { document?: { currentScript?: { src?: string } | null } }).document;
  const src = doc?.currentScript?.src;
  if (src) return new URL('./', src).href;
  // In a worker, importScripts gives no currentScript; the first URL in a stack trace is this file's.
  const match = /(https?:|file:|blob:)[^\s)]+?\.js/.exec(new Error().stack ?? '');
  return match ? new URL('./', match[0]).href : undefined;
}

const options: InstallOptions = { ...(globalThis as { webnnPolyfillOptions?: InstallOptions }).webnnPolyfillOptions };
if (options.wasmPaths === undefined) {
  const dir = ownScriptDirectory();
  if (dir) options.wasmPaths = dir;
}

const nav = (globalThis as { navigator?: { ml?: unknown } }).navigator;
let ready: Promise<unknown>;
if (!nav?.ml || options.force) {
  ready = Promise.resolve(installNow(options));
} else {
  // A native navigator.ml exists; whether it works is known only asynchronously. Until then navigator.ml answers
  // createContext() by waiting for that answer, then uses the native API or this one.
  const native = nav.ml as { createContext: (o?: unknown) => Promise<unknown> };
  const proto = Object.getPrototypeOf(nav) as object;
  const nativeDescriptor = Object.getOwnPropertyDescriptor(proto, 'ml');
  ready = install(options);
  const deferred = {
    createContext: (o?: unknown) => ready.then((ml) => (ml === native ? native : polyfillML()).createContext(o as never)),
  };
  Object.defineProperty(proto, 'ml', { get: () => deferred, configurable: true, enumerable: true });
  void ready.then((ml) => {
    if (ml === native && nativeDescriptor) Object.defineProperty(proto, 'ml', nativeDescriptor);
  });
}

export const whenInstalled = ready;
export * from './public-api.js';
export { api };

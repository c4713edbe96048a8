/**
 * The wasm backend's three .wasm files, which the build copies beside dist/esm/, as URLs relative to this module.
 * Written as `new URL('./literal', import.meta.url)` so that bundlers which understand it (webpack, vite, parcel)
 * emit the files and rewrite the URLs; esbuild leaves them as they are, relative to the app's bundle.
 */
export function wasmFilesBesideModule(): Record<string, string> | undefined {
  try {
    return {
      'tfjs-backend-wasm.wasm': new URL('./tfjs-backend-wasm.wasm', import.meta.url).href,
      'tfjs-backend-wasm-simd.wasm': new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL('./tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
    };
  } catch {
    // import.meta.url is no URL where a bundler made a script (not a module) of the polyfill.
    return undefined;
  }
}

/** The browser stand-in for bundle-run.ts: the bundled-app tests run in Node only. */
const nodeOnly = (): never => {
  throw new Error('Node only');
};

export type WasmFilesPlace = 'none' | 'wasm-directory' | 'beside-bundle';
export const bundleApp: (projectDir: string, name: string, source: string, minify?: boolean) => Promise<string> = nodeOnly;
export const runBundledApp: (projectDir: string, name: string, source: string, wasmFiles: WasmFilesPlace) =>
  Promise<Record<string, unknown>> = nodeOnly;
export const runPage: (dir: string) => Promise<Record<string, unknown>> = nodeOnly;
export const buildWithVite: (projectDir: string, name: string, source: string) => Promise<{ dir: string; assets: string[] }> =
  nodeOnly;
export const runWithViteDevServer: (projectDir: string, name: string, source: string) => Promise<Record<string, unknown>> =
  nodeOnly;
export const buildWithWebpack: (projectDir: string, name: string, source: string) => Promise<{ dir: string; wasmFiles: string[] }> =
  nodeOnly;

/** The browser stand-in for bundle-run.ts: the bundled-app test runs in Node only. */
export const runBundledApp: (projectDir: string, name: string, source: string, withWasmFiles: boolean) =>
  Promise<Record<string, unknown>> = () => {
  throw new Error('Node only');
};

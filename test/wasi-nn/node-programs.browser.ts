/** The browser stand-in for node-programs.ts: worker_threads, node:wasi and clang are Node's; the browser runs its own. */
import type { WasiNnHost } from '../../src/wasi-nn.js';

export interface ProgramRun {
  exitCode: number;
  stdout: string;
}

export function buildPrograms(): void {
  throw new Error('Node only');
}

export const programPath = (_name: string): string => {
  throw new Error('Node only');
};

export function runInWorker(_name: string, _args: readonly string[], _models: Record<string, Uint8Array>, _host: WasiNnHost): Promise<ProgramRun> {
  return Promise.reject(new Error('Node only'));
}

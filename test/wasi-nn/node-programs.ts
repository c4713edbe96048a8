/**
 * The test programs in Node: built by scripts/build-wasi-programs.mjs (once, when their sources changed) and run in a
 * worker_threads worker whose wasi-nn calls a WasiNnHost on this thread answers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { serveWasiNn, type WasiNnHost } from '../../src/wasi-nn.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function buildPrograms(): void {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-wasi-programs.mjs')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`scripts/build-wasi-programs.mjs failed:\n${result.stdout}${result.stderr}`);
}

// The worker is TypeScript, as the tests are: tsx's loader is registered in it before its module is imported (a
// worker's --import hooks are not in place yet when its entry module loads).
const WORKER_BOOTSTRAP = `import('tsx/esm/api').then(({ register }) => { register(); return import(${
  JSON.stringify(new URL('./node-worker.ts', import.meta.url).href)}); });`;

export const programPath = (name: string): string => join(root, '.cache', 'wasi-nn', `${name}.wasm`);

export interface ProgramRun {
  exitCode: number;
  stdout: string;
}

let sharedWorker: Worker | null = null;

/** One worker runs the programs one after another (a worker's start, tsx's included, takes most of a run). */
function programWorker(): Worker {
  if (!sharedWorker) {
    const worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      // node:wasi warns that it is experimental.
      execArgv: ['--disable-warning=ExperimentalWarning'],
    });
    // Idle between runs, it does not keep mocha's process alive.
    worker.unref();
    worker.on('exit', () => {
      if (sharedWorker === worker) sharedWorker = null;
    });
    sharedWorker = worker;
  }
  return sharedWorker;
}

function runProgram(worker: Worker, run: object): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const finish = (settle: () => void) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      settle();
    };
    const onMessage = (m: { exitCode?: number; error?: string }) => {
      if (m.exitCode !== undefined) finish(() => resolve(m.exitCode!));
      else if (m.error !== undefined) finish(() => reject(new Error(`in the worker: ${m.error}`)));
    };
    const onError = (error: Error) => finish(() => reject(error));
    const onExit = (code: number) => finish(() => reject(new Error(`the worker exited (${code}) before the program ended`)));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ run });
  });
}

/** Runs a program with the models in a directory preopened as /models; arguments after the program name. */
export async function runInWorker(name: string, args: readonly string[], models: Record<string, Uint8Array>,
  host: WasiNnHost): Promise<ProgramRun> {
  const dir = mkdtempSync(join(tmpdir(), 'wasi-nn-'));
  try {
    for (const [file, bytes] of Object.entries(models)) writeFileSync(join(dir, file), bytes);
    const stdoutPath = join(dir, 'stdout.txt');
    const worker = programWorker();
    const stop = serveWasiNn(worker, host);
    try {
      const exitCode = await runProgram(worker, { wasmPath: programPath(name), args: [name, ...args], preopens: { '/models': dir }, stdoutPath });
      return { exitCode, stdout: readFileSync(stdoutPath, 'utf8') };
    } finally {
      stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

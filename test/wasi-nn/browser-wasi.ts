/**
 * Runs a wasm32-wasi program in a browser with @bjorn3/browser_wasi_shim for its WASI imports (arguments, stdout,
 * a preopened /models directory of in-memory files) and the given wasi-nn imports; the JSPI path enters it through
 * WebAssembly.promising. Used by the page (JSPI) and by the module worker (blocking path).
 */
import { ConsoleStdout, File, OpenFile, PreopenDirectory, WASI, WASIProcExit } from '@bjorn3/browser_wasi_shim';
// From the modules themselves, not the entry: the worker's bundle carries neither WebNN nor the importer.
import { WASI_NN_MODULE } from '../../src/wasi-nn/abi.js';
import type { WasiNnBinding } from '../../src/wasi-nn/binding.js';
import { promisingExport } from '../../src/wasi-nn/jspi.js';

export interface ProgramRun {
  exitCode: number;
  stdout: string;
}

export async function runWasiProgram(wasm: BufferSource, args: readonly string[], models: Record<string, Uint8Array>,
  wasiNn: WasiNnBinding, entry: 'jspi' | 'blocking'): Promise<ProgramRun> {
  const lines: string[] = [];
  const files = new Map(Object.entries(models).map(([name, bytes]) => [name, new File(bytes, { readonly: true })]));
  const fds = [
    new OpenFile(new File([])),
    ConsoleStdout.lineBuffered((line) => lines.push(line)),
    ConsoleStdout.lineBuffered((line) => lines.push(`stderr: ${line}`)),
    new PreopenDirectory('/models', files),
  ];
  const wasi = new WASI([...args], [], fds);
  const { instance } = await WebAssembly.instantiate(wasm, {
    wasi_snapshot_preview1: wasi.wasiImport,
    [WASI_NN_MODULE]: wasiNn.imports,
  });
  wasiNn.bind(instance);
  const exports = instance.exports as { memory: WebAssembly.Memory; _start: () => unknown };
  let exitCode: number;
  if (entry === 'blocking') {
    exitCode = wasi.start({ exports });
  } else {
    wasi.inst = { exports };
    try {
      await promisingExport(exports._start)();
      exitCode = 0;
    } catch (error) {
      if (!(error instanceof WASIProcExit)) throw error;
      exitCode = error.code;
    }
  }
  return { exitCode, stdout: lines.map((l) => `${l}\n`).join('') };
}

/**
 * An import object for `wasi_ephemeral_nn` and the memory its pointers point into: the module's exported memory
 * (the witx's `(import "memory" (memory))`), known only once the module is instantiated, so bound afterwards.
 */
import { NnErrno, WASI_NN_FUNCTIONS, type WasiNnFunction } from './abi.js';
import { readRequest, unsigned, writeResponse, type WasiNnRequest, type WasiNnResponse } from './calls.js';
import { GuestMemory } from './guest-memory.js';

export type WasiNnImportObject = Record<WasiNnFunction, (...args: number[]) => unknown>;

export interface WasiNnBinding {
  /** The functions of `wasi_ephemeral_nn`, for the import object's `wasi_ephemeral_nn` field. */
  readonly imports: WasiNnImportObject;
  /** Gives the module's memory: its instance (which exports `memory`) or the memory itself. */
  bind(target: WebAssembly.Instance | WebAssembly.Memory): void;
}

export class MemorySlot {
  #memory: GuestMemory | null = null;

  bind(target: WebAssembly.Instance | WebAssembly.Memory): void {
    const memory = target instanceof WebAssembly.Memory ? target : target.exports['memory'];
    if (!(memory instanceof WebAssembly.Memory)) throw new TypeError('the wasm instance exports no memory');
    this.#memory = new GuestMemory(memory);
  }

  get memory(): GuestMemory | null {
    return this.#memory;
  }
}

/** A call without memory is missing_memory; the request is read, answered, and its results written. */
export function synchronousCall(slot: MemorySlot, name: WasiNnFunction, answer: (request: WasiNnRequest) => WasiNnResponse) {
  return (...args: unknown[]): number => {
    const memory = slot.memory;
    if (!memory) return NnErrno.missingMemory;
    const values = unsigned(args);
    const request = readRequest(memory, name, values);
    if (typeof request === 'number') return request;
    return writeResponse(memory, name, values, answer(request));
  };
}

/** As synchronousCall, answered asynchronously: the module waits through JSPI. */
export function asynchronousCall(slot: MemorySlot, name: WasiNnFunction, answer: (request: WasiNnRequest) => Promise<WasiNnResponse>) {
  return async (...args: unknown[]): Promise<number> => {
    const memory = slot.memory;
    if (!memory) return NnErrno.missingMemory;
    const values = unsigned(args);
    const request = readRequest(memory, name, values);
    if (typeof request === 'number') return request;
    const response = await answer(request);
    // The memory may have grown meanwhile: GuestMemory makes its views per access.
    return writeResponse(memory, name, values, response);
  };
}

export function importObjectOf(make: (name: WasiNnFunction) => (...args: number[]) => unknown): WasiNnImportObject {
  return Object.fromEntries(WASI_NN_FUNCTIONS.map((name) => [name, make(name)])) as WasiNnImportObject;
}

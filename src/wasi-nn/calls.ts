/**
 * Each wasi-nn function as a request read from the module's arguments and memory, and its response written back:
 * plain data, so that the computation can run on another thread than the module (the worker path) or after a
 * suspension (the JSPI path).
 */
import { BUILDER_SIZE, NnErrno, TENSOR_RECORD, type WasiNnFunction } from './abi.js';
import type { GuestMemory } from './guest-memory.js';

export interface GuestTensor {
  dimensions: number[];
  type: number;
  data: Uint8Array;
}

export type WasiNnRequest =
  | { call: 'load'; builders: Uint8Array[]; encoding: number; target: number }
  | { call: 'load_by_name'; name: string }
  | { call: 'init_execution_context'; graph: number }
  | { call: 'set_input'; context: number; index: number; tensor: GuestTensor }
  | { call: 'compute'; context: number }
  | { call: 'get_output'; context: number; index: number; maxSize: number };

/** An errno; on success, a handle (load, init_execution_context) or the output's bytes (get_output). */
export interface WasiNnResponse {
  errno: NnErrno;
  handle?: number;
  bytes?: Uint8Array;
}

interface CallLowering {
  /** The request, from the i32 arguments (as unsigned) and the memory they point into. */
  read(memory: GuestMemory, args: readonly number[]): WasiNnRequest;
  /** Writes a successful response's results through the result pointers. */
  write(memory: GuestMemory, args: readonly number[], response: WasiNnResponse): void;
}

function readTensor(memory: GuestMemory, pointer: number): GuestTensor {
  const dimensionsPointer = memory.u32(pointer + TENSOR_RECORD.dimensionsPointer);
  const rank = memory.u32(pointer + TENSOR_RECORD.dimensionsLength);
  memory.check(dimensionsPointer, rank * 4);
  const dimensions = Array.from({ length: rank }, (_, k) => memory.u32(dimensionsPointer + 4 * k));
  const type = memory.u8(pointer + TENSOR_RECORD.type);
  const data = memory.bytes(memory.u32(pointer + TENSOR_RECORD.dataPointer), memory.u32(pointer + TENSOR_RECORD.dataLength));
  return { dimensions, type, data };
}

const writeHandle = (at: number) => (memory: GuestMemory, args: readonly number[], response: WasiNnResponse) =>
  memory.setU32(args[at]!, response.handle ?? 0);

/** The result pointers are checked before the call, so that no graph or context is made for a result it cannot return. */
export const LOWERINGS: Record<WasiNnFunction, CallLowering> = {
  load: {
    read(memory, [builders, count, encoding, target, result]) {
      memory.check(result!, 4);
      memory.check(builders!, count! * BUILDER_SIZE);
      const list = Array.from({ length: count! }, (_, k) =>
        memory.bytes(memory.u32(builders! + k * BUILDER_SIZE), memory.u32(builders! + k * BUILDER_SIZE + 4)));
      return { call: 'load', builders: list, encoding: encoding!, target: target! };
    },
    write: writeHandle(4),
  },
  load_by_name: {
    read(memory, [name, length, result]) {
      memory.check(result!, 4);
      return { call: 'load_by_name', name: new TextDecoder('utf-8', { fatal: true }).decode(memory.bytes(name!, length!)) };
    },
    write: writeHandle(2),
  },
  init_execution_context: {
    read(memory, [graph, result]) {
      memory.check(result!, 4);
      return { call: 'init_execution_context', graph: graph! };
    },
    write: writeHandle(1),
  },
  set_input: {
    read: (memory, [context, index, tensor]) => ({ call: 'set_input', context: context!, index: index!, tensor: readTensor(memory, tensor!) }),
    write: () => undefined,
  },
  compute: {
    read: (_memory, [context]) => ({ call: 'compute', context: context! }),
    write: () => undefined,
  },
  get_output: {
    read(memory, [context, index, buffer, maxSize, result]) {
      memory.check(buffer!, maxSize!);
      memory.check(result!, 4);
      return { call: 'get_output', context: context!, index: index!, maxSize: maxSize! };
    },
    write(memory, [, , buffer, , result], response) {
      const bytes = response.bytes ?? new Uint8Array(0);
      memory.setBytes(buffer!, bytes);
      memory.setU32(result!, bytes.byteLength);
    },
  },
};

/** The module's arguments as unsigned 32-bit values (wasm passes i32, JavaScript sees them signed). */
export const unsigned = (args: readonly unknown[]): number[] => args.map((a) => Number(a) >>> 0);

/**
 * Reads the request of a call; a pointer outside the memory, or a name that is no UTF-8, is invalid_argument.
 * Returns the errno instead of a request then.
 */
export function readRequest(memory: GuestMemory, name: WasiNnFunction, args: readonly number[]): WasiNnRequest | NnErrno {
  try {
    return LOWERINGS[name].read(memory, args);
  } catch {
    return NnErrno.invalidArgument;
  }
}

/** Writes a response's results and gives the errno the function returns. */
export function writeResponse(memory: GuestMemory, name: WasiNnFunction, args: readonly number[], response: WasiNnResponse): NnErrno {
  if (response.errno !== NnErrno.success) return response.errno;
  try {
    LOWERINGS[name].write(memory, args, response);
    return NnErrno.success;
  } catch {
    return NnErrno.invalidArgument;
  }
}

/** wasi-nn's $tensor_type as WebNN data types, and errors of a load as errno values. */
import { NnErrno, TensorType } from './abi.js';

const DATA_TYPES: Record<number, { name: string; bytes: number }> = {
  [TensorType.f16]: { name: 'float16', bytes: 2 },
  [TensorType.f32]: { name: 'float32', bytes: 4 },
  [TensorType.u8]: { name: 'uint8', bytes: 1 },
  [TensorType.i32]: { name: 'int32', bytes: 4 },
  [TensorType.i64]: { name: 'int64', bytes: 8 },
};

/** The WebNN data type of a tensor type; none for f64, which WebNN has not, or for a value the witx does not define. */
export const dataTypeOf = (type: number): { name: string; bytes: number } | undefined => DATA_TYPES[type];

/**
 * The importer rejects bytes that are no ONNX model it reads with a TypeError and an operator it does not map with a
 * NotSupportedError; anything else (no context, a failed build) is the runtime's error.
 */
export function errnoOfLoadError(error: unknown): NnErrno {
  if (error instanceof TypeError) return NnErrno.invalidArgument;
  if ((error as { name?: unknown } | null)?.name === 'NotSupportedError') return NnErrno.unsupportedOperation;
  return NnErrno.runtimeError;
}

/**
 * Where values live and operations run inside one context. TF.js's webgl backend stores every tensor, int32 ones too,
 * in float32 textures, and its webgpu shaders compute int32 in f32: int32 there is exact only up to 2^24 and never
 * wraps. webgl and webgpu contexts therefore keep their int32 values on TF.js's cpu backend and run every operation
 * that reads or writes an int32 value there; TF.js holds tensors of several backends in one engine. int8 and uint8
 * stay on webgl: their values, and the intermediates their lowerings make, stay far below 2^24; webgpu contexts keep
 * them on the cpu backend too.
 */
import { activateBackendNow, tf, type BackendName } from './backends.js';
import type { OperandDescriptor } from '../graph/ir.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { isHostType } from '../types/host-tensor.js';

/** A TF.js backend, or the host: uint32, int64 and uint64 values and the operations on them (types/host-tensor.ts). */
export type Placement = BackendName | 'host';

export { activateBackendNow };

/** Where a context's values of `dataType` live. */
export function homePlacement(contextBackend: BackendName, dataType: MLOperandDataType): Placement {
  return isHostType(dataType) ? 'host' : homeBackend(contextBackend, dataType);
}

/** Operations reading or writing a host value run on the host. */
export function operationPlacement(contextBackend: BackendName, inputs: readonly (OperandDescriptor | null)[],
  outputs: readonly OperandDescriptor[], int32InputsArePositions = false): Placement {
  if ([...inputs, ...outputs].some((d) => d !== null && isHostType(d.dataType))) return 'host';
  return operationBackend(contextBackend, inputs, outputs, int32InputsArePositions);
}

/** Integers of this magnitude and below are exact in float32. */
const FLOAT32_EXACT_INTEGERS = 2 ** 24;

/** The backend that holds a context's values of `dataType`. */
export function homeBackend(contextBackend: BackendName, dataType: MLOperandDataType): BackendName {
  if (dataType === 'int32') return contextBackend === 'webgl' || contextBackend === 'webgpu' ? 'cpu' : contextBackend;
  // TF.js's webgpu kernels for int32 tensors (Transpose, Max, Min, MaxPool, PadV2, StridedSlice) give zeros for them.
  return contextBackend === 'webgpu' && (dataType === 'int8' || dataType === 'uint8') ? 'cpu' : contextBackend;
}

/**
 * The backend an operation of a context runs on: a GPU context's operations that read or write int32 run on the cpu
 * backend, except those that read int32 only as element positions (OpDefinition.int32InputsArePositions) along
 * dimensions float32 counts exactly.
 */
export function operationBackend(contextBackend: BackendName, inputs: readonly (OperandDescriptor | null)[],
  outputs: readonly OperandDescriptor[], int32InputsArePositions = false): BackendName {
  const away = (d: OperandDescriptor | null) => d !== null && homeBackend(contextBackend, d.dataType) !== contextBackend;
  const output = outputs.find(away);
  if (output) return homeBackend(contextBackend, output.dataType);
  const input = inputs.find(away);
  if (!input) return contextBackend;
  const positionsExact = [...inputs, ...outputs].every((d) => d === null || d.shape.every((n) => n <= FLOAT32_EXACT_INTEGERS));
  return int32InputsArePositions && positionsExact ? contextBackend : homeBackend(contextBackend, input.dataType);
}

/** Runs `fn` with `name` as TF.js's active backend, then restores the backend that was active before. */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  const previous = tf.getBackend();
  if (previous === name) return fn();
  activateBackendNow(name);
  try {
    return fn();
  } finally {
    activateBackendNow(previous);
  }
}

/**
 * A copy of `x` on the active backend, leaving `x` where it is. The engine would instead move `x`'s data (and that
 * of every tensor sharing it) for good, so a value read on two backends would travel back and forth.
 */
export function copyToActiveBackend(x: tf.Tensor): tf.Tensor {
  return tf.tensor(x.dataSync(), x.shape, x.dtype);
}

/** Runs `fn` where `placement` computes: on the host any TF.js backend is fine, so the active one stays. */
export function atPlacement<T>(placement: Placement, fn: () => T): T {
  return placement === 'host' ? fn() : withBackend(placement, fn);
}

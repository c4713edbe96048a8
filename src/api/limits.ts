import { MAX_TENSOR_BYTE_LENGTH } from '../ops/check-dimensions.js';
import { allOps, limitsOf, MAX_FLAT_RANK, type TensorLimit } from '../ops/registry.js';
import type { BackendName } from '../runtime/backends.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { dynamicShapesEnabled } from './proposal.js';
import type { MLOpSupportLimits, MLTensorLimits } from './support-limits.js';

export * from './support-limits.js';

/** Data types graph inputs, constants and outputs may have: every type (uint32, int64 and uint64 live on the host). */
export const IO_DATA_TYPES: readonly MLOperandDataType[] =
  ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64', 'int8', 'uint8'];

function toTensorLimits(l: TensorLimit): MLTensorLimits {
  return { dataTypes: [...l.dataTypes], rankRange: { min: l.rankRange[0], max: l.rankRange[1] } };
}

/**
 * Generated from the operation table: what the builder accepts on `backend` is exactly what is reported.
 * @internal
 */
export function opSupportLimits(backend: BackendName, maxTensorByteLength = MAX_TENSOR_BYTE_LENGTH): MLOpSupportLimits {
  const io = () => toTensorLimits({ dataTypes: IO_DATA_TYPES, rankRange: [0, MAX_FLAT_RANK] });
  const result: MLOpSupportLimits = {
    preferredInputLayout: 'nhwc',
    maxTensorByteLength,
    input: io(),
    constant: io(),
    output: io(),
  };
  const byOperation = result as unknown as Record<string, Record<string, MLTensorLimits>>;
  for (const op of allOps()) {
    if (!op.method || !op.limits || (op.proposal && !dynamicShapesEnabled())) continue;
    const members: Record<string, MLTensorLimits> = {};
    for (const [member, l] of Object.entries(limitsOf(op, backend))) members[member] = toTensorLimits(l);
    byOperation[op.name] = members;
  }
  return result;
}

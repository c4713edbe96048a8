/** The spec's "check dimensions", shared by the builders of every layer, and the tensor size limits it enforces. */
import { typeError } from '../errors.js';
import { elementCount, type OperandDescriptor } from '../graph/ir.js';
import { byteSizeOf } from '../types/data-type.js';
import { MAX_FLAT_RANK } from './registry.js';

/** The largest "valid dimension": the range of WebIDL `long`. */
const MAX_DIMENSION = 2 ** 31 - 1;

/** 2^31 - 1 bytes: TF.js indexes tensors with 32-bit integers on every backend. */
export const MAX_TENSOR_BYTE_LENGTH = 2 ** 31 - 1;

/**
 * The spec's "check dimensions": every dimension and the element count valid dimensions, the rank and the byte length
 * supported (`maxBytes`: the context's maxTensorByteLength). Throws a TypeError naming `name`. Operations check the
 * ranks of their own results against their limits, so the rank check can be left out (`checkRank` false) for those.
 */
export function checkDimensions(where: string, desc: OperandDescriptor, name = 'shape', checkRank = true,
  maxBytes = MAX_TENSOR_BYTE_LENGTH): void {
  if (checkRank && desc.shape.length > MAX_FLAT_RANK) {
    throw typeError(where, `${name} has rank ${desc.shape.length}, more than the supported ${MAX_FLAT_RANK}`);
  }
  for (const [i, d] of desc.shape.entries()) {
    if (!Number.isInteger(d) || d <= 0 || d > MAX_DIMENSION) {
      throw typeError(where, `${name}[${i}] (${d}) is not a valid dimension (an integer in [1, 2^31 - 1])`);
    }
  }
  const count = elementCount(desc.shape);
  if (count > MAX_DIMENSION) throw typeError(where, `${name} has ${count} elements, more than 2^31 - 1`);
  const bytes = count * byteSizeOf(desc.dataType);
  if (bytes > maxBytes) throw typeError(where, `${name} needs ${bytes} bytes, more than maxTensorByteLength ${maxBytes}`);
}

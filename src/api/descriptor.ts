import { typeError } from '../errors.js';
import { elementCount, type OperandDescriptor } from '../graph/ir.js';
import { MAX_RANK } from '../ops/registry.js';
import { byteSizeOf, type MLOperandDataType } from '../types/data-type.js';
import { MAX_TENSOR_BYTE_LENGTH } from './internals.js';
import { toDataType, toDictionary, toUnsignedLongSequence } from '../webidl.js';

/** The largest "valid dimension": the range of WebIDL `long`. */
const MAX_DIMENSION = 2 ** 31 - 1;

export interface MLOperandDescriptor {
  dataType: MLOperandDataType;
  shape: readonly number[];
  /**
   * @deprecated The pre-2024 name of `shape`, still accepted (and read only when `shape` is absent) because deployed
   * clients send it.
   */
  dimensions?: readonly number[];
}

export interface MLTensorDescriptor extends MLOperandDescriptor {
  /** Whether MLContext.readTensor() may read the tensor; false by default. */
  readable?: boolean;
  /** Whether MLContext.writeTensor() may write the tensor; false by default. */
  writable?: boolean;
}

/** WebIDL conversion of an MLOperandDescriptor; the pre-2024 member name `dimensions` is read when `shape` is absent. */
export function toOperandDescriptor(where: string, name: string, value: unknown): OperandDescriptor {
  if (value === undefined || value === null) throw typeError(where, `${name} is required`);
  const dict = toDictionary<{ dataType: unknown; shape: unknown; dimensions: unknown }>(where, name, value);
  // Members in WebIDL order (lexicographic), each read once and converted before the next.
  const dataTypeValue = dict.dataType;
  if (dataTypeValue === undefined) throw typeError(where, `${name}.dataType is required`);
  const dataType = toDataType(where, `${name}.dataType`, dataTypeValue);
  const dimensions = dict.dimensions;
  const shapeValue = dict.shape;
  const member = shapeValue !== undefined ? 'shape' : 'dimensions';
  const shapeOrDimensions = shapeValue !== undefined ? shapeValue : dimensions;
  if (shapeOrDimensions === undefined) throw typeError(where, `${name}.shape is required`);
  const shape = Object.freeze(toUnsignedLongSequence(where, `${name}.${member}`, shapeOrDimensions));
  return { dataType, shape };
}

/**
 * The spec's "check dimensions": every dimension and the element count valid dimensions, the rank and the byte length
 * supported. Throws a TypeError naming `name`. Operations check the ranks of their own results against their limits,
 * so the rank check can be left out (`checkRank` false) for those.
 */
export function checkDimensions(where: string, desc: OperandDescriptor, name = 'shape', checkRank = true): void {
  if (checkRank && desc.shape.length > MAX_RANK) {
    throw typeError(where, `${name} has rank ${desc.shape.length}, more than the supported ${MAX_RANK}`);
  }
  for (const [i, d] of desc.shape.entries()) {
    if (!Number.isInteger(d) || d <= 0 || d > MAX_DIMENSION) {
      throw typeError(where, `${name}[${i}] (${d}) is not a valid dimension (an integer in [1, 2^31 - 1])`);
    }
  }
  const count = elementCount(desc.shape);
  if (count > MAX_DIMENSION) throw typeError(where, `${name} has ${count} elements, more than 2^31 - 1`);
  const bytes = count * byteSizeOf(desc.dataType);
  if (bytes > MAX_TENSOR_BYTE_LENGTH) {
    throw typeError(where, `${name} needs ${bytes} bytes, more than maxTensorByteLength ${MAX_TENSOR_BYTE_LENGTH}`);
  }
}

/** The spec's MLOperandDescriptor "equal". */
export function sameDescriptor(a: OperandDescriptor, b: OperandDescriptor): boolean {
  return a.dataType === b.dataType && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

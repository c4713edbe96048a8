import { typeError } from '../errors.js';
import { elementCount, type OperandDescriptor } from '../graph/ir.js';
import { byteSizeOf } from '../types/data-type.js';
import { MAX_TENSOR_BYTE_LENGTH } from './internals.js';
import { toDataType, toDictionary, toUnsignedLongSequence } from './webidl.js';

const MAX_DIMENSION = 2 ** 31 - 1;

/** MLOperandDescriptor; the pre-2024 member name `dimensions` is still read because deployed clients send it. */
export function toOperandDescriptor(where: string, name: string, value: unknown): OperandDescriptor {
  if (value === undefined || value === null) throw typeError(where, `${name} is required`);
  const dict = toDictionary<{ dataType: unknown; shape: unknown; dimensions: unknown }>(where, name, value);
  if (dict.dataType === undefined) throw typeError(where, `${name}.dataType is required`);
  const shapeValue = dict.shape !== undefined ? dict.shape : dict.dimensions;
  if (shapeValue === undefined) throw typeError(where, `${name}.shape is required`);
  const shape = Object.freeze(toUnsignedLongSequence(where, `${name}.shape`, shapeValue));
  return { dataType: toDataType(where, `${name}.dataType`, dict.dataType), shape };
}

/** The spec's "check dimensions": every dimension and the element count valid, the byte length supported. */
export function checkDimensions(where: string, desc: OperandDescriptor, name = 'shape'): void {
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

export function sameDescriptor(a: OperandDescriptor, b: OperandDescriptor): boolean {
  return a.dataType === b.dataType && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

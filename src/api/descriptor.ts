import { typeError } from '../errors.js';
import type { OperandDescriptor } from '../graph/ir.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { toDataType, toDictionary, toUnsignedLongSequence } from '../webidl.js';

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

/** The spec's MLOperandDescriptor "equal". */
export function sameDescriptor(a: OperandDescriptor, b: OperandDescriptor): boolean {
  if (a.dataType !== b.dataType || a.shape.length !== b.shape.length) return false;
  for (let i = 0; i < a.shape.length; i++) if (a.shape[i] !== b.shape[i]) return false;
  return true;
}

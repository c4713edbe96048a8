/**
 * Dimensions of the dynamic-shape proposal: `MLDimension` is `[EnforceRange] unsigned long or DOMString`, a size or
 * a non-empty name; dimensions with one name have one size. The bounded form of webnn issue #883, `{name, maxSize}`
 * (with an optional `minSize`, 1 by default), names a dimension whose size is checked against its bounds at dispatch.
 */
import { typeError } from '../errors.js';
import type { Dim } from '../graph/ir.js';
import { toDataType, toDictionary, toSequence, toUnsignedLong } from '../webidl.js';
import type { MLOperandDataType } from '../types/data-type.js';

export interface DimBounds {
  readonly min: number;
  readonly max: number;
}

export interface SymbolicDescriptor {
  readonly dataType: MLOperandDataType;
  readonly dims: readonly Dim[];
  /** The bounds given with `{name, maxSize}` dimensions, by name. */
  readonly bounds: ReadonlyMap<string, DimBounds>;
}

/** Narrows the bounds of `name` in `bounds` to `added` as well; false when no size is left. */
export function addBounds(bounds: Map<string, DimBounds>, name: string, added: DimBounds): boolean {
  const previous = bounds.get(name);
  const next = previous ? { min: Math.max(added.min, previous.min), max: Math.min(added.max, previous.max) } : added;
  if (next.min > next.max) return false;
  bounds.set(name, next);
  return true;
}

function toDimension(where: string, name: string, value: unknown, bounds: Map<string, DimBounds>): Dim {
  if (typeof value === 'number') return toUnsignedLong(where, name, value);
  if (typeof value === 'object' && value !== null) {
    const bounded = toDictionary<{ name: unknown; maxSize: unknown; minSize: unknown }>(where, name, value);
    if (bounded.name === undefined) throw typeError(where, `${name}.name is required`);
    const dimName = String(bounded.name);
    if (bounded.maxSize === undefined) throw typeError(where, `${name}.maxSize is required`);
    const max = toUnsignedLong(where, `${name}.maxSize`, bounded.maxSize);
    const min = bounded.minSize === undefined ? 1 : toUnsignedLong(where, `${name}.minSize`, bounded.minSize);
    if (dimName === '') throw typeError(where, `${name}.name must not be empty`);
    if (min < 1 || min > max) throw typeError(where, `${name}: minSize ${min} and maxSize ${max} leave no valid size`);
    if (!addBounds(bounds, dimName, { min, max })) {
      throw typeError(where, `${name}: the bounds given for '${dimName}' leave no valid size`);
    }
    return dimName;
  }
  // WebIDL: a union of a numeric and a string type converts every other value to a string.
  if (typeof value === 'symbol') throw typeError(where, `${name} is a Symbol`);
  const dimName = String(value);
  if (dimName === '') throw typeError(where, `${name} is an empty dimension name`);
  return dimName;
}

/** WebIDL conversion of an MLInputOperandDescriptor (shape, or its older name dimensions, of MLDimension). */
export function toSymbolicDescriptor(where: string, name: string, value: unknown): SymbolicDescriptor {
  if (value === undefined || value === null) throw typeError(where, `${name} is required`);
  const dict = toDictionary<{ dataType: unknown; shape: unknown; dimensions: unknown }>(where, name, value);
  if (dict.dataType === undefined) throw typeError(where, `${name}.dataType is required`);
  const dataType = toDataType(where, `${name}.dataType`, dict.dataType);
  const dimensions = dict.dimensions;
  const shapeValue = dict.shape;
  const member = shapeValue !== undefined ? 'shape' : 'dimensions';
  const shape = shapeValue !== undefined ? shapeValue : dimensions;
  if (shape === undefined) throw typeError(where, `${name}.shape is required`);
  const bounds = new Map<string, DimBounds>();
  const dims = toSequence(where, `${name}.${member}`, shape, (d, i) => toDimension(where, `${name}.${member}[${i}]`, d, bounds));
  return { dataType, dims: Object.freeze(dims), bounds };
}

export function isStatic(dims: readonly Dim[] | null | undefined): dims is readonly number[] {
  return !!dims && dims.every((d) => typeof d === 'number');
}

export function describeDims(dataType: string, dims: readonly Dim[] | null): string {
  return dims === null ? `${dataType}[unranked]` : `${dataType}[${dims.map((d) => (typeof d === 'number' ? d : `'${d}'`)).join(', ')}]`;
}

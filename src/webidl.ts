/** WebIDL argument conversions, each throwing the TypeError WebIDL prescribes, naming operation and argument. */
import { typeError } from './errors.js';
import { isDataType, type MLOperandDataType } from './types/data-type.js';

export function requireArgs(where: string, args: ArrayLike<unknown>, count: number): void {
  if (args.length < count) {
    throw typeError(where, `${count} argument${count === 1 ? '' : 's'} required, but only ${args.length} present`);
  }
}

export function toDictionary<T extends object>(where: string, name: string, value: unknown): Partial<T> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw typeError(where, `${name} is not an object`);
  }
  return value as Partial<T>;
}

export function toBoolean(value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : Boolean(value);
}

/**
 * ECMAScript's ToPrimitive on an object: its @@toPrimitive method, else valueOf and toString in the hint's order. An
 * error thrown by one of them propagates as is (WebIDL rethrows it); a missing or object-returning conversion is a
 * TypeError naming the argument.
 */
function toPrimitive(where: string, name: string, value: object, hint: 'number' | 'string'): unknown {
  const exotic = (value as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (typeof exotic !== 'function') throw typeError(where, `${name} has a @@toPrimitive that is not a function`);
    const result: unknown = Reflect.apply(exotic, value, [hint]);
    if (!isObject(result)) return result;
    throw typeError(where, `${name}'s @@toPrimitive returned an object`);
  }
  for (const method of hint === 'string' ? ['toString', 'valueOf'] : ['valueOf', 'toString']) {
    const fn = (value as Record<string, unknown>)[method];
    if (typeof fn !== 'function') continue;
    const result: unknown = Reflect.apply(fn, value, []);
    if (!isObject(result)) return result;
  }
  throw typeError(where, `${name} cannot be converted to a primitive value`);
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** ECMAScript's ToNumeric: a number, or a bigint when the value (or its primitive) is one. */
function toNumeric(where: string, name: string, value: unknown): number | bigint {
  const primitive = isObject(value) ? toPrimitive(where, name, value, 'number') : value;
  if (typeof primitive === 'symbol') throw typeError(where, `${name} is a Symbol, not a number`);
  return typeof primitive === 'bigint' ? primitive : Number(primitive);
}

/** ECMAScript's ToNumber: as ToNumeric, and a bigint is a TypeError. */
function toNumber(where: string, name: string, value: unknown): number {
  const n = toNumeric(where, name, value);
  if (typeof n === 'bigint') throw typeError(where, `${name} is a BigInt, not a number`);
  return n;
}

/** ECMAScript's ToString, with the TypeErrors (a Symbol) naming the argument. */
export function toDOMString(where: string, name: string, value: unknown): string {
  const primitive = isObject(value) ? toPrimitive(where, name, value, 'string') : value;
  if (typeof primitive === 'symbol') throw typeError(where, `${name} is a Symbol, not a string`);
  return String(primitive);
}

export function toUnsignedLong(where: string, name: string, value: unknown): number {
  const n = toNumber(where, name, value);
  if (!Number.isFinite(n)) throw typeError(where, `${name} (${n}) is not a finite number`);
  const t = Math.trunc(n) + 0; // -0.5 truncates to -0, which WebIDL's integer is not
  if (t < 0 || t > 0xffffffff) throw typeError(where, `${name} (${n}) is outside the range of unsigned long`);
  return t;
}

/** `unsigned long` without [EnforceRange]: NaN and infinities become 0, other values wrap modulo 2^32. */
export function toUnsignedLongModulo(where: string, name: string, value: unknown): number {
  const n = toNumber(where, name, value);
  if (!Number.isFinite(n)) return 0;
  const t = Math.trunc(n) % 2 ** 32;
  return t < 0 ? t + 2 ** 32 : t + 0;
}

export function toLong(where: string, name: string, value: unknown): number {
  const n = toNumber(where, name, value);
  if (!Number.isFinite(n)) throw typeError(where, `${name} (${n}) is not a finite number`);
  const t = Math.trunc(n) + 0;
  if (t < -0x80000000 || t > 0x7fffffff) throw typeError(where, `${name} (${n}) is outside the range of long`);
  return t;
}

/** A restricted `double` or `float`: finite, or TypeError. */
export function toFiniteDouble(where: string, name: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = toNumber(where, name, value);
  if (!Number.isFinite(n)) throw typeError(where, `${name} (${n}) is not a finite number`);
  return n;
}

export function toFloat(where: string, name: string, value: unknown, fallback: number): number {
  const n = toFiniteDouble(where, name, value, fallback);
  if (!Number.isFinite(Math.fround(n))) throw typeError(where, `${name} (${n}) is outside the range of float`);
  return Math.fround(n);
}

/** MLNumber: (bigint or unrestricted double), converted by ToNumeric as WebIDL does for that union. */
export function toMLNumber(where: string, name: string, value: unknown): number | bigint {
  return toNumeric(where, name, value);
}

/**
 * WebIDL sequence<T>: an object whose @@iterator (read once) yields the items, each converted as it comes. An error
 * from the iterator or a conversion propagates without closing the iterator, as WebIDL's steps do.
 */
export function toSequence<T>(where: string, name: string, value: unknown, convert: (item: unknown, i: number) => T): T[] {
  const method = isObject(value) ? (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] : undefined;
  if (typeof method !== 'function') throw typeError(where, `${name} is not a sequence`);
  const iterator: unknown = Reflect.apply(method, value, []);
  if (!isObject(iterator)) throw typeError(where, `${name}'s iterator is not an object`);
  const next = (iterator as { next?: unknown }).next;
  const out: T[] = [];
  for (;;) {
    if (typeof next !== 'function') throw typeError(where, `${name}'s iterator has no next method`);
    const step: unknown = Reflect.apply(next, iterator, []);
    if (!isObject(step)) throw typeError(where, `${name}'s iterator result is not an object`);
    if ((step as IteratorResult<unknown>).done) return out;
    out.push(convert((step as IteratorResult<unknown>).value, out.length));
  }
}

export function toUnsignedLongSequence(where: string, name: string, value: unknown): number[] {
  return toSequence(where, name, value, (item, i) => toUnsignedLong(where, `${name}[${i}]`, item));
}

export function toEnum<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  const s = toDOMString(where, name, value);
  if (!(allowed as readonly string[]).includes(s)) {
    throw typeError(where, `${name} '${s}' is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return s as T;
}

export function toDataType(where: string, name: string, value: unknown): MLOperandDataType {
  const s = toDOMString(where, name, value);
  if (!isDataType(s)) throw typeError(where, `${name} '${s}' is not a valid MLOperandDataType`);
  return s;
}

const isEnumerable = Object.prototype.propertyIsEnumerable;

/** A converted record's keys and values, in the record's order. */
export interface RecordEntries<T> {
  readonly keys: string[];
  readonly values: T[];
}

/** WebIDL record<USVString, T>, as its keys and values (dispatch() reads them by position, making no Map). */
export function toRecordEntries<T>(where: string, name: string, value: unknown, convert: (item: unknown, key: string) => T):
  RecordEntries<T> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    throw typeError(where, `${name} is not a record`);
  }
  // WebIDL record<USVString, T>: own enumerable keys in [[OwnPropertyKeys]] order, each converted to a USVString
  // (a symbol key is a TypeError), then its value.
  const keys: string[] = [];
  const values: T[] = [];
  // Two keys are one once converted (a lone surrogate becomes U+FFFD) only where a conversion changed one.
  let changed = false;
  for (const key of Reflect.ownKeys(value as object)) {
    // [[GetOwnProperty]] as getOwnPropertyDescriptor calls it (the same proxy trap), without making a descriptor.
    if (!isEnumerable.call(value, key)) continue;
    if (typeof key === 'symbol') throw typeError(where, `${name} has a symbol key`);
    const typedKey = key.toWellFormed();
    const item = convert((value as Record<string, unknown>)[key], typedKey);
    if (typedKey !== key) changed = true;
    // The record's entry for a key seen before takes the later value, in the earlier place.
    const at = changed ? keys.indexOf(typedKey) : -1;
    if (at >= 0) {
      values[at] = item;
    } else {
      keys.push(typedKey);
      values.push(item);
    }
  }
  return { keys, values };
}

export function toRecord<T>(where: string, name: string, value: unknown, convert: (item: unknown, key: string) => T): Map<string, T> {
  const { keys, values } = toRecordEntries(where, name, value, convert);
  return new Map(keys.map((key, i) => [key, values[i]!]));
}

export function toUSVString(where: string, name: string, value: unknown): string {
  return toDOMString(where, name, value).toWellFormed();
}

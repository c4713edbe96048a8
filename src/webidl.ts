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

export function toUnsignedLong(where: string, name: string, value: unknown): number {
  const n = Number(value);
  if (typeof value === 'bigint' || typeof value === 'symbol' || !Number.isFinite(n)) {
    throw typeError(where, `${name} (${String(value)}) is not a finite number`);
  }
  const t = Math.trunc(n);
  if (t < 0 || t > 0xffffffff) throw typeError(where, `${name} (${n}) is outside the range of unsigned long`);
  return t;
}

/** `unsigned long` without [EnforceRange]: NaN and infinities become 0, other values wrap modulo 2^32. */
export function toUnsignedLongModulo(where: string, name: string, value: unknown): number {
  if (typeof value === 'bigint' || typeof value === 'symbol') {
    throw typeError(where, `${name} (${String(value)}) is not a number`);
  }
  const n = Number(value);
  if (!Number.isFinite(n)) return 0;
  const t = Math.trunc(n) % 2 ** 32;
  return t < 0 ? t + 2 ** 32 : t + 0;
}

export function toLong(where: string, name: string, value: unknown): number {
  const n = Number(value);
  if (typeof value === 'bigint' || typeof value === 'symbol' || !Number.isFinite(n)) {
    throw typeError(where, `${name} (${String(value)}) is not a finite number`);
  }
  const t = Math.trunc(n);
  if (t < -0x80000000 || t > 0x7fffffff) throw typeError(where, `${name} (${n}) is outside the range of long`);
  return t;
}

/** A restricted `double` or `float`: finite, or TypeError. */
export function toFiniteDouble(where: string, name: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = Number(value);
  if (typeof value === 'symbol' || typeof value === 'bigint' || !Number.isFinite(n)) {
    throw typeError(where, `${name} (${String(value)}) is not a finite number`);
  }
  return n;
}

export function toFloat(where: string, name: string, value: unknown, fallback: number): number {
  const n = toFiniteDouble(where, name, value, fallback);
  if (!Number.isFinite(Math.fround(n))) throw typeError(where, `${name} (${n}) is outside the range of float`);
  return Math.fround(n);
}

/** MLNumber: (bigint or unrestricted double). */
export function toMLNumber(where: string, name: string, value: unknown): number | bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'symbol') throw typeError(where, `${name} is not a number`);
  return Number(value);
}

export function toSequence<T>(where: string, name: string, value: unknown, convert: (item: unknown, i: number) => T): T[] {
  if (value === null || typeof value !== 'object' || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw typeError(where, `${name} is not a sequence`);
  }
  return Array.from(value as Iterable<unknown>, (item, i) => convert(item, i));
}

export function toUnsignedLongSequence(where: string, name: string, value: unknown): number[] {
  return toSequence(where, name, value, (item, i) => toUnsignedLong(where, `${name}[${i}]`, item));
}

export function toEnum<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  const s = String(value);
  if (!(allowed as readonly string[]).includes(s)) {
    throw typeError(where, `${name} '${s}' is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return s as T;
}

export function toDataType(where: string, name: string, value: unknown): MLOperandDataType {
  const s = String(value);
  if (!isDataType(s)) throw typeError(where, `${name} '${s}' is not a valid MLOperandDataType`);
  return s;
}

export function toRecord<T>(where: string, name: string, value: unknown, convert: (item: unknown, key: string) => T): Map<string, T> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    throw typeError(where, `${name} is not a record`);
  }
  // WebIDL record<USVString, T>: own enumerable keys in [[OwnPropertyKeys]] order, each converted to a USVString
  // (a symbol key is a TypeError), then its value.
  const out = new Map<string, T>();
  for (const key of Reflect.ownKeys(value as object)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(value as object, key);
    if (!descriptor?.enumerable) continue;
    if (typeof key === 'symbol') throw typeError(where, `${name} has a symbol key`);
    const typedKey = key.toWellFormed();
    out.set(typedKey, convert((value as Record<string, unknown>)[key], typedKey));
  }
  return out;
}

export function toUSVString(value: unknown): string {
  if (typeof value === 'symbol') throw new TypeError('cannot convert a Symbol to a string');
  return String(value).toWellFormed();
}

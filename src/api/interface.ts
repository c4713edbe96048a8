/** Helpers that make our classes behave like WebIDL interfaces. */

/** Only the polyfill itself can make objects of interfaces without a constructor. */
export const CREATE = Symbol('create');

export function checkCreateToken(token: unknown): void {
  if (token !== CREATE) throw new TypeError('Illegal constructor');
}

/** Adds the @@toStringTag WebIDL defines and makes prototype members enumerable, as interface members are. */
export function finishInterface(cls: { prototype: object }, name: string): void {
  const proto = cls.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(proto, key)!;
    Object.defineProperty(proto, key, { ...d, enumerable: true });
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
  // Minified bundles rename classes; the interface object's name is the IDL's.
  Object.defineProperty(cls, 'name', { value: name, configurable: true });
}

/** WebIDL turns an exception thrown by a promise-returning operation into a rejected promise. */
export function promiseFrom<T>(body: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (error) {
    return Promise.reject(error);
  }
}

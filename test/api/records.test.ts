/**
 * dispatch()'s records are WebIDL record<USVString, MLTensor> conversions (src/webidl.ts toRecord): an object's own
 * enumerable string keys, in [[OwnPropertyKeys]] order, each looked up ([[GetOwnProperty]]) then read ([[Get]]) in
 * turn, as a Proxy's traps show; a non-enumerable key is skipped and an enumerable symbol key is a TypeError.
 */
import { toRecord, toRecordEntries } from '../../src/webidl.js';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

describe('WebIDL records', () => {
  it('visit own enumerable keys in order, looking each up then reading it, through a Proxy\'s traps', () => {
    const target: Record<string, number> = { b: 2, a: 1 };
    Object.defineProperty(target, 'hidden', { value: 3, enumerable: false });
    const traps: string[] = [];
    const proxy = new Proxy(target, {
      ownKeys: (t) => { traps.push('ownKeys'); return Reflect.ownKeys(t); },
      getOwnPropertyDescriptor: (t, key) => { traps.push(`describe ${String(key)}`); return Reflect.getOwnPropertyDescriptor(t, key); },
      get: (t, key, receiver) => { traps.push(`get ${String(key)}`); return Reflect.get(t, key, receiver) as unknown; },
    });
    const record = toRecord('test', 'record', proxy, (value, key) => `${key}=${String(value)}`);
    check([...record.values()].join() === 'b=2,a=1', `record ${[...record.values()].join()}`);
    const expected = ['ownKeys', 'describe b', 'get b', 'describe a', 'get a', 'describe hidden'];
    check(traps.join() === expected.join(), `traps ${traps.join()}`);
  });

  it('refuse an enumerable symbol key with a TypeError, and skip a non-enumerable one', () => {
    const hidden = { x: 1 };
    Object.defineProperty(hidden, Symbol('s'), { value: 2, enumerable: false });
    check([...toRecord('test', 'record', hidden, (v) => v).keys()].join() === 'x', 'a non-enumerable symbol was not skipped');
    let error: unknown = null;
    try {
      toRecord('test', 'record', { x: 1, [Symbol('s')]: 2 }, (v) => v);
    } catch (e) {
      error = e;
    }
    check(error instanceof TypeError, `an enumerable symbol key gave ${String(error)}`);
  });

  it('keep one entry for keys that are one once converted to USVStrings: the later value, in the earlier place', () => {
    // A lone surrogate converts to U+FFFD, as does U+FFFD itself.
    const record = { '\uD800': 1, b: 2, '\uFFFD': 3 };
    const { keys, values } = toRecordEntries('test', 'record', record, (v) => v);
    check(keys.join() === '\uFFFD,b' && values.join() === '3,2', `entries ${keys.join()} / ${values.join()}`);
    const map = toRecord('test', 'record', record, (v) => v);
    check([...map.keys()].join() === '\uFFFD,b' && [...map.values()].join() === '3,2', `map ${[...map].join(' ')}`);
  });
});

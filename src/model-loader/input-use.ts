/**
 * Which graph inputs a built WebNN graph has: those its outputs depend on, through the operations actually built. An
 * ONNX input may reach no output (read only by Shape, whose value folds into a constant, or by nothing at all), and
 * WebNN's dispatch() takes exactly the graph's inputs. Known from the builder's calls alone, so it holds on any
 * MLGraphBuilder.
 */
import type { GraphBuilder, Operand } from './webnn-types.js';

/** How deep arguments are searched for operands (arrays of operands, option dictionaries holding them). */
const MAX_DEPTH = 4;

export interface InputUse {
  /** The builder to build with: the given one, its calls recorded. */
  readonly builder: GraphBuilder;
  /** The names of the inputs `outputs` depend on. */
  inputsOf(outputs: readonly Operand[]): Set<string>;
}

export function trackInputUse(target: GraphBuilder): InputUse {
  const inputsOfOperand = new WeakMap<object, ReadonlySet<string>>();
  const collect = (value: unknown, into: Set<string>, depth: number): void => {
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
    const known = inputsOfOperand.get(value);
    if (known) {
      for (const name of known) into.add(name);
      return;
    }
    if (Array.isArray(value)) for (const v of value) collect(v, into, depth + 1);
    else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, into, depth + 1);
  };
  const record = (result: unknown, inputs: ReadonlySet<string>): void => {
    if (Array.isArray(result)) for (const r of result) record(r, inputs);
    else if (result !== null && typeof result === 'object') inputsOfOperand.set(result, inputs);
  };
  const builder = new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function' || key === 'build' || key === 'constructor') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
      }
      return (...args: unknown[]): unknown => {
        // Called on the builder itself: its methods check their receiver.
        const result = (value as (...a: unknown[]) => unknown).apply(object, args);
        const inputs = new Set<string>();
        if (key === 'input') inputs.add(args[0] as string);
        else collect(args, inputs, 0);
        record(result, inputs);
        return result;
      };
    },
  });
  return {
    builder,
    inputsOf: (outputs) => {
      const inputs = new Set<string>();
      collect(outputs, inputs, 0);
      return inputs;
    },
  };
}

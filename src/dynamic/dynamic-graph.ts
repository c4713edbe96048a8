/**
 * The compiled form of a symbolic graph: one concrete graph per set of input shapes (memoised by signature, so
 * computeShapes() and dispatch() resolve a signature once), each compiled to its own plan the first time it is
 * dispatched. The plans share the constants: each is uploaded once and belongs to this object, not to the plans (a
 * clone per plan would be a copy on wasm, whose Identity kernel copies).
 */
import { typeError } from '../errors.js';
import type { OperandRef } from '../graph/ir.js';
import { Plan, type Value } from '../graph/plan.js';
import { optimizeGraph } from '../graph/passes/pipeline.js';
import type { BackendName } from '../runtime/backends.js';
import { runOnBackend, tf } from '../runtime/backends.js';
import type { OperandObjects, SymbolicOwner } from './concrete-builder.js';
import { checkInputShapes, shapeSignature, specialize, type ConcreteGraph, type SymbolicGraph } from './specialize.js';

/** Signatures kept; the least recently used beyond this is forgotten and its plan released. */
const MAX_SPECIALIZATIONS = 16;

interface Specialization {
  readonly graph: ConcreteGraph;
  plan: Plan | null;
}

export class DynamicGraph {
  readonly #specializations = new Map<string, Specialization>();
  readonly #constants = new Map<object, Value>();
  readonly #sharedValues = new Set<Value>();
  readonly #owner: SymbolicOwner;

  constructor(readonly symbolic: SymbolicGraph, templateOwner: object, operands: OperandObjects, readonly backend: BackendName,
    private readonly upload: (ref: OperandRef) => Value) {
    this.#owner = {
      owner: templateOwner, backend, operands, maxTensorByteLength: symbolic.maxTensorByteLength, cannotBuildReason: () => null,
    };
  }

  /** The concrete graph for these input shapes; TypeError when they do not fit the graph. */
  resolve(where: string, shapes: ReadonlyMap<string, readonly number[]>, record = 'inputs'): ConcreteGraph {
    return this.#specialization(where, shapes, record).graph;
  }

  #specialization(where: string, shapes: ReadonlyMap<string, readonly number[]>, record: string): Specialization {
    const key = shapeSignature(shapes);
    let found = this.#specializations.get(key);
    if (found) {
      this.#specializations.delete(key);
      this.#specializations.set(key, found);
      return found;
    }
    checkInputShapes(where, this.symbolic, shapes, record);
    let graph: ConcreteGraph;
    try {
      graph = specialize(this.#owner, this.symbolic, shapes);
    } catch (error) {
      if (error instanceof TypeError) throw typeError(where, `for these input shapes, ${error.message}`);
      throw error;
    }
    found = { graph, plan: null };
    this.#specializations.set(key, found);
    if (this.#specializations.size > MAX_SPECIALIZATIONS) {
      const [oldestKey, oldest] = this.#specializations.entries().next().value as [string, Specialization];
      this.#specializations.delete(oldestKey);
      // Dispatches already enqueued may still run the plan: it is released after them.
      const plan = oldest.plan;
      if (plan) void runOnBackend(this.backend, () => plan.dispose());
    }
    return found;
  }

  /** The plan for these (already resolved) input shapes, compiled on first use. Runs on the context's timeline. */
  planFor(shapes: ReadonlyMap<string, readonly number[]>): Plan {
    const s = this.#specialization('MLContext.dispatch', shapes, 'inputs');
    s.plan ??= new Plan(tf, this.backend, optimizeGraph(s.graph.order, s.graph.outputs), s.graph.inputs, s.graph.outputs,
      (ref) => this.#sharedConstant(ref), this.#sharedValues);
    return s.plan;
  }

  #sharedConstant(ref: OperandRef): Value {
    const key = ref.source.kind === 'constant' ? ref.source.bytes : ref.source.kind === 'constant-tensor' ? ref.source.tensor : ref;
    let value = this.#constants.get(key);
    if (!value) {
      value = this.upload(ref);
      this.#constants.set(key, value);
      this.#sharedValues.add(value);
    }
    return value;
  }

  dispose(): void {
    for (const s of this.#specializations.values()) s.plan?.dispose();
    this.#specializations.clear();
    for (const value of this.#constants.values()) value.dispose();
    this.#constants.clear();
    this.#sharedValues.clear();
  }
}

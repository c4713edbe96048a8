/**
 * A builder of concrete graphs, on which the operations of a symbolic graph (one built with the dynamic-shape proposal
 * on) run their ordinary builder steps: at build time with trial sizes (a probe, dynamic/symbolic-builder.ts), at
 * dispatch with the real ones (dynamic/specialize.ts). The symbolic graph's operands passed to a step are translated
 * to operands of this builder when the step asks for them.
 */
import { typeError } from '../errors.js';
import { nextId, type GraphNode, type OperandDescriptor, type OperandRef } from '../graph/ir.js';
import type { BuilderInternals, MLOperand } from '../ops/builder-internals.js';
import { checkDimensions } from '../ops/check-dimensions.js';
import { getOp, limitsOf } from '../ops/registry.js';
import { OpCall } from '../ops/op-call.js';
import type { BackendName } from '../runtime/backends.js';
import { ValueEvaluator } from './values.js';

/**
 * The page's MLOperand objects (api/operand.ts), which the builders of this layer make and unwrap through the api layer
 * rather than by importing it.
 */
export interface OperandObjects {
  /** A new MLOperand holding `ref`. */
  create(ref: OperandRef): MLOperand;
  /** The OperandRef an MLOperand holds. */
  refOf(operand: MLOperand): OperandRef;
  /** Whether `value` is an object of the MLOperand class. */
  isOperand(value: unknown): boolean;
  /** The OperandRef `value` holds when it is an MLOperand, else undefined. */
  find(value: unknown): OperandRef | undefined;
}

/** What a concrete builder needs of the symbolic graph's builder. */
export interface SymbolicOwner {
  /** The MLGraphBuilder whose operands are translated. */
  readonly owner: object;
  readonly backend: BackendName;
  readonly operands: OperandObjects;
  /** The context's maxTensorByteLength, which every operand's size is checked against; 2^31 - 1 when absent. */
  readonly maxTensorByteLength?: number | undefined;
  cannotBuildReason(): string | null;
}

export class ConcreteBuilder implements BuilderInternals {
  /** The identity of this builder's operands (OperandRef.builder). */
  readonly token = {};
  readonly #values: ValueEvaluator;

  /**
   * `translate` gives the concrete operand of a symbolic one; `leafValue` the value of a translated operand, when the
   * concrete graph cannot compute it itself. `checkSizes` false skips the byte-length limits (while a probe uses trial
   * sizes: they say nothing about the sizes at dispatch).
   */
  constructor(private readonly symbolic: SymbolicOwner, private readonly translate: (ref: OperandRef) => MLOperand,
    leafValue: (ref: OperandRef) => readonly number[] | undefined, private readonly checkSizes: () => boolean) {
    this.#values = new ValueEvaluator(leafValue);
  }

  get backend(): BackendName {
    return this.symbolic.backend;
  }

  cannotBuildReason(): string | null {
    return this.symbolic.cannotBuildReason();
  }

  asOperand(value: unknown): MLOperand | null {
    const ref = this.symbolic.operands.find(value);
    if (!ref) return null;
    return ref.builder === this.symbolic.owner ? this.translate(ref) : value as MLOperand;
  }

  owns(operand: MLOperand): boolean {
    return this.symbolic.operands.refOf(operand).builder === this.token;
  }

  checkDimensions(where: string, descs: readonly OperandDescriptor[]): void {
    for (const d of descs) {
      if (this.checkSizes()) checkDimensions(where, d, 'output shape', false, this.symbolic.maxTensorByteLength);
      else d.shape.forEach((n, i) => {
        if (!Number.isInteger(n) || n <= 0) throw typeError(where, `output shape[${i}] (${n}) is not a valid dimension`);
      });
    }
  }

  valuesOf(operand: MLOperand): readonly number[] {
    return this.#values.valueOf(this.symbolic.operands.refOf(operand));
  }

  makeOperand(desc: OperandDescriptor, source: OperandRef['source']): MLOperand {
    return this.symbolic.operands.create({ id: nextId(), builder: this.token, desc: { dataType: desc.dataType, shape: Object.freeze([...desc.shape]) }, source });
  }

  addNode(op: string, inputs: readonly (MLOperand | null)[], attrs: Record<string, unknown>,
    outputs: readonly OperandDescriptor[], label: string): MLOperand[] {
    const node: GraphNode = { id: nextId(), op, inputs: inputs.map((x) => (x ? this.symbolic.operands.refOf(x) : null)), attrs, outputs: [], label };
    return outputs.map((desc, index) => {
      const operand = this.makeOperand(desc, { kind: 'node', node, index });
      node.outputs.push(this.symbolic.operands.refOf(operand));
      return operand;
    });
  }

  /** Runs the builder step of `op` on `args` (whose symbolic operands are translated on use); returns its operands. */
  run(op: string, args: readonly unknown[]): { operands: MLOperand[]; returnsArray: boolean } {
    const definition = getOp(op);
    const method = definition.method!;
    const call = new OpCall(this, op, limitsOf(definition, this.backend), args[method.optionsIndex]);
    const result = method.build(call, ...args);
    return Array.isArray(result) ? { operands: result as MLOperand[], returnsArray: true }
      : { operands: [result as MLOperand], returnsArray: false };
  }
}

import { invalidStateError, sanitizeLabel, typeError } from '../errors.js';
import type { OperandDescriptor } from '../graph/ir.js';
import { describe } from '../graph/ir.js';
import { toDictionary, toUSVString } from '../webidl.js';
import { ShapeValueError, type BuilderInternals, type MLOperand } from './builder-internals.js';
import type { TensorLimit } from './tensor-limit.js';

/**
 * One call of an MLGraphBuilder method: checks "can build", validates operands, throws TypeErrors naming the
 * operation, and records nodes.
 */
export class OpCall {
  readonly where: string;
  readonly #builder: BuilderInternals;
  readonly #label: string;
  readonly #limits: Readonly<Record<string, TensorLimit>>;

  /** `limits`: the op's limits on the builder's backend (registry.ts's limitsOf). */
  constructor(builder: BuilderInternals, readonly op: string, limits: Readonly<Record<string, TensorLimit>>, options: unknown,
    checkCanBuild = true) {
    this.#builder = builder;
    this.#limits = limits;
    const dict = toDictionary<{ label: unknown }>(op, 'options', options);
    this.#label = dict.label === undefined ? '' : toUSVString(op, 'options.label', dict.label);
    // The label in brackets, as browsers write it and the web-platform-tests' validation helpers look for it.
    this.where = this.#label ? `${op} [${sanitizeLabel(this.#label)}]` : op;
    // WebIDL converts arguments before the spec's steps run, so "is this an MLOperand" (a TypeError) comes before
    // "can build" (InvalidStateError): the check runs at the first operand, or before recording at the latest.
    this.#canBuildChecked = !checkCanBuild;
  }

  #canBuildChecked: boolean;

  #ensureCanBuild(): void {
    if (this.#canBuildChecked) return;
    this.#canBuildChecked = true;
    this.checkCanBuild();
  }

  get builder(): BuilderInternals {
    return this.#builder;
  }

  get label(): string {
    return this.#label;
  }

  get backend() {
    return this.#builder.backend;
  }

  checkCanBuild(): void {
    const reason = this.#builder.cannotBuildReason();
    if (reason) throw invalidStateError(this.where, reason);
  }

  /** The spec limits of this op on this context's backend. */
  limit(member: string): TensorLimit {
    const l = this.#limits[member];
    if (!l) throw new Error(`${this.op} has no limits for ${member}`);
    return l;
  }

  fail(message: string): never {
    throw typeError(this.where, message);
  }

  /** An MLOperand argument: WebIDL type check, then "validate operand", then data type and rank against `member`. */
  operand(name: string, value: unknown, member?: string): MLOperand {
    const operand = this.#builder.asOperand(value);
    if (!operand) this.fail(`${name} is not an MLOperand`);
    this.#ensureCanBuild();
    if (!this.#builder.owns(operand)) this.fail(`${name} was created by another MLGraphBuilder`);
    if (member !== undefined) this.checkLimit(name, operand.dataType, operand.shape.length, this.limit(member));
    return operand;
  }

  optionalOperand(name: string, value: unknown, member?: string): MLOperand | null {
    return value === undefined ? null : this.operand(name, value, member);
  }

  checkLimit(name: string, dataType: string, rank: number, l: TensorLimit): void {
    if (!(l.dataTypes as readonly string[]).includes(dataType)) {
      this.fail(`${name} data type ${dataType} is not supported (supported: ${l.dataTypes.join(', ')})`);
    }
    if (rank < l.rankRange[0] || rank > l.rankRange[1]) {
      this.fail(`${name} rank ${rank} is outside the supported range [${l.rankRange[0]}, ${l.rankRange[1]}]`);
    }
  }

  /**
   * The element values of a shape operand of the dynamic-shape proposal (newShape, starts, limit, ...), computed by the
   * shape interpreter (dynamic/values.ts); a TypeError when they depend on tensor data or cannot be resolved.
   */
  values(name: string, operand: MLOperand): readonly number[] {
    try {
      return this.#builder.valuesOf(operand);
    } catch (error) {
      if (error instanceof ShapeValueError) this.fail(`${name} ${error.message}`);
      throw error;
    }
  }

  /**
   * Checks an output descriptor against the op's output limits and the spec's "check dimensions" (valid dimensions,
   * element count, byte length). Builder steps call it before any work that grows with the output's size.
   */
  checkOutput(desc: OperandDescriptor, member = 'output'): void {
    const l = this.#limits[member];
    if (l) this.checkLimit(`output ${describe(desc)}`, desc.dataType, desc.shape.length, l);
    this.#builder.checkDimensions(this.where, [desc]);
  }

  /** Records a node of `op` (this call's op by default, or an internal one) and returns its outputs. */
  emit(inputs: readonly (MLOperand | null)[], attrs: Record<string, unknown>, outputs: readonly OperandDescriptor[],
    op: string = this.op): MLOperand[] {
    this.#ensureCanBuild();
    this.#builder.checkDimensions(this.where, outputs);
    return this.#builder.addNode(op, inputs, attrs, outputs, this.#label);
  }

  emitOne(inputs: readonly (MLOperand | null)[], attrs: Record<string, unknown>, output: OperandDescriptor,
    op: string = this.op): MLOperand {
    return this.emit(inputs, attrs, [output], op)[0]!;
  }
}

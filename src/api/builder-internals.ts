import type { OperandDescriptor } from '../graph/ir.js';
import type { BackendName } from '../runtime/backends.js';
import type { MLOperand } from './operand.js';
import { Slots } from './internals.js';

/** What an operation's builder step may use of its MLGraphBuilder. */
export interface BuilderInternals {
  readonly backend: BackendName;
  cannotBuildReason(): string | null;
  asOperand(value: unknown): MLOperand | null;
  owns(operand: MLOperand): boolean;
  checkDimensions(where: string, descs: readonly OperandDescriptor[]): void;
  /** The values of a shape operand (OpCall.values); throws a ShapeValueError when they are not known before dispatch. */
  valuesOf(operand: MLOperand): readonly number[];
  addNode(op: string, inputs: readonly (MLOperand | null)[], attrs: Record<string, unknown>,
    outputs: readonly OperandDescriptor[], label: string): MLOperand[];
}

export const builderSlots = new Slots<BuilderInternals>('MLGraphBuilder');

export function builderInternals(builder: object): BuilderInternals {
  return builderSlots.get(builder, 'MLGraphBuilder');
}

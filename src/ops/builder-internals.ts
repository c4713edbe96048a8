/**
 * What an operation's builder step sees of the MLGraphBuilder it records into. The builders implement it
 * (api/graph-builder.ts for graphs built by the page, dynamic/concrete-builder.ts for the concrete graphs of the
 * dynamic-shape proposal), so the operations depend on this contract and not on either builder.
 */
import type { OperandDescriptor } from '../graph/ir.js';
import type { BackendName } from '../runtime/backends.js';
import type { MLOperandDataType } from '../types/data-type.js';

/** An MLOperand as a builder step reads it; the objects are api/operand.ts's, made and unwrapped by the builder. */
export interface MLOperand {
  readonly dataType: MLOperandDataType;
  readonly shape: readonly number[];
}

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

/** Why a value cannot be known before dispatch; the message is completed by the operation asking for it. */
export class ShapeValueError extends Error {}

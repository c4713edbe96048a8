import type { OperandObjects } from '../dynamic/concrete-builder.js';
import { dimsOf, type OperandRef } from '../graph/ir.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { checkCreateToken, CREATE, finishInterface } from './interface.js';
import { Slots } from './internals.js';

const operandSlots = new Slots<OperandRef>('MLOperand');

export class MLOperand {
  constructor(...args: unknown[]) {
    checkCreateToken(args[0]);
    operandSlots.set(this, args[1] as OperandRef);
  }

  get dataType(): MLOperandDataType {
    return operandSlots.get(this, 'MLOperand.dataType').desc.dataType;
  }

  /** With the dynamic-shape proposal on: numbers and dimension names, or null when the rank is unknown. */
  get shape(): readonly number[] {
    const ref = operandSlots.get(this, 'MLOperand.shape');
    return dimsOf(ref) as readonly number[];
  }
}
finishInterface(MLOperand, 'MLOperand');

/** @internal */
export function createOperand(ref: OperandRef): MLOperand {
  return new MLOperand(CREATE, ref);
}

/** @internal */
export function operandRef(operand: MLOperand): OperandRef {
  return operandSlots.get(operand, 'MLOperand');
}

/** @internal */
export function asOperandRef(value: unknown): OperandRef | undefined {
  return operandSlots.find(value);
}

/**
 * MLOperand objects as the builders of the dynamic-shape proposal make and unwrap them.
 * @internal
 */
export const mlOperands: OperandObjects = {
  create: createOperand,
  refOf: operandRef,
  isOperand: (value) => value instanceof MLOperand,
  find: (value) => (value instanceof MLOperand ? asOperandRef(value) : undefined),
};

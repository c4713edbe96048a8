import type { MLOperandDataType } from '../types/data-type.js';

/** What an operation accepts for one operand (an MLOpSupportLimits member): data types and a range of ranks. */
export interface TensorLimit {
  readonly dataTypes: readonly MLOperandDataType[];
  readonly rankRange: readonly [number, number];
}

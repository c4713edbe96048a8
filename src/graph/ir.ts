import type { MLOperandDataType } from '../types/data-type.js';

export interface OperandDescriptor {
  readonly dataType: MLOperandDataType;
  readonly shape: readonly number[];
}

export type OperandSource =
  | { readonly kind: 'input'; readonly name: string }
  | { readonly kind: 'constant'; readonly bytes: Uint8Array }
  | { readonly kind: 'constant-tensor'; readonly tensor: object } // an MLTensor made by createConstantTensor
  | { readonly kind: 'node'; readonly node: GraphNode; readonly index: number };

/** One recorded operation: the op table's name, its operand inputs (null = an absent optional), its attributes. */
export interface GraphNode {
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly (OperandRef | null)[];
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly outputs: OperandRef[];
  readonly label: string;
}

/** A dimension of the dynamic-shape proposal: a size, or the name of a size known only at dispatch. */
export type Dim = number | string;

/** The internal half of an MLOperand. */
export interface OperandRef {
  readonly id: number;
  readonly builder: object;
  /** The concrete descriptor; for an operand of a symbolic graph, its data type and (where static) its shape. */
  readonly desc: OperandDescriptor;
  readonly source: OperandSource;
  /** Present on the operands of a builder made with the dynamic-shape proposal on: the shape, null when the rank is unknown. */
  readonly dims?: readonly Dim[] | null;
}

/** An operand's shape: its symbolic dimensions where it has them (null when unranked), else its concrete shape. */
export function dimsOf(ref: OperandRef): readonly Dim[] | null {
  return ref.dims === undefined ? ref.desc.shape : ref.dims;
}

let lastId = 0;

/** Identifiers of operands and nodes, unique in the global, in creation order. */
export function nextId(): number {
  return ++lastId;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function describe(desc: OperandDescriptor): string {
  return `${desc.dataType}[${desc.shape.join(', ')}]`;
}

/**
 * Named dimensions of the WebNN dynamic-shape proposal (webnn#945), as the importer uses them: a model input's ONNX
 * dim_param becomes a named dimension when the builder runs the proposal, and the operators whose shape arguments
 * depend on such dimensions compute them in the graph (shape(), then small integer operations) for the proposal's
 * *Dynamic operations. Detected on the builder itself, so that the importer stays on the public WebNN API.
 */
import type { GraphBuilder, Operand, OperandDataType } from './webnn-types.js';

/** A dimension as the proposal's MLOperand.shape gives it: a size, or a name. */
export type Dimension = number | string;

type Options = Record<string, unknown>;

/** The proposal's operations on MLGraphBuilder. */
export interface DynamicGraphBuilder extends GraphBuilder {
  input(name: string, descriptor: { dataType: OperandDataType; shape: (Dimension | object)[] }): Operand;
  shape(input: Operand): Operand;
  range(start: Operand, limit: Operand, delta: Operand): Operand;
  squeeze(input: Operand, options?: Options): Operand;
  unsqueeze(input: Operand, axes: readonly number[]): Operand;
  reshapeTo2d(input: Operand, options?: Options): Operand;
  reshapeDynamic(input: Operand, newShape: Operand): Operand;
  expandDynamic(input: Operand, newShape: Operand): Operand;
  sliceDynamic(input: Operand, starts: Operand, sizes: Operand, options?: Options): Operand;
  padDynamic(input: Operand, beginningPadding: Operand, endingPadding: Operand): Operand;
  splitDynamic(input: Operand, splits: Operand, options?: Options): Operand[];
  tileDynamic(input: Operand, repetitions: Operand): Operand;
  resample2dDynamic(input: Operand, options?: Options): Operand;
}

/** The builder, if it runs the dynamic-shape proposal (a builder keeps the mode it was made in). */
export function dynamicBuilderOf(builder: GraphBuilder): DynamicGraphBuilder | null {
  const methods = builder as unknown as Record<string, unknown>;
  return typeof methods['shape'] === 'function' && typeof methods['reshapeDynamic'] === 'function'
    ? builder as DynamicGraphBuilder : null;
}

/** An operand's dimensions: under the proposal, names stand where sizes are not known until dispatch. */
export const dimensionsOf = (operand: Operand): readonly Dimension[] => operand.shape;

export const isStaticShape = (dims: readonly Dimension[]): dims is readonly number[] =>
  dims.every((d) => typeof d === 'number');

/** Bounds of a named dimension, as the proposal's bounded form {name, maxSize, minSize} takes them. */
export interface DimensionBounds {
  maxSize: number;
  minSize?: number;
}

/** The descriptor dimension of a named input dimension: the name, or the bounded form when bounds are given. */
export function namedInputDimension(name: string, bounds: DimensionBounds | undefined): Dimension | object {
  if (!bounds) return name;
  const { maxSize, minSize } = bounds;
  if (!Number.isInteger(maxSize) || maxSize < 1) throw new TypeError(`dimensionBounds['${name}'].maxSize must be a positive integer`);
  if (minSize !== undefined && (!Number.isInteger(minSize) || minSize < 1 || minSize > maxSize)) {
    throw new TypeError(`dimensionBounds['${name}'].minSize must be an integer in [1, maxSize]`);
  }
  return minSize === undefined ? { name, maxSize } : { name, maxSize, minSize };
}

export type ShapeDataType = Extract<OperandDataType, 'int32' | 'int64'>;

/**
 * TypeScript declarations of the WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when
 * switched on (`install({ dynamicShapes: true })`, or `webnnPolyfillOptions = { dynamicShapes: true }` for the
 * script). They are not part of the WebNN IDL: the members they declare exist at run time only while the switch is
 * on, so they are separate interfaces to combine with the standard ones, e.g.
 * `const builder = new MLGraphBuilder(context) as MLGraphBuilder & MLGraphBuilderDynamicShapes`.
 * Feature detection: `'computeShapes' in MLGraph.prototype`.
 */
import type { MLInterpolationMode, MLOperatorOptions, MLSplitOptions } from './builder-methods.js';
import type { MLNamedShapes } from './graph.js';
import type { MLOperand } from './operand.js';
import type { MLOperandDataType } from '../types/data-type.js';

/**
 * WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on.
 * A static size, or the non-empty name of a dynamic dimension; dimensions with one name have one size.
 */
export type MLDimension = number | string;

/**
 * WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on.
 * The bounded form of a dynamic dimension (webnn issue #883): its size is checked against `[minSize, maxSize]` at
 * dispatch and in computeShapes(). Accepted in MLInputOperandDescriptor.shape only; MLOperand.shape reports the name.
 */
export interface MLBoundedDimension {
  name: string;
  maxSize: number;
  /** Default 1. */
  minSize?: number;
}

/**
 * WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on.
 * The descriptor MLGraphBuilder.input() takes: dimensions may be names. constant() and tensors stay static
 * (MLOperandDescriptor).
 */
export interface MLInputOperandDescriptor {
  dataType: MLOperandDataType;
  shape: readonly (MLDimension | MLBoundedDimension)[];
  /**
   * @deprecated The pre-2024 name of `shape`, still accepted (and read only when `shape` is absent).
   */
  dimensions?: readonly (MLDimension | MLBoundedDimension)[];
}

/**
 * WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on.
 * record<USVString, sequence<unsigned long>>: concrete shapes by input or output name, as computeShapes() takes
 * and returns them.
 */
export type { MLNamedShapes };

/** WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on. */
export interface MLSqueezeOptions extends MLOperatorOptions {
  /** The size-1 axes to remove; without them every size-1 dimension goes, so a dynamic input's rank is unknown. */
  axes?: readonly number[];
}

/** WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on. */
export interface MLReshapeTo2dOptions extends MLOperatorOptions {
  /** Default 1: dimensions before `axis` make the first output dimension, the rest the second. */
  axis?: number;
}

/** WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on. */
export interface MLSliceDynamicOptions extends MLOperatorOptions {
  strides?: readonly number[];
}

/** WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on. */
export interface MLResample2dDynamicOptions extends MLOperatorOptions {
  /** Default 'nearest-neighbor'. */
  mode?: MLInterpolationMode;
  scales?: readonly number[];
  /** A 1-D integer shape operand of two output sizes, in place of resample2d's sequence. */
  sizes?: MLOperand;
  axes?: readonly number[];
}

/**
 * WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on.
 * The MLGraphBuilder members the proposal adds. Shape operands (newShape, starts, sizes, paddings, splits,
 * repetitions, range's scalars) are small integer tensors computed only from shape() outputs and constants.
 */
export interface MLGraphBuilderDynamicShapes {
  /** input() with dimension names and bounded dimensions allowed in the shape. */
  input(name: string, descriptor: MLInputOperandDescriptor): MLOperand;
  /** A 1-D uint32 operand of the input's dimensions. */
  shape(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  range(start: MLOperand, limit: MLOperand, delta: MLOperand, options?: MLOperatorOptions): MLOperand;
  /** The remainder with the sign of the divisor (floor division). */
  modulusFloor(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  /** The remainder with the sign of the dividend (truncated division). */
  modulusTruncate(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  squeeze(input: MLOperand, options?: MLSqueezeOptions): MLOperand;
  unsqueeze(input: MLOperand, axes: readonly number[], options?: MLOperatorOptions): MLOperand;
  reshapeTo2d(input: MLOperand, options?: MLReshapeTo2dOptions): MLOperand;
  reshapeDynamic(input: MLOperand, newShape: MLOperand, options?: MLOperatorOptions): MLOperand;
  expandDynamic(input: MLOperand, newShape: MLOperand, options?: MLOperatorOptions): MLOperand;
  sliceDynamic(input: MLOperand, starts: MLOperand, sizes: MLOperand, options?: MLSliceDynamicOptions): MLOperand;
  padDynamic(input: MLOperand, beginningPadding: MLOperand, endingPadding: MLOperand, options?: MLOperatorOptions): MLOperand;
  splitDynamic(input: MLOperand, splits: MLOperand, options?: MLSplitOptions): MLOperand[];
  resample2dDynamic(input: MLOperand, options?: MLResample2dDynamicOptions): MLOperand;
  tileDynamic(input: MLOperand, repetitions: MLOperand, options?: MLOperatorOptions): MLOperand;
}

/**
 * WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on.
 * The MLGraph member the proposal adds.
 */
export interface MLGraphDynamicShapes {
  /**
   * The concrete shape of every output for these input shapes, computed synchronously on the CPU (nothing runs on
   * the device). TypeError when the shapes do not fit the graph or a shape cannot be resolved.
   */
  computeShapes(inputShapes: MLNamedShapes): MLNamedShapes;
}

/**
 * WebNN dynamic-shape proposal (webmachinelearning/webnn#945), only present when switched on.
 * MLOperand.shape as the proposal has it.
 */
export interface MLOperandDynamicShapes {
  /** Sizes and dimension names (derived dimensions have generated names such as 'concat#3'); null when unranked. */
  readonly shape: readonly MLDimension[] | null;
}

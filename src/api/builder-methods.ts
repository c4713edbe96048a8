/**
 * TypeScript declarations of every MLGraphBuilder operation of the WebNN IDL (idl/webnn.idl), with their options
 * dictionaries and enums. The methods themselves are installed on MLGraphBuilder.prototype at run time from the
 * operation table (src/ops/registry.ts); these declarations are the contract they are held to, including operations
 * this version does not implement yet (those are absent from the prototype and from opSupportLimits()).
 * test/types/idl-declarations.test.ts checks this file against the IDL.
 */
import type { MLOperand } from './operand.js';
import type { MLOperandDataType } from '../types/data-type.js';

/** (bigint or unrestricted double): scalars cast to an operand's data type (bigint keeps int64 / uint64 exact). */
export type MLNumber = number | bigint;

export type MLInputOperandLayout = 'nchw' | 'nhwc';

export type MLConv2dFilterOperandLayout = 'oihw' | 'hwio' | 'ohwi' | 'ihwo';

export type MLConvTranspose2dFilterOperandLayout = 'iohw' | 'hwoi' | 'ohwi';

export type MLGruWeightLayout = 'zrn' | 'rzn';

export type MLRecurrentNetworkActivation = 'relu' | 'sigmoid' | 'tanh';

export type MLRecurrentNetworkDirection = 'forward' | 'backward' | 'both';

export type MLLstmWeightLayout = 'iofg' | 'ifgo';

export type MLPaddingMode = 'constant' | 'edge' | 'reflection';

export type MLRoundingType = 'floor' | 'ceil';

export type MLInterpolationMode = 'nearest-neighbor' | 'linear';

export interface MLOperatorOptions {
  /** Default ''. */
  label?: string;
}

export interface MLArgMinMaxOptions extends MLOperatorOptions {
  /** Default false. */
  keepDimensions?: boolean;
  /** Default 'int32'. */
  outputDataType?: MLOperandDataType;
}

export interface MLBatchNormalizationOptions extends MLOperatorOptions {
  scale?: MLOperand;
  bias?: MLOperand;
  /** Default 1. */
  axis?: number;
  /** Default 1e-5. */
  epsilon?: number;
}

export interface MLClampOptions extends MLOperatorOptions {
  minValue?: MLNumber;
  maxValue?: MLNumber;
}

export interface MLConv2dOptions extends MLOperatorOptions {
  padding?: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  /** Default 1. */
  groups?: number;
  /** Default 'nchw'. */
  inputLayout?: MLInputOperandLayout;
  /** Default 'oihw'. */
  filterLayout?: MLConv2dFilterOperandLayout;
  bias?: MLOperand;
}

export interface MLConvTranspose2dOptions extends MLOperatorOptions {
  padding?: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  outputPadding?: readonly number[];
  outputSizes?: readonly number[];
  /** Default 1. */
  groups?: number;
  /** Default 'nchw'. */
  inputLayout?: MLInputOperandLayout;
  /** Default 'iohw'. */
  filterLayout?: MLConvTranspose2dFilterOperandLayout;
  bias?: MLOperand;
}

export interface MLCumulativeSumOptions extends MLOperatorOptions {
  /** Default false. */
  exclusive?: boolean;
  /** Default false. */
  reversed?: boolean;
}

export interface MLEluOptions extends MLOperatorOptions {
  /** Default 1. */
  alpha?: number;
}

export interface MLGatherOptions extends MLOperatorOptions {
  /** Default 0. */
  axis?: number;
}

export interface MLGemmOptions extends MLOperatorOptions {
  c?: MLOperand;
  /** Default 1.0. */
  alpha?: number;
  /** Default 1.0. */
  beta?: number;
  /** Default false. */
  aTranspose?: boolean;
  /** Default false. */
  bTranspose?: boolean;
}

export interface MLGruOptions extends MLOperatorOptions {
  bias?: MLOperand;
  recurrentBias?: MLOperand;
  initialHiddenState?: MLOperand;
  /** Default true. */
  resetAfter?: boolean;
  /** Default false. */
  returnSequence?: boolean;
  /** Default 'forward'. */
  direction?: MLRecurrentNetworkDirection;
  /** Default 'zrn'. */
  layout?: MLGruWeightLayout;
  activations?: readonly MLRecurrentNetworkActivation[];
}

export interface MLGruCellOptions extends MLOperatorOptions {
  bias?: MLOperand;
  recurrentBias?: MLOperand;
  /** Default true. */
  resetAfter?: boolean;
  /** Default 'zrn'. */
  layout?: MLGruWeightLayout;
  activations?: readonly MLRecurrentNetworkActivation[];
}

export interface MLHardSigmoidOptions extends MLOperatorOptions {
  /** Default 0.2. */
  alpha?: number;
  /** Default 0.5. */
  beta?: number;
}

export interface MLInstanceNormalizationOptions extends MLOperatorOptions {
  scale?: MLOperand;
  bias?: MLOperand;
  /** Default 1e-5. */
  epsilon?: number;
  /** Default 'nchw'. */
  layout?: MLInputOperandLayout;
}

export interface MLLayerNormalizationOptions extends MLOperatorOptions {
  scale?: MLOperand;
  bias?: MLOperand;
  axes?: readonly number[];
  /** Default 1e-5. */
  epsilon?: number;
}

export interface MLLeakyReluOptions extends MLOperatorOptions {
  /** Default 0.01. */
  alpha?: number;
}

export interface MLLinearOptions extends MLOperatorOptions {
  /** Default 1. */
  alpha?: number;
  /** Default 0. */
  beta?: number;
}

export interface MLLstmOptions extends MLOperatorOptions {
  bias?: MLOperand;
  recurrentBias?: MLOperand;
  peepholeWeight?: MLOperand;
  initialHiddenState?: MLOperand;
  initialCellState?: MLOperand;
  /** Default false. */
  returnSequence?: boolean;
  /** Default 'forward'. */
  direction?: MLRecurrentNetworkDirection;
  /** Default 'iofg'. */
  layout?: MLLstmWeightLayout;
  activations?: readonly MLRecurrentNetworkActivation[];
}

export interface MLLstmCellOptions extends MLOperatorOptions {
  bias?: MLOperand;
  recurrentBias?: MLOperand;
  peepholeWeight?: MLOperand;
  /** Default 'iofg'. */
  layout?: MLLstmWeightLayout;
  activations?: readonly MLRecurrentNetworkActivation[];
}

export interface MLPadOptions extends MLOperatorOptions {
  /** Default 'constant'. */
  mode?: MLPaddingMode;
  /** Default 0. */
  value?: MLNumber;
}

export interface MLPool2dOptions extends MLOperatorOptions {
  windowDimensions?: readonly number[];
  padding?: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  /** Default 'nchw'. */
  layout?: MLInputOperandLayout;
  /** Default 'floor'. */
  outputShapeRounding?: MLRoundingType;
  outputSizes?: readonly number[];
}

export interface MLReduceOptions extends MLOperatorOptions {
  axes?: readonly number[];
  /** Default false. */
  keepDimensions?: boolean;
}

export interface MLResample2dOptions extends MLOperatorOptions {
  /** Default 'nearest-neighbor'. */
  mode?: MLInterpolationMode;
  scales?: readonly number[];
  sizes?: readonly number[];
  axes?: readonly number[];
}

export interface MLReverseOptions extends MLOperatorOptions {
  axes?: readonly number[];
}

export interface MLScatterOptions extends MLOperatorOptions {
  /** Default 0. */
  axis?: number;
}

export interface MLSliceOptions extends MLOperatorOptions {
  strides?: readonly number[];
}

export interface MLSplitOptions extends MLOperatorOptions {
  /** Default 0. */
  axis?: number;
}

export interface MLTransposeOptions extends MLOperatorOptions {
  permutation?: readonly number[];
}

export interface MLTriangularOptions extends MLOperatorOptions {
  /** Default true. */
  upper?: boolean;
  /** Default 0. */
  diagonal?: number;
}

export interface MLGraphBuilderMethods {
  argMin(input: MLOperand, axis: number, options?: MLArgMinMaxOptions): MLOperand;
  argMax(input: MLOperand, axis: number, options?: MLArgMinMaxOptions): MLOperand;
  batchNormalization(input: MLOperand, mean: MLOperand, variance: MLOperand, options?: MLBatchNormalizationOptions): MLOperand;
  cast(input: MLOperand, dataType: MLOperandDataType, options?: MLOperatorOptions): MLOperand;
  clamp(input: MLOperand, options?: MLClampOptions): MLOperand;
  concat(inputs: readonly MLOperand[], axis: number, options?: MLOperatorOptions): MLOperand;
  conv2d(input: MLOperand, filter: MLOperand, options?: MLConv2dOptions): MLOperand;
  convTranspose2d(input: MLOperand, filter: MLOperand, options?: MLConvTranspose2dOptions): MLOperand;
  cumulativeSum(input: MLOperand, axis: number, options?: MLCumulativeSumOptions): MLOperand;
  add(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  sub(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  mul(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  div(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  max(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  min(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  pow(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  equal(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  notEqual(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  greater(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  greaterOrEqual(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  lesser(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  lesserOrEqual(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  logicalNot(a: MLOperand, options?: MLOperatorOptions): MLOperand;
  logicalAnd(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  logicalOr(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  logicalXor(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  isNaN(a: MLOperand, options?: MLOperatorOptions): MLOperand;
  isInfinite(a: MLOperand, options?: MLOperatorOptions): MLOperand;
  abs(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  ceil(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  cos(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  erf(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  exp(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  floor(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  identity(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  log(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  neg(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  reciprocal(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  roundEven(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  sin(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  sign(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  sqrt(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  tan(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  dequantizeLinear(input: MLOperand, scale: MLOperand, zeroPoint: MLOperand, options?: MLOperatorOptions): MLOperand;
  quantizeLinear(input: MLOperand, scale: MLOperand, zeroPoint: MLOperand, options?: MLOperatorOptions): MLOperand;
  elu(input: MLOperand, options?: MLEluOptions): MLOperand;
  expand(input: MLOperand, newShape: readonly number[], options?: MLOperatorOptions): MLOperand;
  gather(input: MLOperand, indices: MLOperand, options?: MLGatherOptions): MLOperand;
  gatherElements(input: MLOperand, indices: MLOperand, options?: MLGatherOptions): MLOperand;
  gatherND(input: MLOperand, indices: MLOperand, options?: MLOperatorOptions): MLOperand;
  gelu(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  gemm(a: MLOperand, b: MLOperand, options?: MLGemmOptions): MLOperand;
  gru(input: MLOperand, weight: MLOperand, recurrentWeight: MLOperand, steps: number, hiddenSize: number, options?: MLGruOptions): MLOperand[];
  gruCell(input: MLOperand, weight: MLOperand, recurrentWeight: MLOperand, hiddenState: MLOperand, hiddenSize: number, options?: MLGruCellOptions): MLOperand;
  hardSigmoid(input: MLOperand, options?: MLHardSigmoidOptions): MLOperand;
  hardSwish(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  instanceNormalization(input: MLOperand, options?: MLInstanceNormalizationOptions): MLOperand;
  layerNormalization(input: MLOperand, options?: MLLayerNormalizationOptions): MLOperand;
  leakyRelu(input: MLOperand, options?: MLLeakyReluOptions): MLOperand;
  linear(input: MLOperand, options?: MLLinearOptions): MLOperand;
  lstm(input: MLOperand, weight: MLOperand, recurrentWeight: MLOperand, steps: number, hiddenSize: number, options?: MLLstmOptions): MLOperand[];
  lstmCell(input: MLOperand, weight: MLOperand, recurrentWeight: MLOperand, hiddenState: MLOperand, cellState: MLOperand, hiddenSize: number, options?: MLLstmCellOptions): MLOperand[];
  matmul(a: MLOperand, b: MLOperand, options?: MLOperatorOptions): MLOperand;
  pad(input: MLOperand, beginningPadding: readonly number[], endingPadding: readonly number[], options?: MLPadOptions): MLOperand;
  averagePool2d(input: MLOperand, options?: MLPool2dOptions): MLOperand;
  l2Pool2d(input: MLOperand, options?: MLPool2dOptions): MLOperand;
  maxPool2d(input: MLOperand, options?: MLPool2dOptions): MLOperand;
  prelu(input: MLOperand, slope: MLOperand, options?: MLOperatorOptions): MLOperand;
  reduceL1(input: MLOperand, options?: MLReduceOptions): MLOperand;
  reduceL2(input: MLOperand, options?: MLReduceOptions): MLOperand;
  reduceLogSum(input: MLOperand, options?: MLReduceOptions): MLOperand;
  reduceLogSumExp(input: MLOperand, options?: MLReduceOptions): MLOperand;
  reduceMax(input: MLOperand, options?: MLReduceOptions): MLOperand;
  reduceMean(input: MLOperand, options?: MLReduceOptions): MLOperand;
  reduceMin(input: MLOperand, options?: MLReduceOptions): MLOperand;
  reduceProduct(input: MLOperand, options?: MLReduceOptions): MLOperand;
  reduceSum(input: MLOperand, options?: MLReduceOptions): MLOperand;
  reduceSumSquare(input: MLOperand, options?: MLReduceOptions): MLOperand;
  relu(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  resample2d(input: MLOperand, options?: MLResample2dOptions): MLOperand;
  reshape(input: MLOperand, newShape: readonly number[], options?: MLOperatorOptions): MLOperand;
  reverse(input: MLOperand, options?: MLReverseOptions): MLOperand;
  scatterElements(input: MLOperand, indices: MLOperand, updates: MLOperand, options?: MLScatterOptions): MLOperand;
  scatterND(input: MLOperand, indices: MLOperand, updates: MLOperand, options?: MLOperatorOptions): MLOperand;
  sigmoid(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  slice(input: MLOperand, starts: readonly number[], sizes: readonly number[], options?: MLSliceOptions): MLOperand;
  softmax(input: MLOperand, axis: number, options?: MLOperatorOptions): MLOperand;
  softplus(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  softsign(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  split(input: MLOperand, splits: number | readonly number[], options?: MLSplitOptions): MLOperand[];
  tanh(input: MLOperand, options?: MLOperatorOptions): MLOperand;
  tile(input: MLOperand, repetitions: readonly number[], options?: MLOperatorOptions): MLOperand;
  transpose(input: MLOperand, options?: MLTransposeOptions): MLOperand;
  triangular(input: MLOperand, options?: MLTriangularOptions): MLOperand;
  where(condition: MLOperand, trueValue: MLOperand, falseValue: MLOperand, options?: MLOperatorOptions): MLOperand;
}

/**
 * The dictionaries MLContext.opSupportLimits() returns, as in the WebNN IDL (idl/webnn.idl). Every member of a
 * per-operation dictionary is present in what this implementation returns.
 * test/types/idl-declarations.test.ts checks this file against the IDL.
 */
import type { MLOperandDataType } from '../types/data-type.js';
import type { MLInputOperandLayout } from './builder-methods.js';

export interface MLRankRange {
  min: number;
  max: number;
}

export interface MLTensorLimits {
  dataTypes: MLOperandDataType[];
  rankRange: MLRankRange;
}

export interface MLBinarySupportLimits {
  a: MLTensorLimits;
  b: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLSingleInputSupportLimits {
  input: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLBatchNormalizationSupportLimits {
  input: MLTensorLimits;
  mean: MLTensorLimits;
  variance: MLTensorLimits;
  scale: MLTensorLimits;
  bias: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLConcatSupportLimits {
  inputs: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLConv2dSupportLimits {
  input: MLTensorLimits;
  filter: MLTensorLimits;
  bias: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLLogicalNotSupportLimits {
  a: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLQuantizeDequantizeLinearSupportLimits {
  input: MLTensorLimits;
  scale: MLTensorLimits;
  zeroPoint: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLGatherSupportLimits {
  input: MLTensorLimits;
  indices: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLGemmSupportLimits {
  a: MLTensorLimits;
  b: MLTensorLimits;
  c: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLGruSupportLimits {
  input: MLTensorLimits;
  weight: MLTensorLimits;
  recurrentWeight: MLTensorLimits;
  bias: MLTensorLimits;
  recurrentBias: MLTensorLimits;
  initialHiddenState: MLTensorLimits;
  output0: MLTensorLimits;
  output1: MLTensorLimits;
}

export interface MLGruCellSupportLimits {
  input: MLTensorLimits;
  weight: MLTensorLimits;
  recurrentWeight: MLTensorLimits;
  hiddenState: MLTensorLimits;
  bias: MLTensorLimits;
  recurrentBias: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLNormalizationSupportLimits {
  input: MLTensorLimits;
  scale: MLTensorLimits;
  bias: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLLstmSupportLimits {
  input: MLTensorLimits;
  weight: MLTensorLimits;
  recurrentWeight: MLTensorLimits;
  bias: MLTensorLimits;
  recurrentBias: MLTensorLimits;
  peepholeWeight: MLTensorLimits;
  initialHiddenState: MLTensorLimits;
  initialCellState: MLTensorLimits;
  output0: MLTensorLimits;
  output1: MLTensorLimits;
  output2: MLTensorLimits;
}

export interface MLLstmCellSupportLimits {
  input: MLTensorLimits;
  weight: MLTensorLimits;
  recurrentWeight: MLTensorLimits;
  hiddenState: MLTensorLimits;
  cellState: MLTensorLimits;
  bias: MLTensorLimits;
  recurrentBias: MLTensorLimits;
  peepholeWeight: MLTensorLimits;
  output0: MLTensorLimits;
  output1: MLTensorLimits;
}

export interface MLPreluSupportLimits {
  input: MLTensorLimits;
  slope: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLScatterSupportLimits {
  input: MLTensorLimits;
  indices: MLTensorLimits;
  updates: MLTensorLimits;
  output: MLTensorLimits;
}

export interface MLSplitSupportLimits {
  input: MLTensorLimits;
  outputs: MLTensorLimits;
}

export interface MLWhereSupportLimits {
  condition: MLTensorLimits;
  trueValue: MLTensorLimits;
  falseValue: MLTensorLimits;
  output: MLTensorLimits;
}

/** One member per operation, named like its MLGraphBuilder method; present for the operations this version implements. */
export interface MLOpSupportLimitsByOperation {
  argMin?: MLSingleInputSupportLimits;
  argMax?: MLSingleInputSupportLimits;
  batchNormalization?: MLBatchNormalizationSupportLimits;
  cast?: MLSingleInputSupportLimits;
  clamp?: MLSingleInputSupportLimits;
  concat?: MLConcatSupportLimits;
  conv2d?: MLConv2dSupportLimits;
  convTranspose2d?: MLConv2dSupportLimits;
  cumulativeSum?: MLSingleInputSupportLimits;
  add?: MLBinarySupportLimits;
  sub?: MLBinarySupportLimits;
  mul?: MLBinarySupportLimits;
  div?: MLBinarySupportLimits;
  max?: MLBinarySupportLimits;
  min?: MLBinarySupportLimits;
  pow?: MLBinarySupportLimits;
  equal?: MLBinarySupportLimits;
  notEqual?: MLBinarySupportLimits;
  greater?: MLBinarySupportLimits;
  greaterOrEqual?: MLBinarySupportLimits;
  lesser?: MLBinarySupportLimits;
  lesserOrEqual?: MLBinarySupportLimits;
  logicalNot?: MLLogicalNotSupportLimits;
  logicalAnd?: MLBinarySupportLimits;
  logicalOr?: MLBinarySupportLimits;
  logicalXor?: MLBinarySupportLimits;
  isNaN?: MLLogicalNotSupportLimits;
  isInfinite?: MLLogicalNotSupportLimits;
  abs?: MLSingleInputSupportLimits;
  ceil?: MLSingleInputSupportLimits;
  cos?: MLSingleInputSupportLimits;
  erf?: MLSingleInputSupportLimits;
  exp?: MLSingleInputSupportLimits;
  floor?: MLSingleInputSupportLimits;
  identity?: MLSingleInputSupportLimits;
  log?: MLSingleInputSupportLimits;
  neg?: MLSingleInputSupportLimits;
  reciprocal?: MLSingleInputSupportLimits;
  roundEven?: MLSingleInputSupportLimits;
  sin?: MLSingleInputSupportLimits;
  sign?: MLSingleInputSupportLimits;
  sqrt?: MLSingleInputSupportLimits;
  tan?: MLSingleInputSupportLimits;
  dequantizeLinear?: MLQuantizeDequantizeLinearSupportLimits;
  quantizeLinear?: MLQuantizeDequantizeLinearSupportLimits;
  elu?: MLSingleInputSupportLimits;
  expand?: MLSingleInputSupportLimits;
  gather?: MLGatherSupportLimits;
  gatherElements?: MLGatherSupportLimits;
  gatherND?: MLGatherSupportLimits;
  gelu?: MLSingleInputSupportLimits;
  gemm?: MLGemmSupportLimits;
  gru?: MLGruSupportLimits;
  gruCell?: MLGruCellSupportLimits;
  hardSigmoid?: MLSingleInputSupportLimits;
  hardSwish?: MLSingleInputSupportLimits;
  instanceNormalization?: MLNormalizationSupportLimits;
  layerNormalization?: MLNormalizationSupportLimits;
  leakyRelu?: MLSingleInputSupportLimits;
  linear?: MLSingleInputSupportLimits;
  lstm?: MLLstmSupportLimits;
  lstmCell?: MLLstmCellSupportLimits;
  matmul?: MLBinarySupportLimits;
  pad?: MLSingleInputSupportLimits;
  averagePool2d?: MLSingleInputSupportLimits;
  l2Pool2d?: MLSingleInputSupportLimits;
  maxPool2d?: MLSingleInputSupportLimits;
  prelu?: MLPreluSupportLimits;
  reduceL1?: MLSingleInputSupportLimits;
  reduceL2?: MLSingleInputSupportLimits;
  reduceLogSum?: MLSingleInputSupportLimits;
  reduceLogSumExp?: MLSingleInputSupportLimits;
  reduceMax?: MLSingleInputSupportLimits;
  reduceMean?: MLSingleInputSupportLimits;
  reduceMin?: MLSingleInputSupportLimits;
  reduceProduct?: MLSingleInputSupportLimits;
  reduceSum?: MLSingleInputSupportLimits;
  reduceSumSquare?: MLSingleInputSupportLimits;
  relu?: MLSingleInputSupportLimits;
  resample2d?: MLSingleInputSupportLimits;
  reshape?: MLSingleInputSupportLimits;
  reverse?: MLSingleInputSupportLimits;
  scatterElements?: MLScatterSupportLimits;
  scatterND?: MLScatterSupportLimits;
  sigmoid?: MLSingleInputSupportLimits;
  slice?: MLSingleInputSupportLimits;
  softmax?: MLSingleInputSupportLimits;
  softplus?: MLSingleInputSupportLimits;
  softsign?: MLSingleInputSupportLimits;
  split?: MLSplitSupportLimits;
  tanh?: MLSingleInputSupportLimits;
  tile?: MLSingleInputSupportLimits;
  transpose?: MLSingleInputSupportLimits;
  triangular?: MLSingleInputSupportLimits;
  where?: MLWhereSupportLimits;
}


export interface MLOpSupportLimits extends MLOpSupportLimitsByOperation {
  /** The layout convolutions and pooling run fastest with here ('nhwc': TF.js's own). */
  preferredInputLayout: MLInputOperandLayout;
  /** The largest tensor, in bytes, an input, constant, output or intermediate may have. */
  maxTensorByteLength: number;
  /** Graph inputs (MLGraphBuilder.input()). */
  input: MLTensorLimits;
  /** Graph constants (MLGraphBuilder.constant()). */
  constant: MLTensorLimits;
  /** Graph outputs (MLGraphBuilder.build()). */
  output: MLTensorLimits;
}

/**
 * The part of the WebNN API the importer and the loader use, declared structurally: they build through these methods
 * alone, so the same code runs on this polyfill and on a browser's own WebNN.
 */

export type OperandDataType = 'float32' | 'float16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'int8' | 'uint8';

export interface OperandDescriptor {
  dataType: OperandDataType;
  shape: number[];
}

export interface Operand {
  readonly dataType: OperandDataType;
  readonly shape: readonly number[];
}

export interface WebNNTensor {
  readonly dataType: OperandDataType;
  readonly shape: readonly number[];
  destroy(): void;
}

export interface WebNNGraph {
  destroy(): void;
}

/** MLOpSupportLimits, read by operation name. */
export type SupportLimits = object;

export interface WebNNContext {
  createTensor(descriptor: OperandDescriptor & { readable?: boolean; writable?: boolean }): Promise<WebNNTensor>;
  writeTensor(tensor: WebNNTensor, data: ArrayBufferView): void;
  readTensor(tensor: WebNNTensor): Promise<ArrayBuffer>;
  dispatch(graph: WebNNGraph, inputs: Record<string, WebNNTensor>, outputs: Record<string, WebNNTensor>): void;
  opSupportLimits(): SupportLimits;
}

/** Options are passed through as the WebNN dictionaries they are. */
type Options = Record<string, unknown>;
type Unary = (input: Operand, options?: Options) => Operand;
type Binary = (a: Operand, b: Operand, options?: Options) => Operand;

export interface GraphBuilder {
  input(name: string, descriptor: OperandDescriptor): Operand;
  constant(descriptor: OperandDescriptor, data: ArrayBufferView): Operand;
  build(outputs: Record<string, Operand>): Promise<WebNNGraph>;

  add: Binary; sub: Binary; mul: Binary; div: Binary; pow: Binary; max: Binary; min: Binary;
  equal: Binary; greater: Binary; greaterOrEqual: Binary; lesser: Binary; lesserOrEqual: Binary;
  logicalAnd: Binary; logicalOr: Binary; logicalXor: Binary;
  matmul: Binary; prelu: Binary;

  abs: Unary; ceil: Unary; cos: Unary; erf: Unary; exp: Unary; floor: Unary; identity: Unary; log: Unary; neg: Unary;
  reciprocal: Unary; roundEven: Unary; sin: Unary; sign: Unary; sqrt: Unary; tan: Unary; logicalNot: Unary;
  isNaN: Unary; isInfinite: Unary;
  relu: Unary; sigmoid: Unary; tanh: Unary; softplus: Unary; softsign: Unary; gelu: Unary; hardSwish: Unary;
  elu: Unary; leakyRelu: Unary; hardSigmoid: Unary; clamp: Unary;
  averagePool2d: Unary; maxPool2d: Unary; l2Pool2d: Unary;
  reduceL1: Unary; reduceL2: Unary; reduceLogSum: Unary; reduceLogSumExp: Unary; reduceMax: Unary; reduceMean: Unary;
  reduceMin: Unary; reduceProduct: Unary; reduceSum: Unary; reduceSumSquare: Unary;
  resample2d: Unary; transpose: Unary; instanceNormalization: Unary; layerNormalization: Unary; reverse: Unary;
  triangular: Unary;

  conv2d(input: Operand, filter: Operand, options?: Options): Operand;
  convTranspose2d(input: Operand, filter: Operand, options?: Options): Operand;
  gemm(a: Operand, b: Operand, options?: Options): Operand;
  batchNormalization(input: Operand, mean: Operand, variance: Operand, options?: Options): Operand;
  reshape(input: Operand, newShape: readonly number[]): Operand;
  concat(inputs: readonly Operand[], axis: number): Operand;
  softmax(input: Operand, axis: number): Operand;
  slice(input: Operand, starts: readonly number[], sizes: readonly number[], options?: Options): Operand;
  gather(input: Operand, indices: Operand, options?: Options): Operand;
  gatherElements(input: Operand, indices: Operand, options?: Options): Operand;
  gatherND(input: Operand, indices: Operand): Operand;
  scatterElements(input: Operand, indices: Operand, updates: Operand, options?: Options): Operand;
  scatterND(input: Operand, indices: Operand, updates: Operand): Operand;
  dequantizeLinear(input: Operand, scale: Operand, zeroPoint: Operand): Operand;
  quantizeLinear(input: Operand, scale: Operand, zeroPoint: Operand): Operand;
  cast(input: Operand, dataType: OperandDataType): Operand;
  expand(input: Operand, newShape: readonly number[]): Operand;
  where(condition: Operand, trueValue: Operand, falseValue: Operand): Operand;
  pad(input: Operand, beginning: readonly number[], ending: readonly number[], options?: Options): Operand;
  split(input: Operand, splits: number | readonly number[], options?: Options): Operand[];
  tile(input: Operand, repetitions: readonly number[]): Operand;
  argMax(input: Operand, axis: number, options?: Options): Operand;
  argMin(input: Operand, axis: number, options?: Options): Operand;
  cumulativeSum(input: Operand, axis: number, options?: Options): Operand;
  lstm(input: Operand, weight: Operand, recurrentWeight: Operand, steps: number, hiddenSize: number, options?: Options): Operand[];
  gru(input: Operand, weight: Operand, recurrentWeight: Operand, steps: number, hiddenSize: number, options?: Options): Operand[];
}

export type GraphBuilderConstructor = new (context: never) => GraphBuilder;

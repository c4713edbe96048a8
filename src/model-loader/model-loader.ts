/**
 * MLModelLoader and MLModel as the WebML Community Group's Model Loader draft shapes them (a paused CG draft, not a
 * standard): new MLModelLoader(context), load(buffer) -> MLModel, the model's inputs() / outputs() descriptions,
 * compute() on named {data, dimensions} tensors. MLModel also has dispatch() on MLTensors, as WebNN computes now.
 * The model is an ONNX ModelProto, built into an MLGraph through the public WebNN API alone.
 */
import { importOnnxGraph, type ImportOptions } from './importer.js';
import { decodeOnnxModel } from './onnx-model.js';
import { isStaticShape, type Dimension } from './symbolic.js';
import type { GraphBuilder, OperandDataType, WebNNContext, WebNNGraph, WebNNTensor } from './webnn-types.js';

/**
 * The draft's MLTensorInfo: a model input or output. Its dimensions are sizes; a dimension the dynamic-shape proposal
 * leaves to compute time (a named free dimension of the model, or one derived from such) is its name instead.
 */
export interface MLTensorInfo {
  readonly name: string;
  readonly type: OperandDataType;
  readonly dimensions: readonly Dimension[];
}

/** The draft's MLTensor dictionary (renamed: WebNN's MLTensor is now an interface): values and their dimensions. */
export interface MLModelTensor {
  data: ArrayBufferView;
  dimensions: readonly number[];
}

/** A tensor compute() takes: its dimensions must be sizes (a name there is a TypeError), as MLModelTensor's are. */
export interface MLModelInputTensor {
  data: ArrayBufferView;
  dimensions: readonly Dimension[];
}

/** The proposal's MLGraph.computeShapes(), where the graph has it. */
type ShapeComputingGraph = WebNNGraph & {
  computeShapes(inputShapes: Record<string, readonly number[]>): Record<string, readonly number[]>;
};

interface ModelTensors {
  readonly inputs: Record<string, WebNNTensor>;
  readonly outputs: Record<string, WebNNTensor>;
}

/** Tensors kept for this many input-shape signatures of a model with named dimensions (the least recent released). */
const TENSOR_SETS = 4;

export type MLModelLoadOptions = ImportOptions;

type GraphBuilderFactory = (context: WebNNContext) => GraphBuilder | null;
const builderFactories: GraphBuilderFactory[] = [];

/**
 * Registers how to make a graph builder for the contexts of an implementation (the package registers its own); a
 * context no factory takes gets the global MLGraphBuilder, a browser's own WebNN.
 */
export function registerGraphBuilder(factory: GraphBuilderFactory): void {
  builderFactories.push(factory);
}

function graphBuilderFor(context: WebNNContext): GraphBuilder {
  for (const factory of builderFactories) {
    const builder = factory(context);
    if (builder) return builder;
  }
  const global = (globalThis as { MLGraphBuilder?: new (context: WebNNContext) => GraphBuilder }).MLGraphBuilder;
  if (!global) throw new TypeError('no MLGraphBuilder takes this context');
  return new global(context);
}

function viewFor(dataType: OperandDataType, buffer: ArrayBuffer): ArrayBufferView {
  switch (dataType) {
    case 'float32': return new Float32Array(buffer);
    case 'float16': {
      const Float16 = (globalThis as { Float16Array?: new (b: ArrayBuffer) => ArrayBufferView }).Float16Array;
      return Float16 ? new Float16(buffer) : new Uint16Array(buffer);
    }
    case 'int32': return new Int32Array(buffer);
    case 'uint32': return new Uint32Array(buffer);
    case 'int64': return new BigInt64Array(buffer);
    case 'uint64': return new BigUint64Array(buffer);
    case 'int8': return new Int8Array(buffer);
    case 'uint8': return new Uint8Array(buffer);
  }
}

const isModelTensor = (value: unknown): value is MLModelInputTensor =>
  typeof value === 'object' && value !== null && ArrayBuffer.isView((value as MLModelInputTensor).data) &&
  Array.isArray((value as MLModelInputTensor).dimensions);

const CREATE_MODEL = Symbol('MLModel');

export class MLModel {
  readonly #context: WebNNContext;
  readonly #graph: WebNNGraph;
  readonly #inputs: readonly MLTensorInfo[];
  /** The inputs the graph has: an input no output depends on is taken by compute() but not bound. */
  readonly #graphInputs: readonly MLTensorInfo[];
  readonly #outputs: readonly MLTensorInfo[];
  /** compute()'s tensors by input-shape signature, least recently used first, each with its last use. */
  readonly #tensors = new Map<string, { tensors: Promise<ModelTensors>; lastUse: Promise<unknown> }>();

  /** Made by MLModelLoader.load() only: the draft gives MLModel no constructor. */
  constructor(...args: unknown[]) {
    const [token, context, graph, inputs, outputs, graphInputs] =
      args as [unknown, WebNNContext, WebNNGraph, readonly MLTensorInfo[], readonly MLTensorInfo[], readonly string[]];
    if (token !== CREATE_MODEL) throw new TypeError('Illegal constructor');
    this.#context = context;
    this.#graph = graph;
    this.#inputs = inputs;
    this.#graphInputs = inputs.filter((i) => graphInputs.includes(i.name));
    this.#outputs = outputs;
  }

  inputs(): MLTensorInfo[] {
    return this.#inputs.map((i) => ({ ...i, dimensions: [...i.dimensions] }));
  }

  outputs(): MLTensorInfo[] {
    return this.#outputs.map((o) => ({ ...o, dimensions: [...o.dimensions] }));
  }

  /**
   * Computes the outputs from named inputs (a model of one input also takes the tensor itself). Concurrent calls are
   * computed in call order.
   */
  async compute(inputs: Record<string, MLModelInputTensor> | MLModelInputTensor): Promise<Record<string, MLModelTensor>> {
    const named: Record<string, MLModelInputTensor> = isModelTensor(inputs) && this.#inputs.length === 1 && !(this.#inputs[0]!.name in inputs)
      ? { [this.#inputs[0]!.name]: inputs }
      : inputs as Record<string, MLModelInputTensor>;
    const inputShapes: Record<string, readonly number[]> = {};
    for (const info of this.#inputs) {
      const given = named[info.name];
      if (!isModelTensor(given)) throw new TypeError(`compute(): input '${info.name}' is missing`);
      const dims = given.dimensions;
      const fits = isStaticShape(dims) && dims.length === info.dimensions.length &&
        info.dimensions.every((d, k) => typeof d === 'string' || d === dims[k]);
      if (!fits) {
        throw new TypeError(`compute(): input '${info.name}' has dimensions [${dims.join(', ')}], not [${info.dimensions.join(', ')}]`);
      }
      inputShapes[info.name] = dims;
    }
    const outputShapes = this.#outputShapes(inputShapes);
    const signature = JSON.stringify(this.#graphInputs.map((i) => inputShapes[i.name]));
    const entry = this.#tensorsFor(signature, inputShapes, outputShapes);
    const tensors = await entry.tensors;
    // Every step is queued before the first wait, so that calls made meanwhile queue behind this one's reads.
    for (const info of this.#graphInputs) this.#context.writeTensor(tensors.inputs[info.name]!, named[info.name]!.data);
    this.#context.dispatch(this.#graph, tensors.inputs, tensors.outputs);
    const reads = Promise.all(this.#outputs.map((o) => this.#context.readTensor(tensors.outputs[o.name]!)));
    entry.lastUse = reads.catch(() => undefined);
    const buffers = await reads;
    return Object.fromEntries(this.#outputs.map((o, k) => [o.name, { data: viewFor(o.type, buffers[k]!), dimensions: [...outputShapes[o.name]!] }]));
  }

  /**
   * The outputs' dimensions for inputs of the given dimensions: the proposal's MLGraph.computeShapes() on a model with
   * named dimensions (a TypeError for sizes it does not take), the outputs' own dimensions on one without.
   */
  computeShapes(inputShapes: Record<string, readonly number[]>): Record<string, number[]> {
    return Object.fromEntries(Object.entries(this.#outputShapes(inputShapes)).map(([name, dims]) => [name, [...dims]]));
  }

  #outputShapes(inputShapes: Record<string, readonly number[]>): Record<string, readonly number[]> {
    const named = this.#graphInputs.some((i) => !isStaticShape(i.dimensions));
    if (!named) return Object.fromEntries(this.#outputs.map((o) => [o.name, o.dimensions as readonly number[]]));
    return (this.#graph as ShapeComputingGraph).computeShapes(
      Object.fromEntries(this.#graphInputs.map((i) => [i.name, inputShapes[i.name]!])));
  }

  #tensorsFor(signature: string, inputShapes: Record<string, readonly number[]>, outputShapes: Record<string, readonly number[]>) {
    let entry = this.#tensors.get(signature);
    if (entry) {
      this.#tensors.delete(signature);
    } else {
      entry = { tensors: this.#createTensors(inputShapes, outputShapes), lastUse: Promise.resolve() };
      if (this.#tensors.size >= TENSOR_SETS) {
        const [oldest, released] = this.#tensors.entries().next().value!;
        this.#tensors.delete(oldest);
        releaseTensors(released);
      }
    }
    this.#tensors.set(signature, entry);
    return entry;
  }

  /**
   * Computes on MLTensors the caller made on the model's context (WebNN's dispatch on the model's graph). Tensors of
   * inputs no output depends on may be given, and are not bound.
   */
  dispatch(inputs: Record<string, WebNNTensor>, outputs: Record<string, WebNNTensor>): void {
    const bound = this.#graphInputs.length === this.#inputs.length ? inputs
      : Object.fromEntries(Object.entries(inputs).filter(([name]) => !this.#inputs.some((i) => i.name === name) ||
        this.#graphInputs.some((i) => i.name === name)));
    this.#context.dispatch(this.#graph, bound, outputs);
  }

  /** Releases the graph and the tensors compute() made. */
  destroy(): void {
    this.#graph.destroy();
    for (const entry of this.#tensors.values()) releaseTensors(entry);
    this.#tensors.clear();
  }

  async #createTensors(inputShapes: Record<string, readonly number[]>, outputShapes: Record<string, readonly number[]>):
    Promise<ModelTensors> {
    const make = async (list: readonly MLTensorInfo[], shapes: Record<string, readonly number[]>, access: { readable?: boolean; writable?: boolean }) =>
      Object.fromEntries(await Promise.all(list.map(async (info) => [info.name, await this.#context.createTensor({
        dataType: info.type, shape: [...shapes[info.name]!], ...access,
      })] as const)));
    const [inputs, outputs] = await Promise.all([
      make(this.#graphInputs, inputShapes, { writable: true }), make(this.#outputs, outputShapes, { readable: true }),
    ]);
    return { inputs, outputs };
  }
}

/** Destroys a set of compute()'s tensors once the reads of its last use are done. */
function releaseTensors(entry: { tensors: Promise<ModelTensors>; lastUse: Promise<unknown> }): void {
  void entry.lastUse.then(() => entry.tensors).then((t) => {
    for (const tensor of [...Object.values(t.inputs), ...Object.values(t.outputs)]) tensor.destroy();
  }, () => undefined);
}

/**
 * The loader for any WebNN context whose MLGraphBuilder registerGraphBuilder() or the global scope provides. The
 * package exports it as MLModelLoader, typed with the package's MLContext.
 */
export class ModelLoader {
  readonly #context: WebNNContext;

  constructor(context: WebNNContext) {
    if (typeof context !== 'object' || context === null) throw new TypeError('MLModelLoader needs an MLContext');
    this.#context = context;
  }

  /**
   * Loads an ONNX model. Rejects with a TypeError for bytes that are no ONNX model this importer reads, and a
   * NotSupportedError naming the node, operator and opset for what it does not map.
   */
  async load(buffer: ArrayBuffer | ArrayBufferView, options: MLModelLoadOptions = {}): Promise<MLModel> {
    const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : new Uint8Array(buffer);
    const model = decodeOnnxModel(bytes);
    const builder = graphBuilderFor(this.#context);
    const imported = importOnnxGraph(builder, this.#context.opSupportLimits(), model, options);
    const graph = await builder.build(imported.outputOperands);
    const info = (d: { name: string; dataType: OperandDataType; shape: readonly Dimension[] }): MLTensorInfo =>
      ({ name: d.name, type: d.dataType, dimensions: [...d.shape] });
    return new MLModel(CREATE_MODEL, this.#context, graph, imported.inputs.map(info), imported.outputs.map(info), imported.graphInputs);
  }
}

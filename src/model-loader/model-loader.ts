/**
 * MLModelLoader and MLModel as the WebML Community Group's Model Loader draft shapes them (a paused CG draft, not a
 * standard): new MLModelLoader(context), load(buffer) -> MLModel, the model's inputs() / outputs() descriptions,
 * compute() on named {data, dimensions} tensors. MLModel also has dispatch() on MLTensors, as WebNN computes now.
 * The model is an ONNX ModelProto, built into an MLGraph through the public WebNN API alone.
 */
import { importOnnxGraph, type ImportOptions } from './importer.js';
import { decodeOnnxModel } from './onnx-model.js';
import type { GraphBuilder, OperandDataType, WebNNContext, WebNNGraph, WebNNTensor } from './webnn-types.js';

/** The draft's MLTensorInfo: a model input or output. */
export interface MLTensorInfo {
  readonly name: string;
  readonly type: OperandDataType;
  readonly dimensions: readonly number[];
}

/** The draft's MLTensor dictionary (renamed: WebNN's MLTensor is now an interface): values and their dimensions. */
export interface MLModelTensor {
  data: ArrayBufferView;
  dimensions: readonly number[];
}

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

const isModelTensor = (value: unknown): value is MLModelTensor =>
  typeof value === 'object' && value !== null && ArrayBuffer.isView((value as MLModelTensor).data) &&
  Array.isArray((value as MLModelTensor).dimensions);

const CREATE_MODEL = Symbol('MLModel');

export class MLModel {
  readonly #context: WebNNContext;
  readonly #graph: WebNNGraph;
  readonly #inputs: readonly MLTensorInfo[];
  readonly #outputs: readonly MLTensorInfo[];
  #tensors: Promise<{ inputs: Record<string, WebNNTensor>; outputs: Record<string, WebNNTensor> }> | null = null;

  /** Made by MLModelLoader.load() only: the draft gives MLModel no constructor. */
  constructor(...args: unknown[]) {
    const [token, context, graph, inputs, outputs] =
      args as [unknown, WebNNContext, WebNNGraph, readonly MLTensorInfo[], readonly MLTensorInfo[]];
    if (token !== CREATE_MODEL) throw new TypeError('Illegal constructor');
    this.#context = context;
    this.#graph = graph;
    this.#inputs = inputs;
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
  async compute(inputs: Record<string, MLModelTensor> | MLModelTensor): Promise<Record<string, MLModelTensor>> {
    const named: Record<string, MLModelTensor> = isModelTensor(inputs) && this.#inputs.length === 1 && !(this.#inputs[0]!.name in inputs)
      ? { [this.#inputs[0]!.name]: inputs }
      : inputs as Record<string, MLModelTensor>;
    for (const info of this.#inputs) {
      const given = named[info.name];
      if (!isModelTensor(given)) throw new TypeError(`compute(): input '${info.name}' is missing`);
      if (given.dimensions.join() !== info.dimensions.join()) {
        throw new TypeError(`compute(): input '${info.name}' has dimensions [${given.dimensions.join(', ')}], not [${info.dimensions.join(', ')}]`);
      }
    }
    this.#tensors ??= this.#createTensors();
    const tensors = await this.#tensors;
    // Every step is queued before the first wait, so that calls made meanwhile queue behind this one's reads.
    for (const info of this.#inputs) this.#context.writeTensor(tensors.inputs[info.name]!, named[info.name]!.data);
    this.#context.dispatch(this.#graph, tensors.inputs, tensors.outputs);
    const reads = this.#outputs.map((o) => this.#context.readTensor(tensors.outputs[o.name]!));
    const buffers = await Promise.all(reads);
    return Object.fromEntries(this.#outputs.map((o, k) => [o.name, { data: viewFor(o.type, buffers[k]!), dimensions: [...o.dimensions] }]));
  }

  /** Computes on MLTensors the caller made on the model's context (WebNN's dispatch on the model's graph). */
  dispatch(inputs: Record<string, WebNNTensor>, outputs: Record<string, WebNNTensor>): void {
    this.#context.dispatch(this.#graph, inputs, outputs);
  }

  /** Releases the graph and the tensors compute() made. */
  destroy(): void {
    this.#graph.destroy();
    const tensors = this.#tensors;
    this.#tensors = null;
    void tensors?.then((t) => {
      for (const tensor of [...Object.values(t.inputs), ...Object.values(t.outputs)]) tensor.destroy();
    });
  }

  async #createTensors() {
    const make = async (list: readonly MLTensorInfo[], access: { readable?: boolean; writable?: boolean }) =>
      Object.fromEntries(await Promise.all(list.map(async (info) => [info.name, await this.#context.createTensor({
        dataType: info.type, shape: [...info.dimensions], ...access,
      })] as const)));
    const [inputs, outputs] = await Promise.all([make(this.#inputs, { writable: true }), make(this.#outputs, { readable: true })]);
    return { inputs, outputs };
  }
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
    const info = (d: { name: string; dataType: OperandDataType; shape: readonly number[] }): MLTensorInfo =>
      ({ name: d.name, type: d.dataType, dimensions: [...d.shape] });
    return new MLModel(CREATE_MODEL, this.#context, graph, imported.inputs.map(info), imported.outputs.map(info));
  }
}

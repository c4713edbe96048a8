/**
 * The wasi-nn state and computation over WebNN: graphs loaded from ONNX through the Model Loader, execution contexts
 * holding inputs and outputs. Asynchronous, as WebNN is; the two call paths (JSPI, worker) make it synchronous for the
 * module. Every failure is answered with an errno: nothing is thrown into the module.
 */
import { ModelLoader, type MLModel, type MLModelLoadOptions } from '../model-loader/index.js';
import { ExecutionTarget, GraphEncoding, NnErrno } from './abi.js';
import type { GuestTensor, WasiNnRequest, WasiNnResponse } from './calls.js';
import { dataTypeOf, errnoOfLoadError } from './tensor-types.js';

type LoaderContext = ConstructorParameters<typeof ModelLoader>[0];

/** WebNN's MLContextOptions.deviceType, the hint an $execution_target maps to. */
export type DeviceType = 'cpu' | 'gpu' | 'npu';

export interface WasiNnHostOptions {
  /**
   * Makes the WebNN context of a device type (once per target); by default navigator.ml.createContext({ deviceType }),
   * a browser's WebNN or the polyfill's once installed.
   */
  createContext?: (options: { deviceType: DeviceType }) => Promise<LoaderContext>;
  /** Models load_by_name() finds, ONNX bytes by name. */
  namedModels?: Record<string, Uint8Array | ArrayBuffer>;
  /** Passed to the importer, e.g. sizes of free dimensions. */
  loadOptions?: MLModelLoadOptions;
}

const DEVICE_TYPES: Record<number, DeviceType> = {
  [ExecutionTarget.cpu]: 'cpu',
  [ExecutionTarget.gpu]: 'gpu',
  [ExecutionTarget.tpu]: 'npu',
};

interface ExecutionContext {
  model: MLModel;
  inputs: (GuestTensor | undefined)[];
  outputs: Uint8Array[] | null;
}

const defaultCreateContext = (options: { deviceType: DeviceType }): Promise<LoaderContext> => {
  const ml = (globalThis as { navigator?: { ml?: { createContext(o: object): Promise<LoaderContext> } } }).navigator?.ml;
  if (!ml) return Promise.reject(new TypeError('no navigator.ml: pass createContext to the wasi-nn host'));
  return ml.createContext(options);
};

const bytesOf = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

export class WasiNnHost {
  readonly #createContext: (options: { deviceType: DeviceType }) => Promise<LoaderContext>;
  readonly #namedModels: Record<string, Uint8Array | ArrayBuffer>;
  readonly #loadOptions: MLModelLoadOptions;
  readonly #contexts = new Map<DeviceType, Promise<LoaderContext>>();
  readonly #graphs = new Map<number, MLModel>();
  readonly #executionContexts = new Map<number, ExecutionContext>();
  #nextHandle = 0;

  constructor(options: WasiNnHostOptions = {}) {
    this.#createContext = options.createContext ?? defaultCreateContext;
    this.#namedModels = options.namedModels ?? {};
    this.#loadOptions = options.loadOptions ?? {};
  }

  /** Answers one call. Never rejects. */
  async call(request: WasiNnRequest): Promise<WasiNnResponse> {
    try {
      switch (request.call) {
        case 'load': return await this.#load(request.builders, request.encoding, request.target);
        case 'load_by_name': return await this.#loadByName(request.name);
        case 'init_execution_context': return this.#initExecutionContext(request.graph);
        case 'set_input': return this.#setInput(request.context, request.index, request.tensor);
        case 'compute': return await this.#compute(request.context);
        case 'get_output': return this.#getOutput(request.context, request.index, request.maxSize);
      }
    } catch {
      return { errno: NnErrno.runtimeError };
    }
  }

  /** Releases every graph the module loaded (their WebNN graphs and tensors). */
  destroy(): void {
    for (const model of this.#graphs.values()) model.destroy();
    this.#graphs.clear();
    this.#executionContexts.clear();
  }

  async #load(builders: Uint8Array[], encoding: number, target: number): Promise<WasiNnResponse> {
    const deviceType = DEVICE_TYPES[target];
    if (deviceType === undefined || !Object.values(GraphEncoding).includes(encoding as never)) return { errno: NnErrno.invalidArgument };
    if (encoding !== GraphEncoding.onnx) return { errno: NnErrno.invalidEncoding };
    // An ONNX model is one ModelProto, so one builder.
    if (builders.length !== 1) return { errno: NnErrno.invalidArgument };
    return this.#loadOnnx(builders[0]!, deviceType);
  }

  async #loadByName(name: string): Promise<WasiNnResponse> {
    const bytes = Object.hasOwn(this.#namedModels, name) ? this.#namedModels[name] : undefined;
    if (bytes === undefined) return { errno: NnErrno.notFound };
    return this.#loadOnnx(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), 'cpu');
  }

  async #loadOnnx(bytes: Uint8Array, deviceType: DeviceType): Promise<WasiNnResponse> {
    let context: LoaderContext;
    try {
      context = await this.#contextFor(deviceType);
    } catch {
      return { errno: NnErrno.runtimeError };
    }
    let model: MLModel;
    try {
      model = await new ModelLoader(context).load(bytes, this.#loadOptions);
    } catch (error) {
      return { errno: errnoOfLoadError(error) };
    }
    const handle = this.#nextHandle++;
    this.#graphs.set(handle, model);
    return { errno: NnErrno.success, handle };
  }

  #contextFor(deviceType: DeviceType): Promise<LoaderContext> {
    let context = this.#contexts.get(deviceType);
    if (!context) {
      context = this.#createContext({ deviceType });
      this.#contexts.set(deviceType, context);
      // A failed creation is not kept: a later load tries again.
      context.catch(() => this.#contexts.delete(deviceType));
    }
    return context;
  }

  #initExecutionContext(graph: number): WasiNnResponse {
    const model = this.#graphs.get(graph);
    if (!model) return { errno: NnErrno.invalidArgument };
    const handle = this.#nextHandle++;
    this.#executionContexts.set(handle, { model, inputs: model.inputs().map(() => undefined), outputs: null });
    return { errno: NnErrno.success, handle };
  }

  #setInput(context: number, index: number, tensor: GuestTensor): WasiNnResponse {
    const execution = this.#executionContexts.get(context);
    const info = execution?.model.inputs()[index];
    if (!execution || !info) return { errno: NnErrno.invalidArgument };
    const dataType = dataTypeOf(tensor.type);
    if (dataType === undefined) return { errno: NnErrno.unsupportedOperation };
    const elements = tensor.dimensions.reduce((a, b) => a * b, 1);
    // A named dimension (the model's free dimension, under the dynamic-shape proposal) takes the size the guest gives;
    // compute() checks that one name gets one size.
    const dimensionsMatch = tensor.dimensions.length === info.dimensions.length &&
      info.dimensions.every((d, k) => (typeof d === 'string' ? tensor.dimensions[k]! > 0 : d === tensor.dimensions[k]));
    const matches = dataType.name === info.type && dimensionsMatch && tensor.data.byteLength === elements * dataType.bytes;
    if (!matches) return { errno: NnErrno.invalidArgument };
    execution.inputs[index] = tensor;
    return { errno: NnErrno.success };
  }

  async #compute(context: number): Promise<WasiNnResponse> {
    const execution = this.#executionContexts.get(context);
    if (!execution) return { errno: NnErrno.invalidArgument };
    const infos = execution.model.inputs();
    if (execution.inputs.some((t) => t === undefined)) return { errno: NnErrno.invalidArgument };
    const named = Object.fromEntries(infos.map((info, k) => {
      const given = execution.inputs[k]!;
      return [info.name, { data: given.data, dimensions: given.dimensions }];
    }));
    let results: Awaited<ReturnType<typeof execution.model.compute>>;
    try {
      results = await execution.model.compute(named);
    } catch (error) {
      // Sizes the model cannot take (one name given two sizes, a size outside its bounds) are the guest's arguments.
      if (error instanceof TypeError) return { errno: NnErrno.invalidArgument };
      throw error;
    }
    execution.outputs = execution.model.outputs().map((info) => bytesOf(results[info.name]!.data));
    return { errno: NnErrno.success };
  }

  #getOutput(context: number, index: number, maxSize: number): WasiNnResponse {
    const bytes = this.#executionContexts.get(context)?.outputs?.[index];
    if (bytes === undefined) return { errno: NnErrno.invalidArgument };
    if (bytes.byteLength > maxSize) return { errno: NnErrno.tooLarge };
    return { errno: NnErrno.success, bytes };
  }
}

/**
 * The graph the script-tag tests run: relu(conv2d(x, constant w, padding 1) + b), written against whatever global
 * the polyfill was loaded into (an iframe's window, or a worker, which receives this function as source text: so it
 * must not use anything from outside its own body).
 */
export interface ConvAddReluData {
  x: number[]; w: number[]; b: number[];
  xShape: number[]; wShape: number[]; bShape: number[];
}

interface OperandLike { readonly shape: readonly number[] }
interface BuilderLike {
  input(name: string, desc: object): OperandLike;
  constant(desc: object, data: ArrayBufferView): OperandLike;
  conv2d(input: OperandLike, filter: OperandLike, options: object): OperandLike;
  add(a: OperandLike, b: OperandLike): OperandLike;
  relu(a: OperandLike): OperandLike;
  build(outputs: Record<string, OperandLike>): Promise<{ destroy(): void }>;
}
interface TensorLike { destroy(): void }
export interface ContextLike {
  createTensor(desc: object): Promise<TensorLike>;
  writeTensor(t: TensorLike, data: ArrayBufferView): void;
  readTensor(t: TensorLike): Promise<ArrayBuffer>;
  readTensor(t: TensorLike, out: ArrayBufferView): Promise<undefined>;
  dispatch(graph: object, inputs: Record<string, TensorLike>, outputs: Record<string, TensorLike>): void;
  destroy(): void;
}

/** A global the script bundle was loaded into (window of an iframe, or a worker's self). */
export interface PolyfillScope {
  navigator: { ml: { createContext(options?: object): Promise<ContextLike> } };
  ML?: new () => object;
  MLContext?: new () => object;
  MLGraph?: new () => object;
  MLGraphBuilder?: new (context: ContextLike) => BuilderLike;
  MLOperand?: new () => object;
  MLTensor?: new () => object;
  Float32Array: Float32ArrayConstructor;
  WebNNPolyfill?: { whenInstalled: Promise<unknown> };
  frameElement?: Element | null;
  /** Set by the tests' stand-in for a native navigator.ml. */
  fakeML?: unknown;
  nativeBuilder?: unknown;
}

export async function runConvAddRelu(scope: PolyfillScope, backend: string, d: ConvAddReluData):
  Promise<{ shape: number[]; data: number[] }> {
  const ctx = await scope.navigator.ml.createContext({ tfjsBackend: backend });
  try {
    const builder = new scope.MLGraphBuilder!(ctx);
    const f32 = (values: number[]) => new scope.Float32Array(values);
    const x = builder.input('x', { dataType: 'float32', shape: d.xShape });
    const b = builder.input('b', { dataType: 'float32', shape: d.bShape });
    const w = builder.constant({ dataType: 'float32', shape: d.wShape }, f32(d.w));
    const y = builder.relu(builder.add(builder.conv2d(x, w, { padding: [1, 1, 1, 1] }), b));
    const graph = await builder.build({ y });
    const tx = await ctx.createTensor({ dataType: 'float32', shape: d.xShape, writable: true });
    const tb = await ctx.createTensor({ dataType: 'float32', shape: d.bShape, writable: true });
    const ty = await ctx.createTensor({ dataType: 'float32', shape: [...y.shape], readable: true });
    ctx.writeTensor(tx, f32(d.x));
    ctx.writeTensor(tb, f32(d.b));
    ctx.dispatch(graph, { x: tx, b: tb }, { y: ty });
    const out = new scope.Float32Array(await ctx.readTensor(ty));
    graph.destroy();
    return { shape: [...y.shape], data: Array.from(out) };
  } finally {
    ctx.destroy();
  }
}

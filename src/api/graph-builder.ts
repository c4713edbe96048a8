import { invalidStateError, operationError, typeError } from '../errors.js';
import { reachableGraph } from '../graph/compile.js';
import { optimizeGraph } from '../graph/passes/pipeline.js';
import { elementCount, nextId, type GraphNode, type OperandDescriptor, type OperandRef } from '../graph/ir.js';
import { Plan } from '../graph/plan.js';
import type { BuilderInternals } from '../ops/builder-internals.js';
import { checkDimensions } from '../ops/check-dimensions.js';
import { OpCall } from '../ops/op-call.js';
/** @internal Registers the operations; the public declarations do not need them. */
import '../ops/index.js';
import { allOps, limitsOf } from '../ops/registry.js';
import { tf } from '../runtime/backends.js';
import { castNumberExact } from '../types/cast-number.js';
import { bytesToHost } from '../types/convert.js';
import { HostTensor, isHostTensor, isHostType } from '../types/host-tensor.js';
import type { Value } from '../graph/plan.js';
import { bytesToStorage, storageToBytes } from '../types/convert.js';
import { bufferMismatch, byteSizeOf, copyBytes, isBufferSource, storageDtypeOf, type MLOperandDataType } from '../types/data-type.js';
import type { MLNumber } from './builder-methods.js';
import type { AllowSharedBufferSource, MLContext } from './context.js';
import { toOperandDescriptor, type MLOperandDescriptor } from './descriptor.js';
import { createGraphObject, type MLGraph } from './graph.js';
import { rehearseFirstDispatch } from './dispatch-rehearsal.js';
import { finishInterface, promiseFrom } from './interface.js';
import { contextSlots, GraphState, Slots, tensorSlots, type ContextState } from './internals.js';
import { IO_DATA_TYPES } from './limits.js';
import { asOperandRef, createOperand, MLOperand, mlOperands, operandRef } from './operand.js';
import { dynamicShapesEnabled, whenDynamicShapesChange } from './proposal.js';
import { ValueEvaluator } from '../dynamic/values.js';
import { addBounds, isStatic, toSymbolicDescriptor, type DimBounds } from '../dynamic/dims.js';
import { SymbolicBuilder } from '../dynamic/symbolic-builder.js';
import { DynamicGraph } from '../dynamic/dynamic-graph.js';
import { specialize, type SymbolicGraph } from '../dynamic/specialize.js';
import type { MLTensor } from './tensor.js';
import { requireArgs, toDataType, toMLNumber, toRecord, toUSVString } from '../webidl.js';

/** Record<USVString, MLOperand>. */
export type MLNamedOperands = Record<string, MLOperand>;

class BuilderState implements BuilderInternals {
  hasBuilt = false;
  readonly inputNames = new Set<string>();
  /** Present when the builder was made with the dynamic-shape proposal on: its operands have symbolic shapes. */
  readonly symbolic: SymbolicBuilder | null;
  /** The bounds of `{name, maxSize}` input dimensions, by name. */
  readonly bounds = new Map<string, DimBounds>();
  readonly operands = mlOperands;

  /** `contextObject` is the MLContext whose state is `context`. */
  constructor(readonly owner: MLGraphBuilder, readonly context: ContextState, readonly contextObject: MLContext) {
    this.symbolic = dynamicShapesEnabled() ? new SymbolicBuilder(this) : null;
  }

  get backend() {
    return this.context.backend;
  }

  /** Why the builder "can not build" (built already, or its context lost), or null when it can. */
  cannotBuildReason(): string | null {
    if (this.hasBuilt) return 'build() has already been called on this builder';
    if (this.context.isLost) return 'the context is lost';
    return null;
  }

  checkCanBuild(where: string): void {
    const reason = this.cannotBuildReason();
    if (reason) throw invalidStateError(where, reason);
  }

  asOperand(value: unknown): MLOperand | null {
    return value instanceof MLOperand && asOperandRef(value) ? value : null;
  }

  owns(operand: MLOperand): boolean {
    return operandRef(operand).builder === this.owner;
  }

  checkDimensions(where: string, descs: readonly OperandDescriptor[]): void {
    for (const d of descs) checkDimensions(where, d, 'output shape', false, this.context.maxTensorByteLength);
  }

  readonly #values = new ValueEvaluator(() => undefined);

  valuesOf(operand: MLOperand): readonly number[] {
    return this.#values.valueOf(operandRef(operand));
  }

  makeOperand(desc: OperandDescriptor, source: OperandRef['source']): MLOperand {
    const frozen = { dataType: desc.dataType, shape: Object.freeze([...desc.shape]) };
    const ref: OperandRef = this.symbolic ? { id: nextId(), builder: this.owner, desc: frozen, source, dims: frozen.shape }
      : { id: nextId(), builder: this.owner, desc: frozen, source };
    return createOperand(ref);
  }

  addNode(op: string, inputs: readonly (MLOperand | null)[], attrs: Record<string, unknown>,
    outputs: readonly OperandDescriptor[], label: string): MLOperand[] {
    const node: GraphNode = {
      id: nextId(), op, inputs: inputs.map((x) => (x ? operandRef(x) : null)), attrs, outputs: [], label,
    };
    return outputs.map((desc, index) => {
      const operand = this.makeOperand(desc, { kind: 'node', node, index });
      node.outputs.push(operandRef(operand));
      return operand;
    });
  }
}

const builderSlots = new Slots<BuilderState>('MLGraphBuilder');

function state(builder: unknown, where: string): BuilderState {
  return builderSlots.get(builder, where);
}

function checkIoType(where: string, desc: OperandDescriptor, name: string): void {
  if (!IO_DATA_TYPES.includes(desc.dataType)) {
    throw typeError(where, `${name} ${desc.dataType} is not supported (supported: ${IO_DATA_TYPES.join(', ')})`);
  }
}

/** The MLTensor behind a constant(tensor) operand; the operand holds the MLTensor itself, as [[constantTensor]]. */
function constantTensorState(ref: OperandRef) {
  return ref.source.kind === 'constant-tensor' ? tensorSlots.find(ref.source.tensor) ?? null : null;
}

/**
 * The operation methods (conv2d, add, ...) are installed on the prototype from the operation table below; the
 * package entry (src/index.ts) exports this class typed with their declarations (MLGraphBuilderMethods).
 */
export class MLGraphBuilder {
  /** Throws an InvalidStateError when `context` is lost. */
  constructor(context: MLContext) {
    const where = 'MLGraphBuilder constructor';
    requireArgs(where, arguments, 1);
    const ctx = contextSlots.get(context, `${where}: context`);
    if (ctx.isLost) throw invalidStateError(where, 'the context is lost');
    builderSlots.set(this, new BuilderState(this, ctx, context));
  }

  /** A graph input, bound by name in MLContext.dispatch(). */
  input(name: string, descriptor: MLOperandDescriptor): MLOperand {
    const where = 'MLGraphBuilder.input';
    requireArgs(where, arguments, 2);
    const s = state(this, where);
    const inputName = toUSVString(where, 'name', name);
    if (s.symbolic) return symbolicInput(s, where, inputName, descriptor);
    const desc = toOperandDescriptor(where, 'descriptor', descriptor);
    s.checkCanBuild(where);
    if (inputName === '') throw typeError(where, 'name must not be empty');
    if (s.inputNames.has(inputName)) throw typeError(where, `an input named '${inputName}' already exists`);
    checkDimensions(where, desc, 'descriptor.shape', true, s.context.maxTensorByteLength);
    checkIoType(where, desc, 'descriptor.dataType');
    s.inputNames.add(inputName);
    return s.makeOperand(desc, { kind: 'input', name: inputName });
  }

  /** A constant holding a copy (made now) of `buffer`. */
  constant(descriptor: MLOperandDescriptor, buffer: AllowSharedBufferSource): MLOperand;
  /** A scalar constant: `value` cast to `dataType`. */
  constant(dataType: MLOperandDataType, value: MLNumber): MLOperand;
  /** A constant backed by a tensor from MLContext.createConstantTensor(); the graph keeps its data after the tensor's
   * destroy(). */
  constant(tensor: MLTensor): MLOperand;
  constant(first: unknown, ...rest: unknown[]): MLOperand {
    const where = 'MLGraphBuilder.constant';
    const second = rest[0];
    requireArgs(where, arguments, 1);
    const s = state(this, where);
    if (arguments.length === 1) return constantFromTensor(s, where, first);
    // WebIDL overload resolution: undefined, null and objects select the dictionary, anything else the enum.
    if (first === undefined || first === null || typeof first === 'object' || typeof first === 'function') {
      return constantFromBuffer(s, where, first, second);
    }
    const dataType = toDataType(where, 'dataType', first);
    const value = toMLNumber(where, 'value', second);
    s.checkCanBuild(where);
    const desc = { dataType, shape: [] };
    checkIoType(where, desc, 'dataType');
    const bytes = new Uint8Array(byteSizeOf(dataType));
    const cast = castNumberExact(value, dataType);
    if (typeof cast === 'bigint') new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, cast), true);
    else if (dataType === 'uint32') new DataView(bytes.buffer).setUint32(0, cast, true);
    else storageToBytes([cast], dataType, bytes);
    return s.makeOperand(desc, { kind: 'constant', bytes });
  }

  /**
   * Compiles the graph that computes `outputs`: only the inputs they depend on become the graph's inputs. Rejects an
   * InvalidStateError when the builder has built already or its context is lost, a TypeError for invalid outputs, an
   * OperationError when compilation fails.
   */
  build(outputs: MLNamedOperands): Promise<MLGraph> {
    const where = 'MLGraphBuilder.build';
    const args = arguments;
    return promiseFrom(() => {
      requireArgs(where, args, 1);
      const s = state(this, where);
      const named = toRecord(where, 'outputs', outputs, (v, key) => {
        const ref = asOperandRef(v);
        if (!(v instanceof MLOperand) || !ref) throw typeError(where, `outputs['${key}'] is not an MLOperand`);
        return ref;
      });
      s.checkCanBuild(where);
      if (named.size === 0) throw typeError(where, 'outputs must not be empty');
      for (const [name, ref] of named) {
        if (name === '') throw typeError(where, 'an output name must not be empty');
        if (ref.builder !== this) throw typeError(where, `outputs['${name}'] was created by another MLGraphBuilder`);
        if (ref.source.kind !== 'node') {
          throw typeError(where, `outputs['${name}'] is a graph ${ref.source.kind === 'input' ? 'input' : 'constant'}; use identity()`);
        }
      }
      const { order, inputs } = reachableGraph(named.values());
      for (const node of order) {
        for (const ref of node.inputs) {
          if (ref && constantTensorState(ref)?.destroyed) {
            throw typeError(where, `a constant tensor used by ${node.op} has been destroyed`);
          }
        }
      }
      s.hasBuilt = true;
      const ctx = s.context;
      if (s.symbolic) {
        const symbolic = { order, inputs, outputs: named, bounds: new Map(s.bounds), maxTensorByteLength: ctx.maxTensorByteLength };
        return buildSymbolic(s, where, symbolic);
      }
      return ctx.enqueue(where, () => {
        let plan: Plan;
        try {
          plan = new Plan(tf, ctx.backend, optimizeGraph(order, named), inputs, named, uploadConstant);
        } catch (error) {
          throw operationError(where, error instanceof Error ? error.message : String(error));
        }
        return warmedUpGraph(ctx, plan, new Map([...inputs].map(([name, ref]) => [name, ref.desc])),
          new Map([...named].map(([name, ref]) => [name, ref.desc])));
      }).then((ready) => rehearsed(s, ready));
    });
  }
}

/** input() with the dynamic-shape proposal on: dimensions may be names, or bounded names. */
function symbolicInput(s: BuilderState, where: string, inputName: string, descriptor: unknown): MLOperand {
  const symbolic = toSymbolicDescriptor(where, 'descriptor', descriptor);
  s.checkCanBuild(where);
  if (inputName === '') throw typeError(where, 'name must not be empty');
  if (s.inputNames.has(inputName)) throw typeError(where, `an input named '${inputName}' already exists`);
  const { dataType, dims } = symbolic;
  if (isStatic(dims)) {
    checkDimensions(where, { dataType, shape: dims }, 'descriptor.shape', true, s.context.maxTensorByteLength);
  } else {
    // The sizes of named dimensions are checked at dispatch; the rank and the static sizes now.
    const staticPart = dims.map((d) => (typeof d === 'number' ? d : 1));
    checkDimensions(where, { dataType, shape: staticPart }, 'descriptor.shape', true, s.context.maxTensorByteLength);
  }
  checkIoType(where, { dataType, shape: [] }, 'descriptor.dataType');
  for (const [name, b] of symbolic.bounds) {
    if (!addBounds(s.bounds, name, b)) throw typeError(where, `the bounds of dimension '${name}' contradict those given before`);
  }
  s.inputNames.add(inputName);
  const frozen = { dataType, shape: isStatic(dims) ? dims : Object.freeze([] as number[]) };
  return createOperand({ id: nextId(), builder: s.owner, desc: frozen, source: { kind: 'input', name: inputName }, dims });
}

function constantFromTensor(s: BuilderState, where: string, value: unknown): MLOperand {
  const t = tensorSlots.get(value, `${where}: tensor`);
  if (t.context !== s.context) throw typeError(where, 'tensor belongs to another MLContext');
  if (t.destroyed) throw typeError(where, 'tensor has been destroyed');
  if (!t.constant) throw typeError(where, 'tensor was not created by createConstantTensor()');
  s.checkCanBuild(where);
  return s.makeOperand(t.desc, { kind: 'constant-tensor', tensor: value as object });
}

function constantFromBuffer(s: BuilderState, where: string, descriptor: unknown, buffer: unknown): MLOperand {
  const desc = toOperandDescriptor(where, 'descriptor', descriptor);
  if (!isBufferSource(buffer)) throw typeError(where, 'buffer is not an ArrayBuffer, SharedArrayBuffer or ArrayBufferView');
  s.checkCanBuild(where);
  checkDimensions(where, desc, 'descriptor.shape', true, s.context.maxTensorByteLength);
  checkIoType(where, desc, 'descriptor.dataType');
  const mismatch = bufferMismatch(buffer, desc.dataType, elementCount(desc.shape));
  if (mismatch) throw typeError(where, `buffer: ${mismatch}`);
  return s.makeOperand(desc, { kind: 'constant', bytes: copyBytes(buffer) });
}

/**
 * build() with the dynamic-shape proposal on. A graph whose inputs are all static is made concrete and compiled now, as
 * without the proposal; otherwise per set of input shapes, at computeShapes() or dispatch().
 */
function buildSymbolic(s: BuilderState, where: string, symbolic: SymbolicGraph): Promise<MLGraph> {
  const ctx = s.context;
  const inputDescs = new Map([...symbolic.inputs].map(([name, ref]) => [name, ref.desc]));
  const staticShapes = [...symbolic.inputs].every(([, ref]) => isStatic(ref.dims))
    ? new Map([...symbolic.inputs].map(([name, ref]) => [name, ref.desc.shape])) : null;
  if (!staticShapes) {
    const dynamic = new DynamicGraph(symbolic, s.owner, mlOperands, ctx.backend, uploadConstant);
    const outputDescs = new Map([...symbolic.outputs].map(([name, ref]) => [name, ref.desc]));
    return ctx.enqueue(where, () => createGraphObject(new GraphState(ctx, null, inputDescs, outputDescs, dynamic)));
  }
  // Inputs only shape() reads are not inputs of the concrete graph, but remain the graph's inputs to bind.
  const concrete = specialize({ owner: s.owner, backend: ctx.backend, operands: mlOperands, cannotBuildReason: () => null }, symbolic, staticShapes);
  return ctx.enqueue(where, () => {
    let plan: Plan;
    try {
      plan = new Plan(tf, ctx.backend, optimizeGraph(concrete.order, concrete.outputs), concrete.inputs, concrete.outputs, uploadConstant);
    } catch (error) {
      throw operationError(where, error instanceof Error ? error.message : String(error));
    }
    const outputDescs = new Map([...concrete.outputs].map(([name, ref]) => [name, ref.desc]));
    return warmedUpGraph(ctx, plan, inputDescs, outputDescs);
  }).then((ready) => rehearsed(s, ready));
}

interface ReadyGraph {
  readonly graph: MLGraph;
  readonly state: GraphState;
}

/** The graph of a compiled plan, made once the plan's warm-up is done (on webgl and webgpu it ends with a read back). */
function warmedUpGraph(ctx: ContextState, plan: Plan, inputs: ReadonlyMap<string, OperandDescriptor>,
  outputs: ReadonlyMap<string, OperandDescriptor>): ReadyGraph | Promise<ReadyGraph> {
  const ready = () => {
    const state = new GraphState(ctx, plan, inputs, outputs);
    return { graph: createGraphObject(state), state };
  };
  const warming = plan.warmUp();
  return warming ? warming.then(ready) : ready();
}

/** The graph, after the first of its backend has rehearsed a dispatch (api/dispatch-rehearsal.ts). */
async function rehearsed(s: BuilderState, { graph, state }: ReadyGraph): Promise<MLGraph> {
  await rehearseFirstDispatch(s.contextObject, s.context, graph, state);
  return graph;
}

function uploadConstant(ref: OperandRef): Value {
  const { dataType, shape } = ref.desc;
  if (ref.source.kind === 'constant') {
    if (isHostType(dataType)) return new HostTensor(dataType, shape, bytesToHost(ref.source.bytes, dataType));
    return tf.tensor(bytesToStorage(ref.source.bytes, dataType), shape as number[], storageDtypeOf(dataType));
  }
  const data = constantTensorState(ref)?.data;
  if (!data) throw new Error('a constant tensor of the graph has been destroyed');
  // The clone shares the backend buffer and keeps it alive after MLTensor.destroy().
  return isHostTensor(data) ? data.clone() : data.clone();
}

/** The operation methods come from the operation table, so builder and table cannot disagree. */
function operationMethod(op: ReturnType<typeof allOps>[number]): PropertyDescriptor {
  const method = op.method!;
  const fn = {
    [op.name](this: MLGraphBuilder, ...args: unknown[]): unknown {
      requireArgs(`MLGraphBuilder.${op.name}`, args, method.length);
      const s = state(this, `MLGraphBuilder.${op.name}`);
      if (s.symbolic) return s.symbolic.call(op.name, args);
      const call = new OpCall(s, op.name, limitsOf(op, s.backend), args[method.optionsIndex]);
      return method.build(call, ...args);
    },
  }[op.name]!;
  Object.defineProperty(fn, 'length', { value: method.length });
  return { value: fn, writable: true, configurable: true, enumerable: true };
}

for (const op of allOps()) {
  if (op.method && !op.proposal) Object.defineProperty(MLGraphBuilder.prototype, op.name, operationMethod(op));
}
whenDynamicShapesChange((enabled) => {
  for (const op of allOps()) {
    if (!op.method || !op.proposal) continue;
    if (enabled) Object.defineProperty(MLGraphBuilder.prototype, op.name, operationMethod(op));
    else delete (MLGraphBuilder.prototype as unknown as Record<string, unknown>)[op.name];
  }
});
finishInterface(MLGraphBuilder, 'MLGraphBuilder');

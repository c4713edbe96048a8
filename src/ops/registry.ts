/**
 * The operation table. Each entry, written once in its own file, carries the three things that must agree:
 * the builder step (WebIDL conversion, the spec's validation, shape and type inference), the supported limits
 * (what opSupportLimits() reports and the builder accepts), and the lowering to TF.js kernels.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { BackendName } from '../runtime/backends.js';
import type { MLOperandDataType } from '../types/data-type.js';
import type { OperandDescriptor } from '../graph/ir.js';
import type { OpCall } from './op-call.js';
import type { TensorLimit } from './tensor-limit.js';
import type { HostTensor } from '../types/host-tensor.js';

export type Tensor = tfc.Tensor;
export type TF = typeof tfc;

export type { TensorLimit };

export interface LowerEnv {
  readonly tf: TF;
  readonly backend: BackendName;
  /** Descriptors of the node's inputs (null where an optional input is absent) and outputs. */
  readonly inputs: readonly (OperandDescriptor | null)[];
  readonly outputs: readonly OperandDescriptor[];
}

/** The TF.js part: tensors are in storage dtype (float32 for float types, int32 for integer types). */
export type Lowering<A> = (inputs: readonly (Tensor | null)[], attrs: A, env: LowerEnv) => Tensor | Tensor[];

/**
 * The host part, for nodes reading or writing uint32, int64 or uint64 (types/host-tensor.ts): every input arrives as a
 * host array of its data type (hostArrayOf), every output must be one.
 */
export type HostLowering<A> = (inputs: readonly (HostTensor | null)[], attrs: A, env: LowerEnv) => HostTensor | HostTensor[];

/**
 * How a node computes the same values on data held transposed (graph/passes/layout.ts). `perm` says how: the data is
 * transpose(logical, perm), so physical axis k is logical axis perm[k]. Returns the attributes for that data and, per
 * output, the permutation its result comes out in; null when the node cannot work on data in that order.
 */
export interface LayoutEnv {
  readonly inputs: readonly (OperandDescriptor | null)[];
  readonly outputs: readonly OperandDescriptor[];
}

export interface LayoutRule<A> {
  /** The inputs (by position) held transposed; the others are read as they are. Absent: every input, broadcast to the output's rank. */
  readonly dataInputs?: readonly number[];
  /** The permutation the node's kernels want its data in (NHWC for an NCHW convolution); absent: no preference. */
  readonly preferred?: (attrs: A) => readonly number[] | null;
  readonly permute: (attrs: A, perm: readonly number[], env: LayoutEnv) =>
    { readonly attrs: A; readonly outputPerms: readonly (readonly number[])[] } | null;
}

export interface OpDefinition<A = Record<string, unknown>> {
  readonly name: string;
  /**
   * The MLGraphBuilder method: `length` is the IDL count of required arguments; `build` runs the spec's steps and
   * records nodes through `call`. Internal operations (used only inside other lowerings) have none.
   */
  readonly method?: {
    readonly length: number;
    /** Position of the options dictionary (whose `label` names the node in messages). */
    readonly optionsIndex: number;
    readonly build: (call: OpCall, ...args: unknown[]) => unknown;
  };
  /** Per MLOpSupportLimits member (input, filter, bias, output, ...). Absent for internal operations. */
  readonly limits?: Readonly<Record<string, TensorLimit>>;
  /** Narrower limits where a backend cannot compute a type exactly. */
  readonly backendLimits?: Partial<Record<BackendName, Readonly<Record<string, TensorLimit>>>>;
  readonly lower: Lowering<A>;
  /** Present on operations that can work on transposed data (graph/passes/layout.ts). */
  readonly layout?: LayoutRule<A>;
  /**
   * The lowering of nodes with a uint32, int64 or uint64 input or output; required where `limits` allow those types.
   * One that computes every type of the operation (host-kernels.ts takesAnyType) also runs nodes whose inputs a plan
   * holds on the host whatever their types.
   */
  readonly lowerHost?: HostLowering<A>;
  /** False for nodes whose results must not be computed once at build time even when all inputs are constant. */
  readonly foldable?: boolean;
  /**
   * True when, in a node without int32 outputs, the lowering reads its int32 inputs only as positions of elements
   * already within the dimensions of its other inputs (gather indices). Such positions stay below 2^24, exact in
   * float32, so a webgl context runs the node on webgl instead of moving its data to the cpu backend.
   */
  readonly int32InputsArePositions?: boolean;
  /**
   * Set on the operations of the dynamic-shape proposal: MLGraphBuilder has them, and opSupportLimits() reports them,
   * only while the proposal is switched on (api/proposal.ts).
   */
  readonly proposal?: 'dynamic-shapes';
  /**
   * With the dynamic-shape proposal on: the method argument (by position) whose last dimension must be static, as the
   * proposal requires of gatherND's and scatterND's indices.
   */
  readonly staticLastDimension?: { readonly argument: number; readonly name: string };
}

const table = new Map<string, OpDefinition<never>>();

export function defineOp<A>(definition: OpDefinition<A>): OpDefinition<A> {
  if (table.has(definition.name)) throw new Error(`operation ${definition.name} defined twice`);
  table.set(definition.name, definition as unknown as OpDefinition<never>);
  return definition;
}

export function getOp(name: string): OpDefinition<Record<string, unknown>> {
  const op = table.get(name);
  if (!op) throw new Error(`no operation ${name}`);
  return op as unknown as OpDefinition<Record<string, unknown>>;
}

export function allOps(): OpDefinition<Record<string, unknown>>[] {
  return [...table.values()] as unknown as OpDefinition<Record<string, unknown>>[];
}

/**
 * The limits of an operation on a backend. webgpu takes webgl's: the GPU lowerings' ranks, and every data type, as a
 * GPU context keeps int32 on the cpu backend and uint32, int64 and uint64 on the host (runtime/placement.ts).
 */
export function limitsOf(op: OpDefinition<never> | OpDefinition<Record<string, unknown>>, backend: BackendName):
  Readonly<Record<string, TensorLimit>> {
  const limitsBackend = backend === 'webgpu' ? 'webgl' : backend;
  return op.backendLimits?.[limitsBackend] ?? op.limits ?? {};
}

/** Common limit sets. */
export const FLOAT_TYPES: readonly MLOperandDataType[] = ['float32', 'float16'];
export const NUMERIC_TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
export const SIGNED_TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8'];
export const ANY_TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
/** Every data type: uint32, int64 and uint64 computed on the host (OpDefinition.lowerHost). */
export const ALL_TYPES: readonly MLOperandDataType[] =
  ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64', 'int8', 'uint8'];
/** The spec's data types of gather and scatter indices. */
export const INDEX_TYPES: readonly MLOperandDataType[] = ['int32', 'uint32', 'int64'];
export const MAX_RANK = 6;
/**
 * The rank of operations computed element by element on one input (and of reshape): beyond MAX_RANK they run on the
 * data flattened to one dimension (flattened()), which gives the same elements. Also the rank of graph inputs,
 * constants and MLTensors.
 */
export const MAX_FLAT_RANK = 8;

export function limit(dataTypes: readonly MLOperandDataType[], min = 0, max = MAX_RANK): TensorLimit {
  return { dataTypes, rankRange: [min, max] };
}

/** A lowering of an element-by-element operation whose first input is the data: run flattened beyond MAX_RANK. */
export function flattened<A>(lower: Lowering<A>): Lowering<A> {
  return (inputs, attrs, env) => {
    const x = inputs[0];
    if (!x || x.rank <= MAX_RANK) return lower(inputs, attrs, env);
    const result = lower([env.tf.reshape(x, [x.size]), ...inputs.slice(1)], attrs, env);
    return env.tf.reshape(result as Tensor, x.shape);
  };
}

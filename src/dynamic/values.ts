/**
 * The shape interpreter: the values of the small integer tensors that size the dynamic-shape operations (reshapeDynamic's
 * newShape, range's limit, ...). A value comes from a constant's bytes, a shape() node, or any operation whose inputs all
 * have values, computed at once on the CPU by the operation's own lowering (TF.js's cpu backend, or the host for uint32,
 * int64 and uint64), so the interpreter computes exactly what the graph would.
 */
import type { GraphNode, OperandRef } from '../graph/ir.js';
import { elementCount } from '../graph/ir.js';
import { ShapeValueError } from '../ops/builder-internals.js';
import { getOp, type LowerEnv, type Tensor } from '../ops/registry.js';
import { tf } from '../runtime/backends.js';
import { activateBackendNow, operationPlacement } from '../runtime/placement.js';
import { bytesToHost, bytesToStorage } from '../types/convert.js';
import { storageDtypeOf, type MLOperandDataType } from '../types/data-type.js';
import { float16BitsToNumber } from '../types/float16.js';
import { hostArrayOf, HostTensor, isHostTensor, isHostType, type HostValues } from '../types/host-tensor.js';

/** Values larger than this are not interpreted: shape arithmetic is a handful of elements. */
export const MAX_VALUE_ELEMENTS = 4096;

export function decodeValues(bytes: Uint8Array, dataType: MLOperandDataType): number[] {
  if (isHostType(dataType)) return Array.from(bytesToHost(bytes, dataType) as ArrayLike<number | bigint>, Number);
  if (dataType === 'float16') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.byteLength / 2 }, (_, i) => float16BitsToNumber(view.getUint16(2 * i, true)));
  }
  return Array.from(bytesToStorage(bytes, dataType));
}

function hostValues(dataType: MLOperandDataType, values: readonly number[]): HostValues {
  const array = hostArrayOf(dataType, values.length);
  if (array instanceof BigInt64Array || array instanceof BigUint64Array) values.forEach((v, i) => { array[i] = BigInt(v); });
  else array.set(values);
  return array;
}

function valuesOfResult(x: Tensor | HostTensor): number[] {
  if (isHostTensor(x)) return Array.from(x.values as ArrayLike<number | bigint>, Number);
  return Array.from(x.dataSync() as ArrayLike<number>);
}

/** Runs one node over known input values, on the host or on TF.js's cpu backend, and returns its outputs' values. */
function evaluateNode(node: GraphNode, inputs: readonly (readonly number[] | null)[]): number[][] {
  const op = getOp(node.op);
  const inputDescs = node.inputs.map((r) => r?.desc ?? null);
  const outputDescs = node.outputs.map((r) => r.desc);
  const env: LowerEnv = { tf, backend: 'cpu', inputs: inputDescs, outputs: outputDescs };
  // Where the plan would run it: on the host when it reads or writes uint32, int64 or uint64.
  if (operationPlacement('cpu', inputDescs, outputDescs) === 'host') {
    if (!op.lowerHost) throw new ShapeValueError(`${node.op} has no host lowering`);
    const hostInputs = inputs.map((v, i) => (v === null ? null
      : new HostTensor(inputDescs[i]!.dataType, inputDescs[i]!.shape, hostValues(inputDescs[i]!.dataType, v))));
    const result = op.lowerHost(hostInputs, node.attrs, env);
    return (Array.isArray(result) ? result : [result]).map(valuesOfResult);
  }
  const previous = tf.getBackend();
  activateBackendNow('cpu');
  try {
    return tf.tidy(() => {
      const tensors = inputs.map((v, i) => (v === null ? null
        : tf.tensor([...v], [...inputDescs[i]!.shape], storageDtypeOf(inputDescs[i]!.dataType))));
      const result = op.lower(tensors, node.attrs, env);
      return (Array.isArray(result) ? result : [result]).map(valuesOfResult);
    });
  } finally {
    if (previous) activateBackendNow(previous);
  }
}

/**
 * Values of the operands of one concrete graph, memoised. `leaf` gives the values the graph cannot compute itself (in a
 * build-time probe, those of the symbolic graph's operands) or throws a ShapeValueError saying why there is none.
 */
export class ValueEvaluator {
  readonly #cache = new Map<OperandRef, readonly number[]>();

  constructor(private readonly leaf: (ref: OperandRef) => readonly number[] | undefined) {}

  valueOf(ref: OperandRef): readonly number[] {
    const known = this.#cache.get(ref) ?? this.leaf(ref);
    if (known) return known;
    const count = elementCount(ref.desc.shape);
    if (count > MAX_VALUE_ELEMENTS) {
      throw new ShapeValueError(`cannot resolve shape: a value of ${count} elements is more than the ${MAX_VALUE_ELEMENTS} the shape interpreter computes`);
    }
    const source = ref.source;
    if (source.kind === 'constant') return this.#remember(ref, decodeValues(source.bytes, ref.desc.dataType));
    if (source.kind === 'input') {
      throw new ShapeValueError(`depends on the data of input '${source.name}'; shape values may be computed only from shape() and constants`);
    }
    if (source.kind === 'constant-tensor') {
      throw new ShapeValueError('cannot resolve shape: the data of a constant MLTensor is not readable while building');
    }
    const node = source.node;
    if (getOp(node.op).foldable === false) throw new ShapeValueError(`cannot resolve shape: ${node.op} is not a shape-interpreter operation`);
    const inputs = node.inputs.map((r) => (r ? this.valueOf(r) : null));
    let results: number[][];
    try {
      results = evaluateNode(node, inputs);
    } catch (error) {
      if (error instanceof ShapeValueError) throw error;
      throw new ShapeValueError(`cannot resolve shape: ${node.op} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    node.outputs.forEach((r, i) => this.#cache.set(r, results[i]!));
    return results[source.index]!;
  }

  #remember(ref: OperandRef, values: readonly number[]): readonly number[] {
    this.#cache.set(ref, values);
    return values;
  }
}

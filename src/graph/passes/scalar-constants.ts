import { ACTIVATION_SCALARS } from '../../ops/activations.js';
import type { MLOperandDataType } from '../../types/data-type.js';
import { nextId, type GraphNode, type OperandRef } from '../ir.js';

type Scalars = (attrs: Readonly<Record<string, unknown>>) => readonly number[];

/** Per operation: its number of inputs, and the scalars its lowering reads after them (see ACTIVATION_SCALARS). */
const SCALARS: Readonly<Record<string, { readonly arity: number; readonly values: Scalars }>> = {
  ...Object.fromEntries(Object.entries(ACTIVATION_SCALARS).map(([op, values]) => [op, { arity: op === 'prelu' ? 2 : 1, values }])),
  gemm: { arity: 3, values: (a) => [a['alpha'] as number, a['beta'] as number] },
  layerNormalization: { arity: 3, values: (a) => [a['epsilon'] as number] },
  instanceNormalization: { arity: 3, values: (a) => [a['epsilon'] as number] },
};

/** The storage data type of a scalar operand of a node of `dataType` (null: the node runs on the host). */
function scalarType(dataType: MLOperandDataType): 'float32' | 'int32' | null {
  if (dataType === 'float32' || dataType === 'float16') return 'float32';
  if (dataType === 'int32' || dataType === 'int8' || dataType === 'uint8') return 'int32';
  return null;
}

/**
 * The bytes of each scalar, made once: the plans of a dynamic-shape graph's input-shape signatures share constants
 * by their bytes (dynamic/dynamic-graph.ts), so each run of this pass must give a value the same bytes.
 */
const bytesByScalar = new Map<string, Uint8Array>();

function scalarBytes(key: string, value: number, dataType: 'float32' | 'int32'): Uint8Array {
  let bytes = bytesByScalar.get(key);
  if (!bytes) {
    bytes = new Uint8Array((dataType === 'float32' ? Float32Array.of(value) : Int32Array.of(value)).buffer);
    bytesByScalar.set(key, bytes);
  }
  return bytes;
}

/**
 * The scalars a lowering would make from attribute values at every run (tf.scalar, or a number TF.js turns into a
 * tensor) become constant inputs of the node, uploaded once when the plan is built: one constant per data type and
 * value in the graph. Non-finite values, which the lowerings skip (an absent clamp bound), get none. Runs last, on
 * nodes in their final form.
 */
export function makeScalarsConstant(order: readonly GraphNode[], _outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const constants = new Map<string, OperandRef>();
  const constantOf = (value: number, dataType: 'float32' | 'int32', like: OperandRef): OperandRef | null => {
    if (!Number.isFinite(value)) return null;
    const key = `${dataType}:${value}`;
    let ref = constants.get(key);
    if (!ref) {
      ref = { id: nextId(), builder: like.builder, desc: { dataType, shape: [] }, source: { kind: 'constant', bytes: scalarBytes(key, value, dataType) } };
      constants.set(key, ref);
    }
    return ref;
  };
  return order.map((node) => {
    const entry = SCALARS[node.op];
    const output = node.outputs[0];
    const dataType = output ? scalarType(output.desc.dataType) : null;
    if (!entry || !output || !dataType || node.inputs.length !== entry.arity) return node;
    const scalars = entry.values(node.attrs).map((value) => constantOf(value, dataType, output));
    return { ...node, inputs: [...node.inputs, ...scalars] };
  });
}

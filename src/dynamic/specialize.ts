/**
 * A symbolic graph made concrete for one set of input shapes: the inputs checked against their symbolic descriptors
 * (ranks, static sizes, one size per name, bounds), then every recorded call replayed through its operation's ordinary
 * builder step on the real shapes. The result is an ordinary graph; the shapes of its outputs are what computeShapes()
 * returns and what dispatch() requires of the output tensors.
 */
import { typeError } from '../errors.js';
import { reachableGraph } from '../graph/compile.js';
import { dimsOf, type GraphNode, type OperandDescriptor, type OperandRef } from '../graph/ir.js';
import type { MLOperand } from '../ops/builder-internals.js';
import { checkDimensions } from '../ops/check-dimensions.js';
import { ConcreteBuilder, type SymbolicOwner } from './concrete-builder.js';
import { describeDims, type DimBounds } from './dims.js';
import type { SymbolicCallAttrs } from './symbolic-builder.js';

export interface ConcreteGraph {
  readonly order: readonly GraphNode[];
  readonly inputs: ReadonlyMap<string, OperandRef>;
  readonly outputs: ReadonlyMap<string, OperandRef>;
}

export interface SymbolicGraph {
  readonly order: readonly GraphNode[];
  readonly inputs: ReadonlyMap<string, OperandRef>;
  readonly outputs: ReadonlyMap<string, OperandRef>;
  readonly bounds: ReadonlyMap<string, DimBounds>;
  /**
   * The context's maxTensorByteLength: the builder checks operands with named dimensions against it only at dispatch,
   * when their sizes are known. 2^31 - 1 when absent.
   */
  readonly maxTensorByteLength?: number | undefined;
}

/** The key of a set of input shapes. */
export function shapeSignature(shapes: ReadonlyMap<string, readonly number[]>): string {
  return JSON.stringify([...shapes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Checks input shapes against the graph's symbolic input descriptors; throws a TypeError naming the input. */
export function checkInputShapes(where: string, graph: SymbolicGraph, shapes: ReadonlyMap<string, readonly number[]>,
  record = 'inputs'): void {
  const expected = () => [...graph.inputs.keys()].map((n) => `'${n}'`).join(', ');
  for (const name of shapes.keys()) {
    if (!graph.inputs.has(name)) throw typeError(where, `${record}['${name}'] is not one of the graph's inputs (${expected()})`);
  }
  const sizes = new Map<string, { size: number; input: string }>();
  for (const [name, ref] of graph.inputs) {
    const shape = shapes.get(name);
    if (!shape) throw typeError(where, `${record} has no '${name}' (the graph's inputs: ${expected()})`);
    const dims = dimsOf(ref) ?? [];
    const wanted = describeDims(ref.desc.dataType, dims);
    if (shape.length !== dims.length) {
      throw typeError(where, `${record}['${name}'] has rank ${shape.length}, the graph's input is ${wanted}`);
    }
    checkDimensions(where, { dataType: ref.desc.dataType, shape }, `${record}['${name}']`, true, graph.maxTensorByteLength);
    dims.forEach((d, i) => {
      const size = shape[i]!;
      if (typeof d === 'number') {
        if (size !== d) throw typeError(where, `${record}['${name}'] dimension ${i} is ${size}, the graph's input is ${wanted}`);
        return;
      }
      const seen = sizes.get(d);
      if (seen && seen.size !== size) {
        throw typeError(where, `dimension '${d}' is ${seen.size} in ${record}['${seen.input}'] but ${size} in ${record}['${name}']`);
      }
      sizes.set(d, { size, input: name });
      const bounds = graph.bounds.get(d);
      if (bounds && (size < bounds.min || size > bounds.max)) {
        throw typeError(where, `dimension '${d}' of ${record}['${name}'] is ${size}, outside its bounds [${bounds.min}, ${bounds.max}]`);
      }
    });
  }
}

/** Replays the symbolic graph on concrete input shapes (already checked). Builder-step failures are TypeErrors. */
export function specialize(owner: SymbolicOwner, graph: SymbolicGraph, shapes: ReadonlyMap<string, readonly number[]>): ConcreteGraph {
  const translated = new Map<OperandRef, MLOperand>();
  const translate = (ref: OperandRef): MLOperand => {
    const known = translated.get(ref);
    if (known) return known;
    let operand: MLOperand;
    if (ref.source.kind === 'input') {
      const desc: OperandDescriptor = { dataType: ref.desc.dataType, shape: shapes.get(ref.source.name)! };
      operand = builder.makeOperand(desc, ref.source);
    } else if (ref.source.kind === 'node') {
      throw new Error(`operand of ${ref.source.node.op} used before it was replayed`);
    } else {
      operand = builder.makeOperand(ref.desc, ref.source);
    }
    translated.set(ref, operand);
    return operand;
  };
  const builder: ConcreteBuilder = new ConcreteBuilder(owner, translate, () => undefined, () => true);
  for (const node of graph.order) {
    const { operands } = builder.run(node.op, (node.attrs as unknown as SymbolicCallAttrs).args);
    if (operands.length !== node.outputs.length) {
      throw typeError(node.op, `gives ${operands.length} results for these shapes, ${node.outputs.length} when the graph was built`);
    }
    node.outputs.forEach((ref, i) => translated.set(ref, operands[i]!));
  }
  const outputs = new Map([...graph.outputs].map(([name, ref]) => [name, owner.operands.refOf(translated.get(ref)!)]));
  const { order, inputs } = reachableGraph(outputs.values());
  return { order, inputs, outputs };
}

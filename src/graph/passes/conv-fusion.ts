import type { Conv2dAttrs } from '../../ops/conv2d.js';
import type { FusedActivation } from '../../ops/conv-util.js';
import type { GraphNode, OperandRef } from '../ir.js';

/**
 * Build-time graph rewrites. A conv2d, optionally followed by an add of a per-channel constant and then by relu,
 * clamp(0, 6), clamp(0, +Infinity), sigmoid, leakyRelu or elu(alpha 1), becomes one conv2d node that TF.js runs as
 * tf.fused.conv2d / tf.fused.depthwiseConv2d (bias and activation inside the kernel). A step is absorbed only when
 * the value before it has that step as its sole reader and is not a graph output, so nothing else can observe
 * the intermediate results that disappear.
 *
 * Receives the pruned nodes in topological order and the named outputs; returns the nodes to plan.
 */
export function fuseConvolutions(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const readers = new Map<OperandRef, GraphNode[]>();
  for (const node of order) {
    for (const ref of node.inputs) {
      if (!ref) continue;
      const list = readers.get(ref);
      if (list) list.push(node);
      else readers.set(ref, [node]);
    }
  }
  const graphOutputs = new Set(outputs.values());
  /** The one node reading `ref` (once), or null when it is read elsewhere too or is a graph output. */
  const soleReader = (ref: OperandRef): GraphNode | null => {
    if (graphOutputs.has(ref)) return null;
    const list = readers.get(ref);
    return list?.length === 1 ? list[0]! : null;
  };

  const absorbed = new Set<GraphNode>();
  const replacements = new Map<GraphNode, GraphNode[]>();
  for (const node of order) {
    if (node.op !== 'conv2d' || node.attrs['fused']) continue;
    const attrs = node.attrs as unknown as Conv2dAttrs;
    const convOutput = node.outputs[0]!;
    let tail = convOutput;
    let fusedBias: OperandRef | null = null;
    let next = soleReader(tail);
    if (next?.op === 'add') {
      const bias = channelBias(next, tail, attrs);
      if (bias) {
        fusedBias = bias;
        absorbed.add(next);
        tail = next.outputs[0]!;
        next = soleReader(tail);
      }
    }
    const activation = next && next.outputs.length === 1 && next.outputs[0]!.desc.dataType === tail.desc.dataType
      ? activationOf(next) : null;
    if (next && activation) {
      absorbed.add(next);
      tail = next.outputs[0]!;
    }
    if (tail === convOutput) continue;
    const vector = fusedBias ? channelVectorNode(fusedBias, attrs.outputChannels) : null;
    replacements.set(node, [
      ...(vector ? [vector] : []),
      {
        id: node.id,
        op: 'conv2d',
        inputs: [node.inputs[0] ?? null, node.inputs[1] ?? null, node.inputs[2] ?? null, vector?.outputs[0] ?? null],
        attrs: { ...node.attrs, activation: activation ?? undefined, fused: true },
        outputs: [tail],
        label: node.label,
      },
    ]);
  }
  return order.filter((node) => !absorbed.has(node)).flatMap((node) => replacements.get(node) ?? [node]);
}

/**
 * The added constant as a fresh rank-1 [channels] tensor, computed once at build (its input is a constant). The
 * kernels need a rank-1 bias, and wasm checks the rank of the stored data, which a reshape does not change.
 */
function channelVectorNode(bias: OperandRef, channels: number): GraphNode {
  const outputs: OperandRef[] = [];
  const node: GraphNode = { id: bias.id, op: 'conv.channelVector', inputs: [bias], attrs: { channels }, outputs, label: '' };
  outputs.push({ id: bias.id, builder: bias.builder, desc: { dataType: bias.desc.dataType, shape: [channels] },
    source: { kind: 'node', node, index: 0 } });
  return node;
}

/** Number of nodes produced by fusion among `nodes` (a diagnostic the tests read). */
export function fusedNodeCount(nodes: readonly GraphNode[]): number {
  return nodes.filter((node) => node.attrs['fused'] === true).length;
}

function isConstant(ref: OperandRef): boolean {
  return ref.source.kind === 'constant' || ref.source.kind === 'constant-tensor';
}

/**
 * The other operand of `add` when it is a constant holding one value per output channel (or one value), laid out
 * so that the add broadcasts it along the channel axis only, and the add's result has the convolution's shape.
 */
function channelBias(add: GraphNode, convOutput: OperandRef, attrs: Conv2dAttrs): OperandRef | null {
  const [a, b] = add.inputs;
  if (!a || !b || add.outputs.length !== 1) return null;
  const other = a === convOutput ? b : b === convOutput ? a : null;
  if (!other || other === convOutput || !isConstant(other)) return null;
  const outShape = convOutput.desc.shape;
  const addShape = add.outputs[0]!.desc.shape;
  if (other.desc.dataType !== convOutput.desc.dataType) return null;
  if (addShape.length !== outShape.length || addShape.some((d, i) => d !== outShape[i])) return null;
  const channelAxis = attrs.inputLayout === 'nchw' ? 1 : 3;
  const shape = other.desc.shape;
  if (shape.length > outShape.length) return null;
  const offset = outShape.length - shape.length;
  const perChannel = shape.every((d, i) => d === 1 || (i + offset === channelAxis && d === outShape[channelAxis]));
  return perChannel ? other : null;
}

function numberAttr(value: unknown, absent: number): number {
  if (value === undefined) return absent;
  return typeof value === 'number' ? value : NaN;
}

/** The fused-kernel activation computing exactly what `node` computes, if there is one. */
function activationOf(node: GraphNode): FusedActivation | null {
  const attrs = node.attrs;
  switch (node.op) {
    case 'relu': return { kind: 'relu' };
    case 'sigmoid': return { kind: 'sigmoid' };
    case 'clamp': {
      const min = numberAttr(attrs['minValue'], -Infinity);
      const max = numberAttr(attrs['maxValue'], Infinity);
      if (min !== 0) return null;
      if (max === 6) return { kind: 'relu6' };
      if (max === Infinity) return { kind: 'relu' };
      return null;
    }
    case 'leakyRelu': {
      const alpha = attrs['alpha'];
      return typeof alpha === 'number' && Number.isFinite(alpha) ? { kind: 'leakyrelu', alpha } : null;
    }
    case 'elu': return attrs['alpha'] === 1 ? { kind: 'elu' } : null;
    default: return null;
  }
}

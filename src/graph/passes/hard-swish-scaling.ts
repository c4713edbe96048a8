import { nextId, type GraphNode, type OperandRef } from '../ir.js';
import { applyRewrites, internalNode, isConstant, type Rewrite, soleReaderOf } from './fusion-util.js';

/**
 * A hardSwish (x * clamp(x + 3, 0, 6) / 6) read only by a convolution, as its input (through transposes, if any),
 * leaves its division by 6 to the convolution's filter, which is linear in its input: conv(h / 6, W) = conv(h, W / 6),
 * padding included. The filter is divided once at build; each run saves one kernel per such hardSwish (MobileNetV3's
 * blocks). The results equal the unscaled ones up to float32 rounding.
 */
export function scaleHardSwishes(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const soleReader = soleReaderOf(order, outputs);
  const rewrites: Rewrite[] = [];
  const taken = new Set<GraphNode>();
  for (const node of order) {
    if (node.op !== 'hardSwish' || node.outputs.length !== 1) continue;
    const output = node.outputs[0]!;
    // Transposes (of the layout pass) in between move values around and scale nothing.
    let value = output;
    let conv = soleReader(value);
    while (conv?.op === 'transpose' && conv.outputs.length === 1) {
      value = conv.outputs[0]!;
      conv = soleReader(value);
    }
    const filter = conv?.inputs[1];
    if (conv?.op !== 'conv2d' || conv.inputs[0] !== value || !filter || !isConstant(filter) || taken.has(conv)) continue;
    const dataType = output.desc.dataType;
    if ((dataType !== 'float32' && dataType !== 'float16') || filter.desc.dataType !== dataType) continue;
    taken.add(conv);
    // The value keeps its operand: its readers, up to the convolution, see 6 times the hardSwish.
    const timesSix: GraphNode = { ...node, op: 'hardSwish.timesSix', inputs: [node.inputs[0]!], attrs: {} };
    const scaled = internalNode('div', [filter, six(filter)], {}, filter.desc, filter);
    rewrites.push({ replaced: [node], nodes: [timesSix] });
    rewrites.push({ replaced: [conv], nodes: [scaled, { ...conv, inputs: [conv.inputs[0]!, scaled.outputs[0]!, ...conv.inputs.slice(2)] }] });
  }
  return applyRewrites(order, rewrites);
}

/** The constant 6 in `like`'s data type, shaped [] (division broadcasts it). */
function six(like: OperandRef): OperandRef {
  const bytes = like.desc.dataType === 'float32' ? new Uint8Array(Float32Array.of(6).buffer) : new Uint8Array(Uint16Array.of(0x4600).buffer);
  return { id: nextId(), builder: like.builder, desc: { dataType: like.desc.dataType, shape: [] }, source: { kind: 'constant', bytes } };
}

import type { GraphNode, OperandRef } from '../ir.js';
import { applyRewrites, filledConstant, internalNode, isConstant, readersOf, type Rewrite } from './fusion-util.js';

/**
 * A hardSwish (x * clamp(x + 3, 0, 6) / 6) whose every use ends in a convolution's input leaves its division by 6 to
 * those convolutions' filters: a convolution is linear in its input, conv(h / 6, W) = conv(h, W / 6), padding
 * included, and on the way there the factor may pass through operations it commutes with (transposes and reshapes,
 * average and max pooling, mean reductions, products with values that do not depend on it: the gate of a
 * squeeze-and-excitation block). The filters are divided once at build; each run saves one kernel per hardSwish
 * (MobileNetV3's blocks). The results equal the unscaled ones up to float32 rounding.
 */
export function scaleHardSwishes(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const readers = readersOf(order, outputs);
  const rewrites: Rewrite[] = [];
  const taken = new Set<GraphNode>();
  for (const node of order) {
    if (node.op !== 'hardSwish' || node.outputs.length !== 1) continue;
    const output = node.outputs[0]!;
    const dataType = output.desc.dataType;
    if (dataType !== 'float32' && dataType !== 'float16') continue;
    const convolutions = absorbingConvolutions(output, readers);
    if (!convolutions || convolutions.some((conv) => taken.has(conv))) continue;
    for (const conv of convolutions) taken.add(conv);
    // The value keeps its operand: its readers, up to the convolutions, see 6 times the hardSwish.
    rewrites.push({ replaced: [node], nodes: [{ ...node, op: 'hardSwish.timesSix', inputs: [node.inputs[0]!], attrs: {} }] });
    for (const conv of convolutions) {
      const filter = conv.inputs[1]!;
      const scaled = internalNode('div', [filter, filledConstant(filter, dataType, [], 6)], {}, filter.desc, filter);
      rewrites.push({ replaced: [conv], nodes: [scaled, { ...conv, inputs: [conv.inputs[0]!, scaled.outputs[0]!, ...conv.inputs.slice(2)] }] });
    }
  }
  return applyRewrites(order, rewrites);
}

/** Operations a positive factor on their first input passes through unchanged (mul: on either input). */
const COMMUTING = new Set(['transpose', 'reshape', 'averagePool2d', 'maxPool2d', 'reduceMean', 'mul']);

/**
 * The convolutions where every use of `value` ends, reading it (or what the factor passed through) as their input with
 * a constant filter of its data type; null when some use ends elsewhere (or in a graph output).
 */
function absorbingConvolutions(value: OperandRef, readersOf: (ref: OperandRef) => readonly GraphNode[] | null): GraphNode[] | null {
  const scaled = new Set<OperandRef>([value]);
  const convolutions = new Set<GraphNode>();
  const products: GraphNode[] = [];
  const pending = [value];
  while (pending.length) {
    const v = pending.pop()!;
    const readers = readersOf(v);
    if (!readers) return null;
    for (const r of readers) {
      const position = r.inputs.indexOf(v);
      if (r.inputs.lastIndexOf(v) !== position) return null;
      if (r.op === 'conv2d' && position === 0) {
        const filter = r.inputs[1];
        if (!filter || !isConstant(filter) || filter.desc.dataType !== v.desc.dataType) return null;
        convolutions.add(r);
      } else if (COMMUTING.has(r.op) && r.outputs.length === 1 && (position === 0 || r.op === 'mul')) {
        if (r.op === 'mul') products.push(r);
        const out = r.outputs[0]!;
        if (!scaled.has(out)) {
          scaled.add(out);
          pending.push(out);
        }
      } else {
        return null;
      }
    }
  }
  // A product of two scaled values would carry the factor twice.
  if (products.some((p) => p.inputs.every((input) => input !== null && scaled.has(input)))) return null;
  return [...convolutions];
}

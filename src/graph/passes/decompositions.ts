import type { GraphNode, OperandRef } from '../ir.js';
import { applyRewrites, isConstant, readersOf, type Rewrite, sameShape, scalarValue } from './fusion-util.js';

/**
 * Operations that ONNX exporters write out as chains of smaller ones, recognised and run as the operation:
 * - hardSwish as x * hardSigmoid(x) (alpha 1/6, beta 1/2), or as x * clamp(x + 3, 0, 6) / 6 (or x * (clamp(...) / 6)):
 *   4 kernels instead of 5;
 * - layerNormalization as (x - mean) / sqrt(mean((x - mean)^2) + epsilon), the square a pow by 2 or a product, the
 *   division one by the root or a product with its reciprocal, optionally then times a scale and plus a bias over the
 *   normalized axes: squares and products instead of Pow and RealDiv, one reciprocal square root per row.
 * - gelu as x * 0.5 * (1 + erf(x / sqrt 2)) (the division a product by 1 / sqrt 2, the half taken first or last): one
 *   operation where the chain is five, each erf itself many kernels or one (ops/erf.ts).
 * Only exact chains are taken: every intermediate value is read by the chain alone and is not a graph output. The
 * results equal the chains' up to float32 rounding (operations associated differently, x / 6 instead of x * alpha).
 */
export function recognizeDecompositions(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const readers = readersOf(order, outputs);
  const producers = new Map<OperandRef, GraphNode>();
  for (const node of order) for (const ref of node.outputs) producers.set(ref, node);
  const soleReader = (ref: OperandRef): GraphNode | null => {
    const list = readers(ref);
    return list?.length === 1 ? list[0]! : null;
  };
  const rewrites: Rewrite[] = [];
  const taken = new Set<GraphNode>();
  for (const node of order) {
    if (taken.has(node)) continue;
    const rewrite = hardSwishFrom(node, soleReader) ?? layerNormalizationFrom(node, soleReader, readers) ??
      geluFrom(node, soleReader, producers);
    if (!rewrite || rewrite.replaced.some((n) => taken.has(n))) continue;
    for (const n of rewrite.replaced) taken.add(n);
    rewrites.push(rewrite);
  }
  return applyRewrites(order, rewrites);
}

type SoleReader = (ref: OperandRef) => GraphNode | null;

const isFloat = (ref: OperandRef) => ref.desc.dataType === 'float32' || ref.desc.dataType === 'float16';

/** The other input of a two-input node reading `value` once. */
function otherInput(node: GraphNode, value: OperandRef): OperandRef | null {
  const [a, b] = node.inputs;
  if (!a || !b || a === b) return null;
  return a === value ? b : b === value ? a : null;
}

/** The node computing `op` from `value` and a constant of one element equal to `constant`, result shaped as `value`. */
function withScalar(node: GraphNode | null, op: string, value: OperandRef, constant: number, valueFirst = false): GraphNode | null {
  if (node?.op !== op || node.outputs.length !== 1 || !sameShape(node.outputs[0]!.desc.shape, value.desc.shape)) return null;
  if (valueFirst && node.inputs[0] !== value) return null;
  return scalarValue(otherInput(node, value)) === constant ? node : null;
}

/** The mul of `value` by `x`, shaped as x. */
function timesX(node: GraphNode | null, value: OperandRef, x: OperandRef): GraphNode | null {
  if (node?.op !== 'mul' || otherInput(node, value) !== x || !sameShape(node.outputs[0]!.desc.shape, x.desc.shape)) return null;
  return node;
}

/** float32's 1/6, or within two of its units in the last place (what exporters write as 0.1666667). */
const isOneSixth = (alpha: unknown) => typeof alpha === 'number' && Math.abs(alpha - Math.fround(1 / 6)) <= 2 * 2 ** -26;

function hardSwish(x: OperandRef, replaced: GraphNode[]): Rewrite {
  const last = replaced[replaced.length - 1]!;
  return { replaced, nodes: [{ id: last.id, op: 'hardSwish', inputs: [x], attrs: {}, outputs: [last.outputs[0]!], label: last.label }] };
}

function hardSwishFrom(node: GraphNode, soleReader: SoleReader): Rewrite | null {
  const x = node.inputs[0];
  if (!x || !isFloat(x) || node.outputs.length !== 1) return null;
  if (node.op === 'hardSigmoid') {
    if (!isOneSixth(node.attrs['alpha']) || node.attrs['beta'] !== 0.5) return null;
    const product = timesX(soleReader(node.outputs[0]!), node.outputs[0]!, x);
    return product ? hardSwish(x, [node, product]) : null;
  }
  // x + 3, either way round.
  if (node.op !== 'add') return null;
  const input = scalarValue(node.inputs[1]) === 3 ? node.inputs[0]! : scalarValue(node.inputs[0]) === 3 ? node.inputs[1]! : null;
  if (!input || !withScalar(node, 'add', input, 3)) return null;
  const clamp = soleReader(node.outputs[0]!);
  if (clamp?.op !== 'clamp' || clamp.attrs['minValue'] !== 0 || clamp.attrs['maxValue'] !== 6) return null;
  const clamped = clamp.outputs[0]!;
  const next = soleReader(clamped);
  const product = timesX(next, clamped, input);
  if (product) {
    const quotient = withScalar(soleReader(product.outputs[0]!), 'div', product.outputs[0]!, 6, true);
    return quotient ? hardSwish(input, [node, clamp, product, quotient]) : null;
  }
  const sixth = withScalar(next, 'div', clamped, 6, true);
  const scaled = sixth ? timesX(soleReader(sixth.outputs[0]!), sixth.outputs[0]!, input) : null;
  return sixth && scaled ? hardSwish(input, [node, clamp, sixth, scaled]) : null;
}

/** A reduceMean over `axes` keeping dimensions, of `value`. */
function meanOver(node: GraphNode | null, value: OperandRef, axes: readonly number[] | null): GraphNode | null {
  if (node?.op !== 'reduceMean' || node.inputs[0] !== value || node.attrs['keepDimensions'] !== true) return null;
  const nodeAxes = node.attrs['axes'] as readonly number[];
  if (nodeAxes.length === 0 || (axes && !sameShape(nodeAxes, axes))) return null;
  return node;
}

function layerNormalizationFrom(node: GraphNode, soleReader: SoleReader,
  readers: (ref: OperandRef) => readonly GraphNode[] | null): Rewrite | null {
  const x = node.inputs[0];
  const mean = x ? meanOver(node, x, null) : null;
  if (!x || !mean || !isFloat(x)) return null;
  const axes = [...mean.attrs['axes'] as readonly number[]].sort((a, b) => a - b);
  const centering = soleReader(mean.outputs[0]!);
  if (centering?.op !== 'sub' || centering.inputs[0] !== x || centering.inputs[1] !== mean.outputs[0]) return null;
  const centered = centering.outputs[0]!;
  // The centered values are read twice: squared, and divided.
  const [first, second, ...others] = new Set(readers(centered));
  if (!first || !second || others.length > 0) return null;
  const isSquare = (n: GraphNode) => withScalar(n, 'pow', centered, 2, true) ?? (n.op === 'mul' && n.inputs[0] === centered && n.inputs[1] === centered ? n : null);
  const square = isSquare(first) ?? isSquare(second);
  const divide = square === first ? second : first;
  if (!square) return null;
  const variance = meanOver(soleReader(square.outputs[0]!), square.outputs[0]!, mean.attrs['axes'] as readonly number[]);
  const shifted = variance ? soleReader(variance.outputs[0]!) : null;
  const epsilonRef = shifted?.op === 'add' ? otherInput(shifted, variance!.outputs[0]!) : null;
  const epsilon = scalarValue(epsilonRef);
  if (!variance || !shifted || epsilon === null || !sameShape(shifted.outputs[0]!.desc.shape, variance.outputs[0]!.desc.shape)) return null;
  const root = soleReader(shifted.outputs[0]!);
  if (root?.op !== 'sqrt') return null;
  const replaced = [mean, centering, square, variance, shifted, root];
  let normalized: GraphNode | null = null;
  if (divide.op === 'div' && divide.inputs[0] === centered && divide.inputs[1] === root.outputs[0] && soleReader(root.outputs[0]!) === divide) {
    normalized = divide;
  } else {
    const reciprocal = soleReader(root.outputs[0]!);
    if (reciprocal?.op === 'reciprocal' && soleReader(reciprocal.outputs[0]!) === divide && divide.op === 'mul' &&
      otherInput(divide, centered) === reciprocal.outputs[0]) {
      replaced.push(reciprocal);
      normalized = divide;
    }
  }
  if (!normalized || !sameShape(normalized.outputs[0]!.desc.shape, x.desc.shape)) return null;
  replaced.push(normalized);
  // Then times a scale and plus a bias holding one value per element of the normalized axes, as the operation's
  // options (shape: the sizes of the axes, which must be the trailing ones to broadcast that way).
  const parameterShape = axes.map((a) => x.desc.shape[a]!);
  const trailing = axes.every((a, i) => a === x.desc.shape.length - axes.length + i);
  const parameter = (step: GraphNode | null, op: string, value: OperandRef): OperandRef | null => {
    if (!trailing || step?.op !== op) return null;
    const other = otherInput(step, value);
    return other && isConstant(other) && other.desc.dataType === x.desc.dataType && sameShape(other.desc.shape, parameterShape) &&
      sameShape(step.outputs[0]!.desc.shape, x.desc.shape) ? other : null;
  };
  let tail = normalized.outputs[0]!;
  let step = soleReader(tail);
  const scale = parameter(step, 'mul', tail);
  if (scale) {
    replaced.push(step!);
    tail = step!.outputs[0]!;
    step = soleReader(tail);
  }
  const bias = parameter(step, 'add', tail);
  if (bias) {
    replaced.push(step!);
    tail = step!.outputs[0]!;
  }
  const last = replaced[replaced.length - 1]!;
  const attrs = { axes, epsilon, parameterShape: x.desc.shape.map((d, i) => (axes.includes(i) ? d : 1)) };
  return {
    replaced,
    nodes: [{ id: last.id, op: 'layerNormalization', inputs: [x, scale, bias], attrs, outputs: [tail], label: last.label }],
  };
}

/** Whether `value` is the float32 (or float16) rounding of `exact`, within two of its units in the last place. */
const near = (value: number | null, exact: number) => value !== null && Math.abs(value - exact) <= exact * 2 ** -22;

/** The node dividing by sqrt 2, or multiplying by 1 / sqrt 2, starting a gelu chain; and its other input, x. */
function geluScaling(node: GraphNode): OperandRef | null {
  const [a, b] = node.inputs;
  if (!a || !b || node.outputs.length !== 1) return null;
  if (node.op === 'div') return near(scalarValue(b), Math.SQRT2) ? a : null;
  if (node.op !== 'mul') return null;
  return near(scalarValue(b), Math.SQRT1_2) ? a : near(scalarValue(a), Math.SQRT1_2) ? b : null;
}

function geluFrom(node: GraphNode, soleReader: SoleReader, producers: ReadonlyMap<OperandRef, GraphNode>): Rewrite | null {
  const x = geluScaling(node);
  if (!x || !isFloat(x) || !sameShape(node.outputs[0]!.desc.shape, x.desc.shape)) return null;
  const erf = soleReader(node.outputs[0]!);
  if (erf?.op !== 'erf') return null;
  const plusOne = withScalar(soleReader(erf.outputs[0]!), 'add', erf.outputs[0]!, 1);
  if (!plusOne) return null;
  const sum = plusOne.outputs[0]!;
  const product = soleReader(sum);
  if (product?.op !== 'mul' || !sameShape(product.outputs[0]!.desc.shape, x.desc.shape)) return null;
  const other = otherInput(product, sum);
  const replaced = [node, erf, plusOne, product];
  if (other === x) {
    // x * (1 + erf(...)), then times a half.
    const half = withScalar(soleReader(product.outputs[0]!), 'mul', product.outputs[0]!, 0.5);
    if (!half) return null;
    replaced.push(half);
  } else {
    // (x * 0.5) * (1 + erf(...)): the half taken first, by a node read by the product alone.
    const halving = other ? producers.get(other) : undefined;
    if (!halving || !withScalar(halving, 'mul', x, 0.5) || soleReader(other!) !== product) return null;
    replaced.unshift(halving);
  }
  const last = replaced[replaced.length - 1]!;
  return { replaced, nodes: [{ id: last.id, op: 'gelu', inputs: [x], attrs: {}, outputs: [last.outputs[0]!], label: last.label }] };
}

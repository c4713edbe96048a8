/**
 * Einsum, decomposed: each operand's labels found in no other operand and not in the output are summed out
 * (reduceSum); two operands are then multiplied as one batched matmul [batch, kept of A, contracted] x
 * [batch, contracted, kept of B] between transposes and reshapes; more operands are taken left to right. '...' stands
 * for the broadcast axes, given labels of their own. A label repeated within one operand (a diagonal) is refused.
 */
import type { Converter, ConverterTable } from './converter.js';
import { elementCount } from './host-tensor.js';
import type { NodeImport } from './node-import.js';
import type { Operand } from './webnn-types.js';

/** An operand with one label per axis. */
interface Labeled {
  readonly operand: Operand;
  readonly labels: readonly string[];
}

const LETTER = /^[A-Za-z]$/;

/** The labels of one term, '...' expanded to `rank - letters` labels of its own ('0', '1', ... counted from the right). */
function termLabels(n: NodeImport, term: string, rank: number | null, ellipsisRank: number): string[] {
  const parts = term.split('...');
  if (parts.length > 2) throw n.invalid(`the term '${term}' has more than one '...'`);
  const letters = parts.join('');
  for (const c of letters) if (!LETTER.test(c)) throw n.invalid(`'${c}' in the term '${term}' is not a letter`);
  if (parts.length === 1) return [...letters];
  const broadcast = rank === null ? ellipsisRank : rank - letters.length;
  if (broadcast < 0) throw n.invalid(`the term '${term}' has more labels than its operand has axes`);
  const ellipsis = Array.from({ length: broadcast }, (_, k) => String(broadcast - 1 - k));
  return [...parts[0]!, ...ellipsis, ...parts[1]!];
}

/** Sums the axes whose labels `keep` leaves out. */
function sumOut(n: NodeImport, x: Labeled, keep: (label: string) => boolean): Labeled {
  const axes = x.labels.flatMap((label, k) => (keep(label) ? [] : [k]));
  if (axes.length === 0) return x;
  return { operand: n.builder.reduceSum(x.operand, { axes, keepDimensions: false }), labels: x.labels.filter(keep) };
}

/** The operand's axes in the order of `labels`. */
function arrange(n: NodeImport, x: Labeled, labels: readonly string[]): Operand {
  const permutation = labels.map((label) => x.labels.indexOf(label));
  if (permutation.every((p, k) => p === k)) return x.operand;
  return n.builder.transpose(x.operand, { permutation });
}

/** a x b, keeping the labels `needed` says are read later (by the output or a later operand). */
function multiply(n: NodeImport, a: Labeled, b: Labeled, needed: (label: string) => boolean,
  sizeOf: ReadonlyMap<string, number>): Labeled {
  const inB = (label: string) => b.labels.includes(label);
  const inA = (label: string) => a.labels.includes(label);
  a = sumOut(n, a, (label) => needed(label) || inB(label));
  b = sumOut(n, b, (label) => needed(label) || inA(label));
  const batch = a.labels.filter((label) => inB(label) && needed(label));
  const contracted = a.labels.filter((label) => inB(label) && !needed(label));
  const keptA = a.labels.filter((label) => !inB(label));
  const keptB = b.labels.filter((label) => !inA(label));
  const sizes = (labels: readonly string[]) => labels.map((label) => sizeOf.get(label)!);
  // Axes of size 1 broadcast against the other operand's (ONNX's broadcasting of '...' and of labels).
  const full = (x: Labeled, labels: readonly string[]) => {
    const arranged = arrange(n, x, labels);
    const target = sizes(labels);
    return arranged.shape.join() === target.join() ? arranged : n.builder.expand(arranged, target);
  };
  const [batchSize, m, k, cols] = [elementCount(sizes(batch)), elementCount(sizes(keptA)), elementCount(sizes(contracted)), elementCount(sizes(keptB))];
  const left = n.builder.reshape(full(a, [...batch, ...keptA, ...contracted]), [batchSize, m, k]);
  const right = n.builder.reshape(full(b, [...batch, ...contracted, ...keptB]), [batchSize, k, cols]);
  const labels = [...batch, ...keptA, ...keptB];
  return { operand: n.builder.reshape(n.builder.matmul(left, right), sizes(labels)), labels };
}

const einsum: Converter = {
  minOpset: 12,
  convert(n) {
    const equation = n.string('equation', '').replace(/\s/g, '');
    const [left, right] = equation.split('->') as [string, string | undefined];
    const terms = left.split(',');
    if (terms.length !== n.inputCount) throw n.invalid(`the equation '${equation}' has ${terms.length} terms for ${n.inputCount} inputs`);
    const operands: Labeled[] = terms.map((term, k) => {
      const operand = n.operand(k);
      const labels = termLabels(n, term, operand.shape.length, 0);
      if (labels.length !== operand.shape.length) throw n.invalid(`the term '${term}' labels ${labels.length} axes of a rank ${operand.shape.length} input`);
      if (new Set(labels).size !== labels.length) throw n.unsupported(`the term '${term}' repeats a label (a diagonal), which is not mapped`);
      return { operand, labels };
    });
    const sizeOf = new Map<string, number>();
    for (const { operand, labels } of operands) {
      labels.forEach((label, k) => {
        const size = operand.shape[k]!;
        const known = sizeOf.get(label);
        if (known !== undefined && known !== size && known !== 1 && size !== 1) {
          throw n.invalid(`label '${label}' has the sizes ${known} and ${size}`);
        }
        sizeOf.set(label, Math.max(known ?? 1, size));
      });
    }
    const ellipsisRank = Math.max(0, ...operands.map(({ labels }) => labels.filter((l) => !LETTER.test(l)).length));
    const output = right === undefined ? implicitOutput(operands, ellipsisRank) : termLabels(n, right, null, ellipsisRank);
    for (const label of output) {
      if (!sizeOf.has(label)) throw n.invalid(`the output label '${label}' is in no input term`);
    }
    if (new Set(output).size !== output.length) throw n.invalid('the output term repeats a label');
    let result = operands[0]!;
    for (let k = 1; k < operands.length; k++) {
      const later = operands.slice(k + 1);
      const needed = (label: string) => output.includes(label) || later.some(({ labels }) => labels.includes(label));
      result = multiply(n, result, operands[k]!, needed, sizeOf);
    }
    result = sumOut(n, result, (label) => output.includes(label));
    const y = arrange(n, result, output);
    const target = output.map((label) => sizeOf.get(label)!);
    if (y.shape.join() !== target.join()) return n.builder.expand(y, target);
    // A lone operand passed through unchanged still needs an operation of its own.
    return y === n.operand(0) ? n.builder.identity(y) : y;
  },
};

/** Without '->': the broadcast axes, then the labels used once, in alphabetical order. */
function implicitOutput(operands: readonly Labeled[], ellipsisRank: number): string[] {
  const counts = new Map<string, number>();
  for (const { labels } of operands) for (const label of labels) if (LETTER.test(label)) counts.set(label, (counts.get(label) ?? 0) + 1);
  const once = [...counts].filter(([, count]) => count === 1).map(([label]) => label).sort();
  return [...Array.from({ length: ellipsisRank }, (_, k) => String(ellipsisRank - 1 - k)), ...once];
}

export const EINSUM_CONVERTERS: ConverterTable = [['Einsum', einsum]];

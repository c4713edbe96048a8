/** Einsum against a float64 reference that sums the products over every assignment of the labels. */
import { assertClose, assertThrows, forEachBackend } from '../util/harness.js';
import { OnnxModelWriter, string } from '../browser/onnx/model-writer.js';
import { randomTensor } from './model-util.js';
import type { Tensor } from './reference.js';
import { loadModel, runModel } from './run-model.js';

/**
 * An explicit equation of letters only ('bij,bjk->bik'): out[output labels] = sum over the other labels of the
 * product of the operands. Size-1 axes broadcast against the other operands' sizes of the label.
 */
function einsumRef(equation: string, operands: readonly Tensor[]): Tensor {
  const [left, right] = equation.split('->') as [string, string];
  const terms = left.split(',');
  const sizes = new Map<string, number>();
  terms.forEach((term, k) => [...term].forEach((label, axis) => {
    sizes.set(label, Math.max(sizes.get(label) ?? 1, operands[k]!.shape[axis]!));
  }));
  const labels = [...sizes.keys()];
  const outShape = [...right].map((label) => sizes.get(label)!);
  const data = new Array<number>(outShape.reduce((p, d) => p * d, 1)).fill(0);
  const value = new Map<string, number>();
  const flat = (shape: readonly number[], index: readonly number[]) =>
    index.reduce((offset, i, axis) => offset * shape[axis]! + (shape[axis] === 1 ? 0 : i), 0);
  const visit = (depth: number): void => {
    if (depth === labels.length) {
      let product = 1;
      terms.forEach((term, k) => {
        product *= operands[k]!.data[flat(operands[k]!.shape, [...term].map((label) => value.get(label)!))]!;
      });
      data[flat(outShape, [...right].map((label) => value.get(label)!))]! += product;
      return;
    }
    for (let i = 0; i < sizes.get(labels[depth]!)!; i++) {
      value.set(labels[depth]!, i);
      visit(depth + 1);
    }
  };
  visit(0);
  return { shape: outShape, data };
}

function einsumModel(equation: string, shapes: readonly number[][]): Uint8Array {
  const w = new OnnxModelWriter(12, 8);
  const names = shapes.map((shape, k) => w.input(`x${k}`, shape));
  w.nodeWithOutputs('Einsum', 'Einsum_0', names, ['y'], { equation: string(equation) });
  w.output('y', null);
  return w.encode();
}

forEachBackend('ONNX import: Einsum', (backend) => {
  /** The model's equation, and the explicit equation of letters the reference computes the same result with. */
  const cases: [string, string, number[][]][] = [
    ['bij,bjk->bik', 'bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['bhqd,bhkd->bhqk', 'bhqd,bhkd->bhqk', [[1, 2, 3, 4], [1, 2, 5, 4]]],
    ['bhqk,bhkd->bhqd', 'bhqk,bhkd->bhqd', [[2, 2, 3, 5], [2, 2, 5, 4]]],
    ['ij->ji', 'ij->ji', [[3, 4]]],
    ['ij->i', 'ij->i', [[3, 4]]],
    ['ijk->', 'ijk->', [[2, 3, 4]]],
    ['i,i->', 'i,i->', [[6], [6]]],
    ['i,j->ij', 'i,j->ij', [[3], [4]]],
    ['ij,jk', 'ij,jk->ik', [[3, 4], [4, 2]]],
    ['ba', 'ba->ab', [[3, 4]]],
    ['bij,bkj->bki', 'bij,bkj->bki', [[2, 3, 4], [2, 5, 4]]],
    ['ij,jk->k', 'ij,jk->k', [[3, 4], [4, 2]]],
    ['ij,jk,kl->il', 'ij,jk,kl->il', [[2, 3], [3, 4], [4, 5]]],
    ['...ij,...jk->...ik', 'abij,bjk->abik', [[2, 2, 3, 4], [2, 4, 3]]],
    ['...ij,...jk->...ik', 'aij,ajk->aik', [[1, 3, 4], [2, 4, 5]]],
    ['...ij->...ji', 'abij->abji', [[2, 3, 4, 5]]],
    ['b...d,bd->b...', 'bxyd,bd->bxy', [[2, 3, 4, 5], [2, 5]]],
    ['...d,d', 'xyd,d->xy', [[3, 4, 5], [5]]],
  ];
  cases.forEach(([equation, explicit, shapes], k) => {
    it(`'${equation}' on ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')}`, async () => {
      const operands = shapes.map((shape, j) => randomTensor(shape, 500 + 10 * k + j));
      const inputs = Object.fromEntries(operands.map((t, j) => [`x${j}`, { shape: t.shape, data: Float32Array.from(t.data) }]));
      const { y } = await runModel(backend, einsumModel(equation, shapes), inputs);
      assertClose(y as never, einsumRef(explicit, operands), { atol: 1e-5 }, equation);
    });
  });

  it('a diagonal (a label repeated in one term) is refused', () =>
    assertThrows(() => loadModel(backend, einsumModel('ii->i', [[3, 3]])), 'NotSupportedError',
      "node 'Einsum_0' (Einsum, opset 12): the term 'ii' repeats a label (a diagonal), which is not mapped"));

  it('an output label in no input term is a TypeError', () =>
    assertThrows(() => loadModel(backend, einsumModel('ij->k', [[3, 3]])), 'TypeError',
      "node 'Einsum_0' (Einsum, opset 12): the output label 'k' is in no input term"));

  it('a term that does not match its input\'s rank is a TypeError', () =>
    assertThrows(() => loadModel(backend, einsumModel('ijk->i', [[3, 3]])), 'TypeError',
      "node 'Einsum_0' (Einsum, opset 12): the term 'ijk' labels 3 axes of a rank 2 input"));
});

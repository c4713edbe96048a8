/**
 * The classifier the wasi-nn programs run: x [1, 4] -> MatMul [4, 8] -> Add -> Relu -> MatMul [8, 3] -> Add -> Softmax,
 * seeded float32 weights, and its float64 forward pass as the reference.
 */
import { OnnxModelWriter } from '../browser/onnx/model-writer.js';
import { randomData, representable } from '../util/harness.js';

export const FEATURES = 4;
const HIDDEN = 8;
export const CLASSES = 3;

const weights = (count: number, seed: number) => representable(randomData(count, seed, -1, 1), 'float32');
const w1 = weights(FEATURES * HIDDEN, 11);
const b1 = weights(HIDDEN, 12);
const w2 = weights(HIDDEN * CLASSES, 13);
const b2 = weights(CLASSES, 14);

/** The model; `batch` names its first dimension (a free dimension) instead of 1. */
export function classifierModel(batch: string | 1 = 1): Uint8Array {
  const w = new OnnxModelWriter(13, 8);
  w.input('x', [batch, FEATURES]);
  w.initializer('w1', [FEATURES, HIDDEN], Float32Array.from(w1));
  w.initializer('b1', [HIDDEN], Float32Array.from(b1));
  w.initializer('w2', [HIDDEN, CLASSES], Float32Array.from(w2));
  w.initializer('b2', [CLASSES], Float32Array.from(b2));
  const hidden = w.node('Relu', 'relu', [w.node('Add', 'add1', [w.node('MatMul', 'matmul1', ['x', 'w1']), 'b1'])]);
  const logits = w.node('Add', 'add2', [w.node('MatMul', 'matmul2', [hidden, 'w2']), 'b2']);
  w.nodeWithOutputs('Softmax', 'softmax', [logits], ['scores'], {});
  w.output('scores', [batch, CLASSES]);
  return w.encode();
}

/** The scores in float64. */
export function classifierReference(x: readonly number[]): number[] {
  const hidden = Array.from({ length: HIDDEN }, (_, j) =>
    Math.max(0, b1[j]! + x.reduce((sum, v, i) => sum + v * w1[i * HIDDEN + j]!, 0)));
  const logits = Array.from({ length: CLASSES }, (_, k) =>
    b2[k]! + hidden.reduce((sum, v, j) => sum + v * w2[j * CLASSES + k]!, 0));
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Inputs whose top classes differ, float32 values printed exactly. */
export const SAMPLES: readonly (readonly number[])[] = [
  [0.5, -1.25, 2, 0.75],
  [-2, 1.5, -0.5, 3],
  [1.75, 2.5, -3, -1],
];

/** The printed "scores: ..." and "top: k" lines of classify.c, parsed. */
export function parseClassifyOutput(stdout: string): { scores: number[]; top: number } {
  const scores = /^scores:(.*)$/m.exec(stdout);
  const top = /^top: (\d+)$/m.exec(stdout);
  if (!scores || !top) throw new Error(`unexpected output of classify: ${JSON.stringify(stdout)}`);
  return { scores: scores[1]!.trim().split(/\s+/).map(Number), top: Number(top[1]) };
}

/** The expected "<case>: <errno>" lines of errors.c, in order. */
export const EXPECTED_ERRNOS: readonly (readonly [string, number])[] = [
  ['openvino encoding', 2], ['tensorflowlite encoding', 2], ['encoding 9', 1], ['target 7', 1], ['two builders', 1],
  ['bytes that are no model', 1], ['builder outside memory', 1], ['unknown name', 8], ['context of no graph', 1],
  ['load', 0], ['init_execution_context', 0], ['compute before set_input', 1], ['input index 1', 1],
  ['input of int32', 1], ['input of float64', 6], ['input of other dimensions', 1], ['input data too short', 1],
  ['set_input of no context', 1], ['get_output before compute', 1], ['set_input', 0], ['compute', 0],
  ['output buffer too small', 7], ['output index 1', 1], ['output buffer outside memory', 1], ['get_output', 0],
];

export function parseErrorsOutput(stdout: string): [string, number][] {
  return [...stdout.matchAll(/^(.+): (\d+)$/gm)].filter((m) => m[1] !== 'written').map((m) => [m[1]!, Number(m[2])]);
}

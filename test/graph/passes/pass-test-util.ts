/**
 * Helpers of the graph-pass tests: the nodes a pass returns for a graph built through the API, and the TF.js kernels
 * one dispatch of a built graph runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MLGraphBuilder } from '../../../src/api/graph-builder.js';
import { mlOperands, operandRef, type MLOperand } from '../../../src/api/operand.js';
import { reachableGraph } from '../../../src/graph/compile.js';
import type { GraphNode, OperandRef } from '../../../src/graph/ir.js';
import type { BackendName } from '../../../src/runtime/backends.js';
import { specialize } from '../../../src/dynamic/specialize.js';
import { builderFor, contextFor, randomData, representable, size, typedArrayFor, type TensorValue } from '../../util/harness.js';

export type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;
export type Pass = (order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>) => GraphNode[];
type Build = (b: Builder, inputs: Record<string, MLOperand>) => Record<string, MLOperand>;

export interface Data { data: number[]; shape: number[] }

/** Seeded float32 values in [-2, 2). */
export const data = (shape: number[], seed: number): Data =>
  ({ data: representable(randomData(size(shape), seed, -2, 2), 'float32'), shape });

/** Row-major product of a [..., m, k] and b [k, n] (a's batch dimensions only), in float64. */
export function matmulRef(a: Data, b: Data, transposeA = false, transposeB = false): Data {
  const rank = a.shape.length;
  const [m, k] = transposeA ? [a.shape[rank - 1]!, a.shape[rank - 2]!] : [a.shape[rank - 2]!, a.shape[rank - 1]!];
  const n = transposeB ? b.shape[0]! : b.shape[1]!;
  const batches = size(a.shape.slice(0, -2));
  const out: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const av = a.data[batch * m * k + (transposeA ? p * m + i : i * k + p)]!;
          const bv = b.data[transposeB ? j * k + p : p * n + j]!;
          sum += av * bv;
        }
        out.push(sum);
      }
    }
  }
  return { data: out, shape: [...a.shape.slice(0, -2), m, n] };
}

/** An activation the fused convolution and product kernels apply, with its float64 reference. */
export interface FusedActivationCase {
  name: string;
  apply: (b: Builder, x: MLOperand) => MLOperand;
  ref: (x: number) => number;
}

export const FUSED_ACTIVATIONS: readonly FusedActivationCase[] = [
  { name: 'relu', apply: (b, x) => b.relu(x), ref: (x) => Math.max(0, x) },
  { name: 'clamp(0, 6)', apply: (b, x) => b.clamp(x, { minValue: 0, maxValue: 6 }), ref: (x) => Math.min(6, Math.max(0, x)) },
  { name: 'clamp(0)', apply: (b, x) => b.clamp(x, { minValue: 0 }), ref: (x) => Math.max(0, x) },
  { name: 'sigmoid', apply: (b, x) => b.sigmoid(x), ref: (x) => 1 / (1 + Math.exp(-x)) },
  { name: 'leakyRelu(0.2)', apply: (b, x) => b.leakyRelu(x, { alpha: 0.2 }), ref: (x) => (x < 0 ? Math.fround(0.2) * x : x) },
  { name: 'elu', apply: (b, x) => b.elu(x), ref: (x) => (x < 0 ? Math.expm1(x) : x) },
];

/** A float32 constant of `shape` holding `data`. */
export function constantOf(b: Builder, shape: number[], data: readonly number[]): MLOperand {
  return b.constant({ dataType: 'float32', shape }, typedArrayFor({ dataType: 'float32', shape, data }));
}

/** The nodes `pass` returns for the graph `build` makes (float32 inputs of the given shapes). */
export async function passNodes(backend: BackendName, pass: Pass, inputShapes: Record<string, number[]>, build: Build):
  Promise<GraphNode[]> {
  const b = (await builderFor(backend)) as Builder;
  const operands = Object.fromEntries(Object.entries(inputShapes).map(([name, shape]) =>
    [name, b.input(name, { dataType: 'float32', shape })]));
  const named = new Map<string, OperandRef>(Object.entries(build(b, operands)).map(([k, v]) => [k, operandRef(v)]));
  const { order, inputs } = reachableGraph(named.values());
  const first = named.values().next().value!;
  if (first.dims === undefined) return pass(order, named);
  // A builder made with the dynamic-shape proposal on records symbolic calls; build() plans their concrete replay.
  const owner = { owner: first.builder, backend, operands: mlOperands, cannotBuildReason: () => null };
  const concrete = specialize(owner, { order, inputs, outputs: named, bounds: new Map() },
    new Map([...inputs].map(([name, ref]) => [name, ref.desc.shape])));
  return pass(concrete.order, concrete.outputs);
}

export const opsOf = (nodes: readonly GraphNode[]): string => nodes.map((n) => n.op).join(', ');

/** The TF.js kernels (by name, in order) one dispatch of the built graph runs. */
export async function kernelsOf(backend: BackendName, inputs: Record<string, TensorValue>, build: Build): Promise<string[]> {
  return (await dispatchProfile(backend, inputs, build)).kernels;
}

/** The kernels one dispatch of the built graph runs, and the number of tensors it makes (kernel outputs included). */
export async function dispatchProfile(backend: BackendName, inputs: Record<string, TensorValue>, build: Build):
  Promise<{ kernels: string[]; newTensors: number }> {
  const ctx = await contextFor(backend);
  const b = (await builderFor(backend)) as Builder;
  const operands = Object.fromEntries(Object.entries(inputs).map(([name, v]) =>
    [name, b.input(name, { dataType: v.dataType, shape: v.shape })]));
  const outputs = build(b, operands);
  const graph = await b.build(outputs);
  const bound: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(inputs)) {
    const t = await ctx.createTensor({ dataType: v.dataType, shape: v.shape, writable: true });
    ctx.writeTensor(t, typedArrayFor(v) as Uint8Array);
    bound[name] = t;
  }
  const results: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(outputs)) {
    results[name] = await ctx.createTensor({ dataType: o.dataType, shape: [...o.shape], readable: true });
  }
  // Every tensor gets the next id: the ids of two probes bracket those made in between.
  const probeId = () => tf.tidy(() => tf.scalar(0).id);
  const before = probeId();
  const profile = await tf.profile(async () => {
    ctx.dispatch(graph, bound as never, results as never);
    for (const t of Object.values(results)) await ctx.readTensor(t as never);
  });
  const made = probeId() - before - 1;
  for (const t of [...Object.values(bound), ...Object.values(results)]) (t as { destroy(): void }).destroy();
  graph.destroy();
  // Names ending in __op are the scopes of TF.js's composite operations, not kernels.
  return { kernels: profile.kernels.map((k) => k.name).filter((name) => !name.endsWith('__op')), newTensors: made };
}

/** What the gru and lstm tests share: constants from seeds, the plan-size and memory checks, the limits check. */
import type { MLGraph } from '../../src/api/graph.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import { graphSlots } from '../../src/api/internals.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { BackendName } from '../../src/runtime/backends.js';
import { tf } from '../../src/runtime/backends.js';
import { builderFor, contextFor, randomData } from '../util/harness.js';

export type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => unknown>;

/** A float32 constant of `shape` holding random values from `seed`. */
export function seededConstant(b: Builder, shape: number[], seed: number): MLOperand {
  return b.constant({ dataType: 'float32', shape }, new Float32Array(randomData(shape.reduce((p, n) => p * n, 1), seed)));
}

export function planStepCount(graph: MLGraph): number {
  return graphSlots.get(graph, 'test').plan!.stepCount;
}

/**
 * Builds the recurrent operation `build` makes on an input x [4, 2, 3], dispatches it six times and checks that the
 * last five leave tf.memory().numTensors unchanged; `read` names the output read after each dispatch.
 */
export async function checkDispatchesKeepTensors(backend: BackendName,
  build: (b: Builder, x: MLOperand) => MLOperand[], read: string): Promise<void> {
  const ctx = await contextFor(backend);
  const b = await builderFor(backend) as Builder;
  const outs = build(b, b.input('x', { dataType: 'float32', shape: [4, 2, 3] }));
  const graph = await b.build(Object.fromEntries(outs.map((o, i) => [`out${i}`, o])));
  const input = await ctx.createTensor({ dataType: 'float32', shape: [4, 2, 3], writable: true });
  ctx.writeTensor(input, new Float32Array(randomData(24, 4)));
  const outputs = Object.fromEntries(await Promise.all(outs.map(async (o, i) =>
    [`out${i}`, await ctx.createTensor({ dataType: 'float32', shape: [...o.shape], readable: true })] as const)));
  ctx.dispatch(graph, { x: input }, outputs);
  await ctx.readTensor(outputs['out0']!);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    ctx.dispatch(graph, { x: input }, outputs);
    await ctx.readTensor(outputs[read]!);
  }
  const after = tf.memory().numTensors;
  for (const t of [input, ...Object.values(outputs)]) t.destroy();
  graph.destroy();
  if (after !== before) throw new Error(`numTensors ${before} -> ${after} after 5 dispatches`);
}

/** Each operation reports exactly these members, every one float32 and float16 at exactly its rank. */
export async function checkFloatLimits(backend: BackendName, ranksByOperation: Record<string, Record<string, number>>): Promise<void> {
  const limits = (await contextFor(backend)).opSupportLimits() as unknown as
    Record<string, Record<string, { dataTypes: string[]; rankRange: { min: number; max: number } }>>;
  for (const [op, ranks] of Object.entries(ranksByOperation)) {
    const members = Object.keys(limits[op]!).sort();
    if (members.join() !== Object.keys(ranks).sort().join()) throw new Error(`${op} members: ${members.join(', ')}`);
    for (const [member, rank] of Object.entries(ranks)) {
      const l = limits[op]![member]!;
      if (l.rankRange.min !== rank || l.rankRange.max !== rank) throw new Error(`${op}.${member} rank range`);
      if (l.dataTypes.join() !== 'float32,float16') throw new Error(`${op}.${member} data types ${l.dataTypes.join()}`);
    }
  }
}

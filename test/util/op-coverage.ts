/**
 * Optional mocha root hooks (loaded with `--require test/util/op-coverage.ts` when WEBNN_OP_COVERAGE names a file):
 * counts, per operation, data type of its first operand and backend, the passing tests that built that operation.
 * `npm run op-coverage` turns the counts into a table.
 */
import { writeFileSync } from 'node:fs';
import { MLGraphBuilder } from '../../src/api/graph-builder.js';
import { allOps } from '../../src/ops/registry.js';

const output = process.env['WEBNN_OP_COVERAGE'];
const seen = new Set<string>();
const counts = new Map<string, number>();

function firstOperandType(args: unknown[]): string | undefined {
  for (const a of args) {
    const candidate = Array.isArray(a) ? a[0] : a;
    const dataType = (candidate as { dataType?: unknown } | null)?.dataType;
    if (typeof dataType === 'string') return dataType;
  }
  return undefined;
}

if (output) {
  const proto = MLGraphBuilder.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const op of allOps()) {
    // The dynamic-shape proposal's operations are on the prototype only while it is switched on; they are not counted.
    if (!op.method || op.proposal) continue;
    const original = proto[op.name]!;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const result = original.apply(this, args);
      const dataType = firstOperandType(args);
      if (dataType) seen.add(`${op.name}|${dataType}`);
      return result;
    };
    Object.defineProperty(wrapped, 'length', { value: original.length });
    Object.defineProperty(wrapped, 'name', { value: op.name });
    Object.defineProperty(proto, op.name, { value: wrapped, writable: true, configurable: true });
  }
}

export const mochaHooks = output ? {
  beforeEach(): void {
    seen.clear();
  },
  afterEach(this: Mocha.Context): void {
    const test = this.currentTest;
    if (!test || test.state !== 'passed') return;
    const backend = /\[(cpu|wasm|webgl)\]/.exec(test.fullTitle())?.[1] ?? 'any';
    for (const key of seen) counts.set(`${key}|${backend}`, (counts.get(`${key}|${backend}`) ?? 0) + 1);
  },
  afterAll(): void {
    writeFileSync(output, JSON.stringify(Object.fromEntries(counts), null, 1));
  },
} : {};

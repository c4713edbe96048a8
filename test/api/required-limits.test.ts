/** Every operand of every operation advertises at least the spec's required data types and ranks, on every backend. */
import required from '../fixtures/spec-required-limits.json';
import { contextFor, forEachBackend } from '../util/harness.js';

interface Limits { dataTypes: string[]; rankRange: { min: number; max: number } }

/** The spec's table rows name some outputs by position; MLOpSupportLimits names them output0, output1, ... */
function memberName(op: string, row: string): string {
  if (row === 'outputs[0]') return 'output0';
  if (row === 'outputs[1]') return 'output1';
  // The sequence output, present when returnSequence is true: output1 of gru, output2 of lstm.
  if (row === 'returnSequence') return op === 'gru' ? 'output1' : 'output2';
  return row;
}

forEachBackend('opSupportLimits() covers the spec\'s required data types and ranks', (backend) => {
  const operations = required.operations as Record<string, Record<string, { dataTypes: string[]; rankRange: number[] | null }>>;
  for (const [op, rows] of Object.entries(operations)) {
    it(op, async () => {
      const limits = (await contextFor(backend)).opSupportLimits() as unknown as Record<string, Record<string, Limits>>;
      const missing: string[] = [];
      for (const [row, req] of Object.entries(rows)) {
        const name = memberName(op, row);
        const actual = limits[op]?.[name];
        if (!actual) {
          missing.push(`${name}: not reported`);
          continue;
        }
        for (const t of req.dataTypes) if (!actual.dataTypes.includes(t)) missing.push(`${name}: lacks ${t}`);
        if (req.rankRange && (actual.rankRange.min > req.rankRange[0]! || actual.rankRange.max < req.rankRange[1]!)) {
          missing.push(`${name}: ranks [${actual.rankRange.min}, ${actual.rankRange.max}] do not cover [${req.rankRange.join(', ')}]`);
        }
      }
      if (missing.length > 0) throw new Error(`${op}: ${missing.join('; ')}`);
    });
  }
});

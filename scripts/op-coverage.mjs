// Runs the Node test suite once with op-coverage hooks, then prints, per operation, each data type opSupportLimits
// advertises for its first operand with the number of passing tests that built it on cpu and on wasm.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const file = join(mkdtempSync(join(tmpdir(), 'op-coverage-')), 'counts.json');
execFileSync(process.execPath, ['node_modules/mocha/bin/mocha.js', '--require', 'test/util/op-coverage.ts', '--reporter', 'dot'],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, WEBNN_OP_COVERAGE: file } });
const counts = JSON.parse(readFileSync(file, 'utf8'));

const limitsScript = `
  import { installNow } from './src/index.ts';
  installNow();
  const ctx = await navigator.ml.createContext({ tfjsBackend: 'cpu' });
  console.log(JSON.stringify(ctx.opSupportLimits()));`;
const limits = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', limitsScript],
  { encoding: 'utf8' }).trim().split('\n').pop());

const short = { float32: 'f32', float16: 'f16', int32: 'i32', uint32: 'u32', int64: 'i64', uint64: 'u64', int8: 'i8', uint8: 'u8' };
let untested = 0;
console.log('| operation | data type (first operand): passing tests cpu / wasm |');
console.log('|---|---|');
for (const op of Object.keys(limits).sort()) {
  const members = limits[op];
  if (!members || typeof members !== 'object' || !('input' in members || 'a' in members || 'inputs' in members || 'condition' in members)) continue;
  const first = members.input ?? members.a ?? members.inputs ?? members.condition;
  const cells = first.dataTypes.map((t) => {
    const cpu = counts[`${op}|${t}|cpu`] ?? 0;
    const wasm = counts[`${op}|${t}|wasm`] ?? 0;
    if (cpu === 0 || wasm === 0) untested++;
    return `${short[t]} ${cpu}/${wasm}`;
  });
  console.log(`| ${op} | ${cells.join(', ')} |`);
}
console.log(`\n${untested} advertised (operation, data type) pairs without a passing test on cpu or wasm`);

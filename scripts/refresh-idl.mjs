// Copies the WebNN IDL of the installed @webref/idl (its version pinned in package.json) to idl/webnn.idl and
// reports whether it changed, with the interface members added or removed.
//
//   node scripts/refresh-idl.mjs           copy, then report
//   node scripts/refresh-idl.mjs --check   report only; exit code 1 when idl/webnn.idl differs from @webref/idl
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'webidl2';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const checkOnly = process.argv.includes('--check');

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pinned = pkg.devDependencies?.['@webref/idl'] ?? pkg.dependencies?.['@webref/idl'];
const sourcePath = require.resolve('@webref/idl/webnn.idl');
const installed = JSON.parse(readFileSync(join(dirname(sourcePath), 'package.json'), 'utf8')).version;
if (!/^\d+\.\d+\.\d+$/.test(pinned ?? '')) {
  console.warn(`package.json gives @webref/idl as '${pinned}', not an exact version: pin it so idl/webnn.idl is reproducible`);
}
if (pinned !== installed) {
  console.warn(`installed @webref/idl is ${installed} but package.json asks for ${pinned}: run npm install first`);
}

const target = join(root, 'idl', 'webnn.idl');
const next = readFileSync(sourcePath, 'utf8');
const current = existsSync(target) ? readFileSync(target, 'utf8') : '';

/** 'Interface.member' for every operation, attribute and constructor; partial interfaces and mixins included. */
function members(text) {
  const names = new Set();
  if (!text) return names;
  for (const d of parse(text)) {
    if (!d.type.startsWith('interface') && d.type !== 'dictionary') continue;
    for (const m of d.members ?? []) {
      const name = m.type === 'constructor' ? 'constructor' : m.name;
      if (name) names.add(`${d.name}.${name}${d.type === 'dictionary' ? ' (dictionary member)' : ''}`);
    }
  }
  return names;
}

if (next === current) {
  console.log(`idl/webnn.idl unchanged: it is @webref/idl ${installed}'s webnn.idl`);
  process.exit(0);
}

const before = members(current);
const after = members(next);
const added = [...after].filter((m) => !before.has(m));
const removed = [...before].filter((m) => !after.has(m));
const currentLines = new Set(current.split('\n'));
const nextLines = new Set(next.split('\n'));
const linesAdded = [...nextLines].filter((l) => !currentLines.has(l)).length;
const linesRemoved = [...currentLines].filter((l) => !nextLines.has(l)).length;

console.log(`idl/webnn.idl ${checkOnly ? 'differs from' : 'changed to'} @webref/idl ${installed}'s webnn.idl ` +
  `(about ${linesAdded} lines added, ${linesRemoved} removed)`);
if (added.length) console.log(`  members added:\n${added.map((m) => `    + ${m}`).join('\n')}`);
if (removed.length) console.log(`  members removed:\n${removed.map((m) => `    - ${m}`).join('\n')}`);
if (!added.length && !removed.length) console.log('  no member added or removed (types, arguments or comments changed)');

if (checkOnly) process.exit(1);
writeFileSync(target, next);
console.log('  run the IDL surface test (test/api/idl-surface.test.ts) to see what the polyfill now lacks');

// Finds the .any.js tests under a WPT root and expands each into the pages wptserve would serve for it: one per
// global scope the test declares and per `// META: variant=` line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** The scopes this runner can load, by the name --scope takes, with the `// META: global=` name and wrapper suffix. */
export const SCOPES = {
  window: { global: 'window', suffix: '.any.html' },
  worker: { global: 'dedicatedworker', suffix: '.any.worker.html' },
  'module-worker': { global: 'dedicatedworker-module', suffix: '.any.worker-module.html' },
};

/** Directories wptserve never treats as holding tests. */
const SKIPPED_DIRS = new Set(['resources', 'support', 'tools', '.git', 'node_modules']);

/**
 * The `// META: key=value` lines at the head of a test file, in order. wptserve reads them only from the leading run
 * of comment lines, so a META line after the first code line is ignored here too.
 */
export function parseMeta(source) {
  const meta = [];
  for (const line of source.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('//')) break;
    const match = /^\/\/\s*META:\s*([A-Za-z_-]+)=(.*)$/.exec(trimmed);
    if (match) meta.push({ key: match[1], value: match[2].trim() });
  }
  return meta;
}

/**
 * The global scopes a test declares, as wptserve expands `// META: global=`: no such line means window and
 * dedicatedworker; `worker` means every kind of worker; `!name` removes a scope.
 */
export function declaredGlobals(meta) {
  const lines = meta.filter((m) => m.key === 'global');
  if (lines.length === 0) return new Set(['window', 'dedicatedworker']);
  const globals = new Set();
  for (const line of lines) {
    for (const raw of line.value.split(',').map((s) => s.trim()).filter(Boolean)) {
      const negated = raw.startsWith('!');
      const name = negated ? raw.slice(1) : raw;
      const expanded = name === 'worker' ? ['dedicatedworker', 'sharedworker', 'serviceworker']
        : name === 'default' ? ['window', 'dedicatedworker'] : [name];
      for (const g of expanded) {
        if (negated) globals.delete(g);
        else globals.add(g);
      }
    }
  }
  return globals;
}

/** `// META: variant=?cpu` values; a test without them has the one variant ''. */
export function declaredVariants(meta) {
  const variants = meta.filter((m) => m.key === 'variant').map((m) => m.value);
  return variants.length ? variants : [''];
}

/** The device a variant selects (`?gpu`, `?gpu&x=1`, `?device=gpu` → gpu), or null for a variant naming none. */
export function variantDevice(variant) {
  const params = new URLSearchParams(variant.replace(/^\?/, ''));
  for (const [key, value] of params) {
    if (['cpu', 'gpu', 'npu'].includes(key) && value === '') return key;
    if (key === 'device' && ['cpu', 'gpu', 'npu'].includes(value)) return value;
  }
  return null;
}

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(full, out);
    } else if (entry.name.endsWith('.any.js')) {
      out.push(full);
    }
  }
  return out;
}

/** '/webnn/x' or 'webnn/x' → 'webnn/x'. */
export function normalisePrefix(prefix) {
  return prefix.replace(/\\/g, '/').replace(/^\/+/, '');
}

/**
 * Every page to run: { url, file, scope, variant, meta, timeout } for the .any.js files under `root` whose path starts
 * with one of `includes`, in the wanted scopes and device variants. Also returns the files that declared none of
 * the wanted scopes, so they are listed as not run rather than dropped silently.
 */
export function collectTests(root, { includes, scopes, devices }) {
  const prefixes = includes.map(normalisePrefix);
  // Walk only below each prefix: the prefix itself when it names a directory, else its parent.
  const starts = new Set(prefixes.map((p) => {
    const named = join(root, p);
    try {
      if (statSync(named).isDirectory()) return named;
    } catch { /* a file-name prefix */ }
    return join(root, p.split('/').slice(0, -1).join('/'));
  }));
  const files = new Set();
  for (const start of starts) {
    let isDir = false;
    try {
      isDir = statSync(start).isDirectory();
    } catch { /* missing: nothing under it */ }
    if (isDir) for (const f of walk(start, [])) files.add(f);
  }
  const pages = [];
  const notRun = [];
  for (const file of [...files].sort()) {
    const path = relative(root, file).split(sep).join('/');
    if (!prefixes.some((p) => path.startsWith(p))) continue;
    const meta = parseMeta(readFileSync(file, 'utf8'));
    const globals = declaredGlobals(meta);
    const timeout = meta.some((m) => m.key === 'timeout' && m.value === 'long') ? 'long' : 'normal';
    const title = meta.find((m) => m.key === 'title')?.value ?? '';
    let added = 0;
    for (const scope of scopes) {
      if (!globals.has(SCOPES[scope].global)) continue;
      for (const variant of declaredVariants(meta)) {
        const device = variantDevice(variant);
        if (device && !devices.includes(device)) continue;
        const base = `/${path.slice(0, -'.any.js'.length)}`;
        pages.push({ url: `${base}${SCOPES[scope].suffix}${variant}`, file: `/${path}`, scope, variant, timeout, title });
        added++;
      }
    }
    if (added === 0) notRun.push({ file: `/${path}`, globals: [...globals] });
  }
  return { pages, notRun };
}

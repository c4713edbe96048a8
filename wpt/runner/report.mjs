// Counting, the per-file table, the JSON report and the comparison with an expectations file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Subtest statuses that count as passed / skipped; every other one counts as failed. */
const PASSED = new Set(['PASS']);
const SKIPPED = new Set(['PRECONDITION_FAILED']);
/** Harness statuses that add a failure of their own (the page as a whole did not run to completion cleanly). */
const HARNESS_FAILURES = new Set(['ERROR', 'TIMEOUT', 'CRASH', 'EXTERNAL-TIMEOUT']);

export function countPage(result) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const s of result.subtests) {
    if (PASSED.has(s.status)) counts.passed++;
    else if (SKIPPED.has(s.status)) counts.skipped++;
    else counts.failed++;
  }
  if (HARNESS_FAILURES.has(result.status)) counts.failed++;
  else if (result.status === 'PRECONDITION_FAILED') counts.skipped++;
  return counts;
}

export function addCounts(total, counts) {
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  return total;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** One row per page (file × scope × variant), grouped by file; failing subtests listed under their page. */
export function printTable(entries, { verbose = false, write = (line) => console.log(line) } = {}) {
  const rows = entries.map(({ job, result }) => ({ job, result, counts: countPage(result) }))
    .sort((a, b) => a.job.file.localeCompare(b.job.file) || a.job.scope.localeCompare(b.job.scope)
      || a.job.variant.localeCompare(b.job.variant));
  const fileWidth = Math.max(4, ...rows.map((r) => r.job.file.length));
  const header = `${'file'.padEnd(fileWidth)}  ${'scope'.padEnd(13)}  ${'variant'.padEnd(7)}  ${'harness'.padEnd(19)}  ${'pass'.padStart(5)}  ${'fail'.padStart(5)}  ${'skip'.padStart(5)}  ${'time'.padStart(7)}`;
  write(header);
  write('-'.repeat(header.length));
  for (const { job, result, counts } of rows) {
    write(`${job.file.padEnd(fileWidth)}  ${job.scope.padEnd(13)}  ${(job.variant || '-').padEnd(7)}  ${result.status.padEnd(19)}  ${String(counts.passed).padStart(5)}  ${String(counts.failed).padStart(5)}  ${String(counts.skipped).padStart(5)}  ${seconds(result.durationMs).padStart(7)}`);
    if (HARNESS_FAILURES.has(result.status) && result.message) write(`    harness ${result.status}: ${oneLine(result.message)}`);
    const failing = result.subtests.filter((s) => !PASSED.has(s.status) && !SKIPPED.has(s.status));
    const shown = verbose ? failing : failing.slice(0, 5);
    for (const s of shown) write(`    ${s.status}: ${s.name}${s.message ? ` — ${oneLine(s.message)}` : ''}`);
    if (shown.length < failing.length) write(`    ... and ${failing.length - shown.length} more failing subtests (--verbose lists them all)`);
    if ((verbose || HARNESS_FAILURES.has(result.status)) && result.console.length) {
      for (const line of result.console.slice(0, verbose ? undefined : 5)) write(`    console ${oneLine(line)}`);
    }
  }
}

function oneLine(text, max = 240) {
  const flat = String(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The expectations file: { "<page url>": { "status": "<harness status>", "subtests": { "<name>": "<status>" } } }.
 * A page or subtest it does not list is expected to be OK / PASS.
 */
export function readExpectations(path) {
  if (!path || !existsSync(path)) return {};
  const parsed = JSON.parse(readFileSync(path, 'utf8'));
  delete parsed.$comment;
  return parsed;
}

/** Writes the current results as the expectations (only what is not OK / PASS), keeping each entry's "reason". */
export function writeExpectations(path, entries, previous, comment) {
  const out = { $comment: comment };
  const urls = new Map(entries.map((e) => [e.job.url, e]));
  // Pages not run this time keep their entries.
  for (const [url, value] of Object.entries(previous)) if (!urls.has(url)) out[url] = value;
  for (const { job, result } of entries) {
    const subtests = {};
    for (const s of result.subtests) if (s.status !== 'PASS') subtests[s.name] = s.status;
    if (result.status === 'OK' && Object.keys(subtests).length === 0) continue;
    const entry = {};
    if (previous[job.url]?.reason) entry.reason = previous[job.url].reason;
    entry.status = result.status;
    if (Object.keys(subtests).length) entry.subtests = subtests;
    out[job.url] = entry;
  }
  const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a === '$comment' ? -1 : b === '$comment' ? 1 : a.localeCompare(b))));
  writeFileSync(path, `${JSON.stringify(sorted, null, 2)}\n`);
}

/**
 * Compares results with expectations. regressions: expected to pass (or the page OK), did not. newlyPassing: expected
 * not to pass, passed. changed: expected one non-passing status, got another. missing: an expected non-passing
 * subtest the page no longer reports.
 */
export function compare(entries, expectations) {
  const regressions = [];
  const newlyPassing = [];
  const changed = [];
  const missing = [];
  for (const { job, result } of entries) {
    const expected = expectations[job.url] ?? {};
    const expectedHarness = expected.status ?? 'OK';
    if (expectedHarness !== result.status) {
      const item = { url: job.url, subtest: null, expected: expectedHarness, actual: result.status, message: result.message ?? null };
      if (result.status === 'OK') newlyPassing.push(item);
      else if (expectedHarness === 'OK') regressions.push(item);
      else changed.push(item);
    }
    const expectedSubtests = expected.subtests ?? {};
    const seen = new Set();
    for (const s of result.subtests) {
      seen.add(s.name);
      const want = expectedSubtests[s.name] ?? 'PASS';
      if (want === s.status) continue;
      const item = { url: job.url, subtest: s.name, expected: want, actual: s.status, message: s.message ?? null };
      if (s.status === 'PASS') newlyPassing.push(item);
      else if (want === 'PASS') regressions.push(item);
      else changed.push(item);
    }
    // A page that did not complete cannot tell which subtests went missing.
    if (result.status === 'OK' || result.status === 'ERROR') {
      for (const name of Object.keys(expectedSubtests)) {
        if (!seen.has(name)) missing.push({ url: job.url, subtest: name, expected: expectedSubtests[name], actual: null, message: null });
      }
    }
  }
  return { regressions, newlyPassing, changed, missing };
}

export function printComparison(comparison, expectationsPath, { write = (line) => console.log(line), limit = 40 } = {}) {
  const sections = [
    ['REGRESSIONS (expected to pass, did not)', comparison.regressions],
    ['CHANGED (a different non-passing status than expected)', comparison.changed],
    ['NEWLY PASSING (expected not to pass; update the expectations with --update-expectations)', comparison.newlyPassing],
    ['NO LONGER REPORTED (listed in the expectations, absent from the results)', comparison.missing],
  ];
  write(`\nexpectations: ${expectationsPath ?? '(none)'}`);
  let any = false;
  for (const [title, items] of sections) {
    if (!items.length) continue;
    any = true;
    write(`${title}: ${items.length}`);
    for (const item of items.slice(0, limit)) {
      const what = item.subtest === null ? '(harness)' : item.subtest;
      write(`  ${item.url}  ${what}: ${item.actual ?? 'absent'} (expected ${item.expected})${item.message ? ` — ${oneLine(item.message, 160)}` : ''}`);
    }
    if (items.length > limit) write(`  ... and ${items.length - limit} more (see the JSON report)`);
  }
  if (!any) write('every result is as expected');
}

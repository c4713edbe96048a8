// Runs test pages in headless Chromium (playwright-core driving the system's browser), several at once, each page in
// a fresh browser context, and collects what the page's testharnessreport.js sends.
import { chromium } from 'playwright-core';
import FLAGS from '../../scripts/chromium-flags.cjs';

/** Launches Chromium headless with a fresh user-data-dir (playwright makes a new temporary profile per launch). */
export function launchBrowser(executablePath) {
  return chromium.launch({ executablePath, headless: true, args: FLAGS, timeout: 60_000 });
}

const now = () => performance.now();

/**
 * Loads one page and waits until its harness completes, the page crashes, or `timeoutMs` passes. Resolves with
 * { status, message, subtests, console, durationMs }, where status is the harness status (OK, ERROR, TIMEOUT,
 * PRECONDITION_FAILED) or the runner's own verdict: CRASH, or EXTERNAL-TIMEOUT when the harness never completed.
 */
export async function runPage(browser, url, { timeoutMs }) {
  const started = now();
  const context = await browser.newContext();
  const consoleLines = [];
  const streamed = new Map();
  let settle;
  const outcome = new Promise((resolve) => { settle = resolve; });
  const onDisconnect = () => settle({ kind: 'crash', message: 'the browser exited' });
  browser.once('disconnected', onDisconnect);
  try {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleLines.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleLines.push(`uncaught: ${error.message}`));
    page.on('crash', () => settle({ kind: 'crash', message: 'the page crashed' }));
    await page.exposeBinding('__wptRunnerReport', (_source, json) => {
      const message = JSON.parse(json);
      if (message.type === 'result') streamed.set(message.subtest.name, message.subtest);
      else if (message.type === 'complete') settle({ kind: 'complete', message });
    });
    const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
    page.goto(url, { waitUntil: 'commit', timeout: timeoutMs })
      .catch((error) => settle({ kind: 'load-error', error }));
    const result = await outcome;
    clearTimeout(timer);
    const durationMs = now() - started;
    switch (result.kind) {
      case 'complete': {
        const { harness, subtests } = result.message;
        return { status: harness.status, message: harness.message, stack: harness.stack, subtests, console: consoleLines, durationMs };
      }
      case 'crash':
        return { status: 'CRASH', message: result.message, subtests: [...streamed.values()], console: consoleLines, durationMs };
      case 'timeout':
        return {
          status: 'EXTERNAL-TIMEOUT',
          message: `the harness did not complete within the runner's limit of ${(timeoutMs / 1000).toFixed(0)} s`,
          subtests: [...streamed.values()], console: consoleLines, durationMs,
        };
      default:
        return {
          status: 'ERROR', message: `the page did not load: ${result.error?.message ?? result.error}`,
          subtests: [...streamed.values()], console: consoleLines, durationMs,
        };
    }
  } finally {
    browser.off('disconnected', onDisconnect);
    await context.close().catch(() => {});
  }
}

/**
 * Runs `jobs` (each { url, timeoutMs }) with at most `parallel` pages open at a time. A browser that dies is
 * relaunched; the page that was running when it died is reported as CRASH. `onResult(job, result)` is called as each
 * page finishes.
 */
export async function runAll(jobs, { executablePath, parallel, origin, onResult }) {
  let browser = await launchBrowser(executablePath);
  let relaunching = null;
  const ensureBrowser = async () => {
    if (browser.isConnected()) return browser;
    relaunching ??= launchBrowser(executablePath).then((b) => {
      browser = b;
      relaunching = null;
      return b;
    });
    return relaunching;
  };
  const queue = [...jobs];
  const lanes = Array.from({ length: Math.max(1, Math.min(parallel, queue.length)) }, async () => {
    while (queue.length) {
      const job = queue.shift();
      let result;
      try {
        const b = await ensureBrowser();
        result = await runPage(b, origin + job.url, { timeoutMs: job.timeoutMs });
      } catch (error) {
        result = { status: 'CRASH', message: `the browser failed: ${error.message ?? error}`, subtests: [], console: [], durationMs: 0 };
      }
      onResult(job, result);
    }
  });
  try {
    await Promise.all(lanes);
  } finally {
    await browser.close().catch(() => {});
  }
}

// Prints the rows of bench/ort/entry.mjs: the timing table, then per model what ORT placed where and what it cost
// to build and start.

const ms = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3));
const range = (s) => `${ms(s.median)} (${ms(s.p10)}-${ms(s.p90)})`;

function align(header, body, numeric) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function formatOrtTable(rows) {
  const measured = rows.filter((r) => !r.skipped);
  const header = ['backend', 'model', 'WebNN EP ms (p10-p90)', 'of which polyfill', 'ORT wasm ms (p10-p90)', 'ratio', 'ORT floor', 'runs',
    'max |diff| / |out|', 'kernels', 'transposes', 'dispatches'];
  const body = rows.map((r) => (r.skipped
    ? [r.backend, r.model, '-', '-', '-', '-', '-', '-', r.skipped, '-', '-', '-']
    : [r.backend, r.model, range(r.webnn), ms(r.polyfill.median), range(r.wasm), `${r.ratio.toFixed(2)}x`,
      `${r.floorRatio.toFixed(2)}x`, String(r.runs),
      `${r.maxDifference.toExponential(1)} / ${r.maxOutput.toPrecision(2)}`, String(r.kernels), String(r.transposes), String(r.dispatchesPerRun)]));
  const timing = align(header, body, new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));

  const startHeader = ['backend', 'model', 'nodes on WebNN', 'partitions', 'polyfill build ms', 'WebNN session ms',
    'wasm session ms', 'first run WebNN / wasm / floor ms', 'of which polyfill: first / median', 'warm-up s'];
  const startBody = measured.map((r) => [r.backend, r.model, `${r.webnnNodes ?? '?'}/${r.nodes ?? '?'}`,
    String(r.partitions ?? '?'), ms(r.polyfillBuildMs), ms(r.webnnSessionMs), ms(r.wasmSessionMs),
    `${ms(r.webnnFirstMs)} / ${ms(r.wasmFirstMs)} / ${ms(r.floorFirstMs)}`, `${ms(r.polyfillFirstMs)} / ${ms(r.polyfill.median)}`,
    (r.warmupMs / 1000).toFixed(1)]);
  const start = align(startHeader, startBody, new Set([2, 3, 4, 5, 6, 7, 8, 9]));

  const notes = measured.flatMap((r) => {
    const elsewhere = Object.entries(r.placements).filter(([ep]) => ep !== 'WebNNExecutionProvider');
    const lines = [`${r.model}: ${r.source}`];
    const kernels = Object.entries(r.kernelCounts).sort((a, b) => b[1][1] - a[1][1])
      .map(([name, [count, time]]) => `${name} ${count} (${ms(time)} ms)`);
    if (!kernels.length) lines.push(`  ${r.backend}: no TF.js kernel per run (the polyfill's work runs on the host)`);
    else {
      lines.push(`  ${r.backend}: TF.js kernels per run (${ms(r.profiledMs)} ms inside kernels, profiled): ${kernels.join(', ')}; ` +
        `slowest: ${r.slowestKernels.map((k) => `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join('')} ${ms(k.ms)} ms`).join(', ')}`);
    }
    if (r.rejected.length) {
      const counts = new Map();
      for (const node of r.rejected) {
        const opType = node.slice(0, node.indexOf(':'));
        counts.set(opType, (counts.get(opType) ?? 0) + 1);
      }
      const listed = r.rejected.length <= 8 ? r.rejected.join(', ')
        : [...counts].sort((a, b) => b[1] - a[1]).map(([opType, n]) => `${n} ${opType}`).join(', ');
      lines.push(`  not taken by the WebNN EP (${r.rejected.length}): ${listed}`);
    }
    if (elsewhere.length) lines.push(`  placed elsewhere: ${elsewhere.map(([ep, n]) => `${n} on ${ep}`).join(', ')}`);
    return r.backend === measured[0].backend ? lines : [`${r.model}:`, lines[1]];
  });
  return [timing, '', start, '', ...notes].join('\n');
}

export const ORT_LEGEND = 'ratio = median ms through ORT-web\'s WebNN EP on the polyfill / median ms through ORT-web\'s ' +
  'wasm EP (lower is better), the two run in turn in one page with the same thread count, timed after warm-up ' +
  'runs in turn (warm-up s: at least 2 s, then until three windows of 40 runs in a row hold no more than 2 of either ' +
  'provider slower than twice its median, at most 20 s: Chromium compiles the hot wasm functions of ORT in background threads for seconds, ' +
  'which take the page off a core for ms at a time); one run = session.run() ' +
  'with every output read; of which polyfill = median of the polyfill\'s part of a run (its writeTensor calls, and ' +
  'from dispatch() until the following readTensor() resolves), timed in as many runs again, in turn with wasm runs (the ' +
  'runs of the ratio are not timed inside); ORT floor = median ms of the same WebNN EP session with ' +
  'the polyfill\'s writeTensor and dispatch doing nothing and readTensor giving back what a real run\'s reads gave / ORT wasm median, the two run in turn: what ORT\'s WebNN EP costs on ' +
  'its own, the least ratio any WebNN implementation could reach; kernels, transposes = TF.js kernels per run (tf.profile over one run); dispatches = ' +
  'MLContext.dispatch calls per run; max |diff| / |out| = largest difference between the two EPs\' outputs / largest output magnitude; polyfill build ' +
  '= time in MLGraphBuilder.build(); session ms = InferenceSession.create() of the timed ' +
  'session, the second of the model in the page (the first, with verbose logging, says where nodes were placed); first ' +
  'run = its first session.run(), and the polyfill\'s part of it beside the median of the timed runs\' parts (the ' +
  'part holds whatever ORT does between its dispatch and its read); first run floor = the first run of another WebNN ' +
  'EP session of the model with free compute, as for ORT floor: ORT\'s own part of a first run';

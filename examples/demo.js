// The page of index.html: reads the sample image's text on the chosen polyfill backend and on ORT's wasm provider,
// draws what the WebNN run found, and leaves the outcome in `window.demoResult` (the demo's test reads it).
/* global ort */
import { createSessions, IMAGE, loadModels, readText, startRuntime } from './ocr/ocr.js';

const params = new URLSearchParams(location.search);
/** Runs after the first, per provider, for the median. */
const RUNS = Math.max(1, Number(params.get('runs') ?? 5));
const $ = (id) => document.getElementById(id);
const ms = (v) => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`;

function setStatus(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

async function loadImage() {
  const image = new Image();
  image.src = 'ocr/sample.png';
  await image.decode();
  const canvas = new OffscreenCanvas(IMAGE.width, IMAGE.height);
  canvas.getContext('2d').drawImage(image, 0, 0);
  return canvas;
}

/** Sessions made, a first run, then RUNS more: the lines read and the times. */
async function measure(models, image, executionProvider) {
  const { sessions, ms: sessionsMs } = await createSessions(ort, models, executionProvider);
  try {
    let start = performance.now();
    const lines = await readText(ort, sessions, image, models.characters);
    const firstMs = performance.now() - start;
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      start = performance.now();
      await readText(ort, sessions, image, models.characters);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { lines, sessionsMs, firstMs, medianMs: times[times.length >> 1] };
  } finally {
    await sessions.detector.release();
    await sessions.recognizer.release();
  }
}

function draw(image, lines) {
  const g = $('image').getContext('2d');
  g.drawImage(image, 0, 0);
  g.lineWidth = 2;
  g.font = '13px system-ui, sans-serif';
  for (const { box, text, confidence } of lines) {
    g.strokeStyle = '#1a9c4a';
    g.strokeRect(box.x0 + 0.5, box.y0 + 0.5, box.x1 - box.x0 - 1, box.y1 - box.y0 - 1);
    const label = `${text} (${confidence.toFixed(2)})`;
    const width = g.measureText(label).width + 8;
    const top = Math.max(0, box.y0 - 18);
    g.fillStyle = '#1a9c4a';
    g.fillRect(box.x0, top, width, 18);
    g.fillStyle = '#fff';
    g.fillText(label, box.x0 + 4, top + 13);
  }
}

function show(webnn, wasm) {
  const body = $('lines').tBodies[0];
  body.replaceChildren();
  const count = Math.max(webnn.lines.length, wasm.lines.length);
  for (let i = 0; i < count; i++) {
    const row = body.insertRow();
    row.insertCell().textContent = String(i + 1);
    for (const side of [webnn, wasm]) {
      const line = side.lines[i];
      row.insertCell().textContent = line ? `${line.text} (${line.confidence.toFixed(3)})` : '—';
    }
  }
  $('lines').hidden = false;
  for (const [name, side] of [['webnn', webnn], ['wasm', wasm]]) {
    $(`${name}-sessions`).textContent = ms(side.sessionsMs);
    $(`${name}-first`).textContent = ms(side.firstMs);
    $(`${name}-median`).textContent = ms(side.medianMs);
  }
  $('median-label').textContent = `median of ${RUNS} more runs`;
  $('timings').hidden = false;
}

let models = null;
/** How long ONNX Runtime took to start, once per page. */
let runtimeMs = null;

async function run(backend) {
  window.demoResult = null;
  $('lines').hidden = true;
  $('timings').hidden = true;
  try {
    setStatus('Loading the models…');
    models ??= await loadModels();
    const image = await loadImage();
    $('image').getContext('2d').drawImage(image, 0, 0);
    if (runtimeMs === null) {
      setStatus('Starting ONNX Runtime…');
      runtimeMs = await startRuntime(ort, models);
      $('runtime-start').textContent = `ONNX Runtime's own start-up (its wasm module compiled, once per page, before either side is timed): ${ms(runtimeMs)}.`;
    }
    setStatus(`Reading on the polyfill's ${backend} backend…`);
    const context = await navigator.ml.createContext({ tfjsBackend: backend });
    const webnn = await measure(models, image, { name: 'webnn', context });
    draw(image, webnn.lines);
    setStatus('Reading on ORT\'s wasm provider…');
    const wasm = await measure(models, image, 'wasm');
    context.destroy();
    show(webnn, wasm);
    setStatus(`Done: ${webnn.lines.length} lines found on the polyfill's ${backend} backend.`);
    window.demoResult = { backend, webnn, wasm, runtimeMs };
  } catch (error) {
    setStatus(`Failed: ${error?.stack ?? error}`, true);
    window.demoResult = { backend, error: String(error?.message ?? error) };
  }
}

ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
$('controls').addEventListener('submit', (event) => {
  event.preventDefault();
  void run(new FormData($('controls')).get('backend'));
});
const requested = params.get('backend');
if (requested) $('controls').elements.namedItem('backend').value = requested;
void run(new FormData($('controls')).get('backend'));

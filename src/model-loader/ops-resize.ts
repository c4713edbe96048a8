/**
 * Resize and Upsample as WebNN's resample2d, for the ONNX settings whose sampling points resample2d reproduces
 * exactly. resample2d samples at (x + 0.5) / scale - 0.5 clamped to the input (half_pixel), nearest rounding half
 * down; with integer upscaling the asymmetric transform with floor rounding picks the same pixels.
 */
import type { Converter, ConverterTable } from './converter.js';
import type { NodeImport } from './node-import.js';
import { asShapeValue, elements } from './shape-values.js';
import { dimensionsOf, isStaticShape } from './symbolic.js';
import type { Operand } from './webnn-types.js';

interface ResizeSettings {
  mode: string;
  coordinates: string;
  nearestMode: string;
}

/** The output size of every axis, from sizes or from scales (floor(input * scale), as ONNX rounds). */
function outputSizes(n: NodeImport, shape: readonly number[], scales: number[] | null, sizes: number[] | null, axes: number[]): number[] {
  const out = [...shape];
  axes.forEach((axis, k) => {
    if (sizes) out[axis] = sizes[k]!;
    else out[axis] = Math.floor(shape[axis]! * scales![k]!);
    if (!(out[axis]! > 0)) throw n.unsupported(`axis ${axis} would have size ${out[axis]}`);
  });
  return out;
}

function samplesAlike(settings: ResizeSettings, inSizes: number[], outSizes: number[], exactScale: boolean): boolean {
  const { mode, coordinates, nearestMode } = settings;
  const halfPixel = coordinates === 'half_pixel' || (coordinates === 'pytorch_half_pixel' && outSizes.every((s) => s > 1));
  if (mode === 'linear') return halfPixel && exactScale;
  if (mode !== 'nearest') return false;
  const integerUpscale = outSizes.every((s, k) => s % inSizes[k]! === 0);
  if (halfPixel && exactScale && nearestMode === 'round_prefer_floor') return true;
  return integerUpscale && (halfPixel || (coordinates === 'asymmetric' && nearestMode === 'floor'));
}

/**
 * Resize of the last two axes to sizes computed at run time, or of an input with named dimensions: the settings
 * resample2d reproduces whatever the sizes (half_pixel with the sizes given, or with integer scales).
 */
function resampleNamed(n: NodeImport, settings: ResizeSettings, scales: number[] | null, sizes: number[] | Operand | null,
  axesGiven?: number[]): Operand {
  const x = n.operand(0);
  const rank = x.shape.length;
  const axes = axesGiven ?? [...Array(rank).keys()];
  const pair = [rank - 2, rank - 1];
  // Sizes computed at run time are taken to keep the leading axes (exporters write Concat(Shape(x)[:-2], sizes));
  // the reshape to them below makes dispatch fail where their product differs.
  const untouched = (k: number) => axes[k]! < rank - 2 &&
    (scales ? scales[k] === 1 : !Array.isArray(sizes) || sizes[k] === dimensionsOf(x)[axes[k]!]);
  if (rank < 2 || axes.some((a, k) => !pair.includes(a) && !untouched(k))) {
    throw n.unsupported('resizing axes other than the last two of an input with named dimensions, or to sizes computed at run time, is not mapped');
  }
  const { mode, coordinates, nearestMode } = settings;
  const halfPixel = coordinates === 'half_pixel';
  const integerScales = scales !== null && pair.every((a) => Number.isInteger(scales[axes.indexOf(a)] ?? 1));
  const alike = mode === 'linear' ? halfPixel && (sizes !== null || integerScales)
    : mode === 'nearest' && ((halfPixel && nearestMode === 'round_prefer_floor') ||
      (integerScales && (halfPixel || (coordinates === 'asymmetric' && nearestMode === 'floor'))));
  if (!alike) {
    throw n.unsupported(`mode '${mode}' with coordinate_transformation_mode '${coordinates}' and nearest_mode '${nearestMode}' ` +
      'is not one resample2d computes at sizes known only at run time');
  }
  const webnnMode = mode === 'linear' ? 'linear' : 'nearest-neighbor';
  if (scales) return n.builder.resample2d(x, { mode: webnnMode, scales: pair.map((a) => scales[axes.indexOf(a)] ?? 1), axes: pair });
  if (Array.isArray(sizes)) return n.builder.resample2d(x, { mode: webnnMode, sizes: pair.map((a) => sizes[axes.indexOf(a)]!), axes: pair });
  const values = asShapeValue(n, sizes as Operand);
  const at = axes.indexOf(rank - 2);
  if (at < 0 || axes.indexOf(rank - 1) !== at + 1 || (axes.length !== 2 && axes.length !== rank)) {
    throw n.unsupported('sizes computed at run time are mapped for the last two axes, or for every axis');
  }
  const y = n.dynamic().resample2dDynamic(x, { mode: webnnMode, sizes: elements(n, values, at, 2), axes: pair });
  return axes.length === rank ? n.dynamic().reshapeDynamic(y, values) : y;
}

function resample(n: NodeImport, settings: ResizeSettings, scales: number[] | null, sizes: number[] | null, axesGiven?: number[]) {
  const x = n.operand(0);
  if (!isStaticShape(dimensionsOf(x))) return resampleNamed(n, settings, scales, sizes, axesGiven);
  const rank = x.shape.length;
  const axes = axesGiven ?? [...Array(rank).keys()];
  const out = outputSizes(n, x.shape, scales, sizes, axes);
  const changed = out.flatMap((s, k) => (s !== x.shape[k] ? [k] : []));
  if (changed.length === 0) return n.builder.identity(x);
  const pair = changed.length === 1 ? (changed[0]! === rank - 1 ? [rank - 2, rank - 1] : [changed[0]!, changed[0]! + 1])
    : changed.length === 2 && changed[1]! === changed[0]! + 1 ? changed : null;
  if (!pair) throw n.unsupported(`resizing axes [${changed.join(', ')}] is not mapped (resample2d resizes two adjacent axes)`);
  const inSizes = pair.map((a) => x.shape[a]!);
  const outSizesOfPair = pair.map((a) => out[a]!);
  // ONNX maps coordinates with the scale it is given; resample2d with output / input: they agree when these are equal.
  const exactScale = sizes !== null || pair.every((a) => {
    const k = axes.indexOf(a);
    return k < 0 || Math.fround(out[a]! / x.shape[a]!) === Math.fround(scales![k]!);
  });
  if (!samplesAlike(settings, inSizes, outSizesOfPair, exactScale)) {
    throw n.unsupported(`mode '${settings.mode}' with coordinate_transformation_mode '${settings.coordinates}' and ` +
      `nearest_mode '${settings.nearestMode}' at these sizes is not one resample2d computes`);
  }
  return n.builder.resample2d(x, {
    mode: settings.mode === 'linear' ? 'linear' : 'nearest-neighbor', sizes: outSizesOfPair, axes: pair,
  });
}

const resize: Converter = {
  minOpset: 10,
  convert(n) {
    const mode = n.string('mode', 'nearest');
    if (n.opset < 11) {
      return resample(n, { mode, coordinates: 'asymmetric', nearestMode: 'floor' }, n.constantNumbers(1, 'scales'), null);
    }
    n.require(n.int('antialias', 0) === 0, 'antialias = 1 is not mapped');
    n.require(n.string('keep_aspect_ratio_policy', 'stretch') === 'stretch', 'keep_aspect_ratio_policy other than stretch is not mapped');
    const coordinates = n.string('coordinate_transformation_mode', 'half_pixel');
    n.require(coordinates !== 'tf_crop_and_resize', "coordinate_transformation_mode 'tf_crop_and_resize' is not mapped");
    const axes = n.opset >= 18 ? n.ints('axes')?.map((a) => n.axis(a, n.rank(0))) : undefined;
    const settings = { mode, coordinates, nearestMode: n.string('nearest_mode', 'round_prefer_floor') };
    if (n.has(3) && !n.host(3)) return resampleNamed(n, settings, null, n.operand(3), axes);
    const scales = n.has(2) ? n.constantNumbers(2, 'scales') : [];
    const sizes = n.has(3) ? n.constantNumbers(3, 'sizes') : [];
    if (sizes.length > 0) return resample(n, settings, null, sizes, axes);
    if (scales.length === 0) throw n.invalid('neither scales nor sizes is given');
    return resample(n, settings, scales, null, axes);
  },
};

const upsample: Converter = {
  minOpset: 7,
  maxOpset: 9,
  convert(n) {
    const scales = n.opset < 9 ? n.ints('scales')?.slice() : n.constantNumbers(1, 'scales');
    if (!scales) throw n.invalid('scales are missing');
    return resample(n, { mode: n.string('mode', 'nearest'), coordinates: 'asymmetric', nearestMode: 'floor' }, scales, null);
  },
};

export const RESIZE_CONVERTERS: ConverterTable = [
  ['Resize', resize],
  ['Upsample', upsample],
];

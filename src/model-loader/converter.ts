/** A converter maps one ONNX operator, for a range of opsets, to WebNN operations (or folds it on the host). */
import type { NodeImport, Produced } from './node-import.js';

export interface Converter {
  /** The lowest opset mapped (default 1). */
  readonly minOpset?: number;
  /** The highest (default: the newest opset the importer knows). */
  readonly maxOpset?: number;
  convert(n: NodeImport): Produced | readonly Produced[];
}

export type ConverterTable = readonly (readonly [string, Converter])[];

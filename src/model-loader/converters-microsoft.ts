/**
 * The contrib operators of ONNX Runtime (domain com.microsoft) the importer maps, those ONNX Runtime Web's WebNN
 * execution provider maps; transformer and LLM exports use them.
 */
import type { Converter } from './converter.js';
import { MICROSOFT_ATTENTION_CONVERTERS } from './ops-microsoft-attention.js';
import { MICROSOFT_GQA_CONVERTERS } from './ops-microsoft-gqa.js';
import { MICROSOFT_ELEMENTWISE_CONVERTERS } from './ops-microsoft-elementwise.js';
import { DEFAULT_DOMAIN_NORM_CONVERTERS, MICROSOFT_NORM_CONVERTERS } from './ops-microsoft-norm.js';
import { MICROSOFT_QUANTIZED_CONVERTERS } from './ops-microsoft-quantized.js';
import { MICROSOFT_ROTARY_CONVERTERS } from './ops-microsoft-rotary.js';

/** com.microsoft has had one opset, 1. */
export const MICROSOFT_MAX_OPSET = 1;

export const MICROSOFT_CONVERTERS: ReadonlyMap<string, Converter> = new Map([
  ...MICROSOFT_ELEMENTWISE_CONVERTERS, ...MICROSOFT_NORM_CONVERTERS, ...MICROSOFT_ROTARY_CONVERTERS,
  ...MICROSOFT_QUANTIZED_CONVERTERS, ...MICROSOFT_ATTENTION_CONVERTERS,
  ...MICROSOFT_GQA_CONVERTERS,
]);

/** Contrib operators ONNX Runtime registers in the default domain. */
export const DEFAULT_DOMAIN_CONTRIB_CONVERTERS: ReadonlyMap<string, Converter> = new Map(DEFAULT_DOMAIN_NORM_CONVERTERS);

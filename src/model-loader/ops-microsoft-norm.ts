/**
 * The normalizations of transformer exports: SimplifiedLayerNormalization (RMSNorm, registered by ONNX Runtime in the
 * default domain), and com.microsoft's SkipLayerNormalization and SkipSimplifiedLayerNormalization, which normalize
 * input + skip (+ bias) over the hidden axis.
 */
import type { Converter, ConverterTable } from './converter.js';
import type { NodeImport, Produced } from './node-import.js';
import type { Operand } from './webnn-types.js';
import { rmsNormalize } from './ops-microsoft-common.js';

/** ONNX Runtime's default epsilon of the Skip* normalizations. */
const SKIP_EPSILON = 1e-12;

const simplifiedLayerNormalization: Converter = {
  convert(n) {
    const x = n.operand(0);
    const rank = x.shape.length;
    const axis = n.axis(n.int('axis', -1), rank);
    const axes = x.shape.slice(axis).map((_, k) => axis + k);
    const { normalized, invStdDev } = rmsNormalize(n, x, axes, n.float('epsilon', 1e-5));
    return [n.builder.mul(normalized, n.operand(1)), invStdDev];
  },
};

/** input + skip (+ bias): skip is (B, S, H), (1, S, H) or (S, H) and broadcasts to the input. */
function skipSum(n: NodeImport, biasInput: number): Operand {
  const b = n.builder;
  const x = n.operand(0);
  const rank = x.shape.length;
  if (rank !== 2 && rank !== 3) throw n.invalid(`its input has rank ${rank}, not 3 (batch, sequence, hidden) or 2 (tokens, hidden)`);
  const sum = b.add(x, n.operand(1));
  return n.has(biasInput) ? b.add(sum, n.operand(biasInput)) : sum;
}

const skipLayerNormalization: Converter = {
  convert(n) {
    const b = n.builder;
    const sum = skipSum(n, 4);
    const hiddenAxis = sum.shape.length - 1;
    const epsilon = n.float('epsilon', SKIP_EPSILON);
    const y = b.layerNormalization(sum, {
      axes: [hiddenAxis], epsilon, scale: n.operand(2), ...(n.has(3) ? { bias: n.operand(3) } : {}),
    });
    const outputs: Produced[] = [y];
    outputs[3] = sum;
    if (n.outputWanted(1) || n.outputWanted(2)) {
      const mean = b.reduceMean(sum, { axes: [hiddenAxis], keepDimensions: true });
      const centered = b.sub(sum, mean);
      const variance = b.reduceMean(b.mul(centered, centered), { axes: [hiddenAxis], keepDimensions: true });
      outputs[1] = mean;
      outputs[2] = b.reciprocal(b.sqrt(b.add(variance, n.scalar(sum.dataType, epsilon))));
    }
    return outputs;
  },
};

const skipSimplifiedLayerNormalization: Converter = {
  convert(n) {
    n.require(!n.outputWanted(1), 'its mean output is not computed (a root-mean-square normalization has none)');
    const sum = skipSum(n, 3);
    const { normalized, invStdDev } = rmsNormalize(n, sum, [sum.shape.length - 1], n.float('epsilon', SKIP_EPSILON));
    const outputs: Produced[] = [n.builder.mul(normalized, n.operand(2))];
    outputs[2] = invStdDev;
    outputs[3] = sum;
    return outputs;
  },
};

/** ONNX Runtime's SimplifiedLayerNormalization, registered in the default domain from its opset 1. */
export const DEFAULT_DOMAIN_NORM_CONVERTERS: ConverterTable = [
  ['SimplifiedLayerNormalization', simplifiedLayerNormalization],
];

export const MICROSOFT_NORM_CONVERTERS: ConverterTable = [
  ['SkipLayerNormalization', skipLayerNormalization],
  ['SkipSimplifiedLayerNormalization', skipSimplifiedLayerNormalization],
];

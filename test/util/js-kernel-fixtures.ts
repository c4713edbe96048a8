/** A JavaScript kernel (runtime/js-kernels.ts) the runtime tests run: simple enough to check against float64 by hand. */
import type { JsKernel } from '../../src/runtime/js-kernels.js';

/** output = x * attrs.factor + y (y optional). */
export const scaledSum: JsKernel = {
  name: 'TestScaledSum',
  compute: ({ x, y }, output, attrs) => {
    const factor = attrs['factor'] as number;
    for (let i = 0; i < output.length; i++) output[i] = x![i]! * factor + (y ? y[i]! : 0);
  },
};

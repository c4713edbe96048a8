import type { LowerEnv } from './registry.js';
import { runsJsKernels } from '../runtime/js-kernels.js';

/** Whether a lowering in `env` may use kernels of ours: its first input is float32 and its backend runs them. */
export function float32OnJsKernels(env: LowerEnv): boolean {
  return runsJsKernels(env.backend) && env.inputs[0]!.dataType === 'float32';
}

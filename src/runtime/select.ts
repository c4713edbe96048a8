import { BACKEND_NAMES, type BackendName } from './backend-config.js';
import { ensureBackend } from './backends.js';

/** MLContextOptions.powerPreference. */
export type MLPowerPreference = 'default' | 'high-performance' | 'low-power';

export interface ContextPreferences {
  powerPreference: MLPowerPreference;
  accelerated: boolean;
  /** The pre-2024 `deviceType` hint some clients still send. */
  deviceType?: 'cpu' | 'gpu' | 'npu' | undefined;
  /** Polyfill-specific: use exactly this TF.js backend. */
  tfjsBackend?: BackendName | undefined;
}

/**
 * The order in which backends are tried for a context. WebGL is the massively parallel one, Wasm (SIMD, threads
 * where the page is cross-origin isolated) the fast CPU one, and the plain-JS cpu backend is always the last resort.
 *
 * - `tfjsBackend` names the only backend to try; it is the only way to webgpu for now (its int32 arithmetic is exact
 *   only within ±2^24, and its kernels are not yet checked by the whole op suite);
 * - `deviceType` (legacy) decides when present: 'cpu' -> Wasm, 'gpu' / 'npu' -> WebGL first;
 * - `powerPreference` outranks `accelerated` (as the spec says): 'high-performance' -> WebGL first,
 *   'low-power' -> Wasm;
 * - otherwise `accelerated` (true by default) -> WebGL first, false -> Wasm.
 */
export function backendOrder(p: ContextPreferences): BackendName[] {
  const gpuFirst: BackendName[] = ['webgl', 'wasm', 'cpu'];
  const cpuFirst: BackendName[] = ['wasm', 'cpu'];
  if (p.tfjsBackend) return [p.tfjsBackend];
  if (p.deviceType === 'cpu') return cpuFirst;
  if (p.deviceType === 'gpu' || p.deviceType === 'npu') return gpuFirst;
  if (p.powerPreference === 'high-performance') return gpuFirst;
  if (p.powerPreference === 'low-power') return cpuFirst;
  return p.accelerated ? gpuFirst : cpuFirst;
}

/** The first backend of `backendOrder(p)` that starts here (WebGL needs a WebGL2 context), or null. */
export async function selectBackend(p: ContextPreferences): Promise<BackendName | null> {
  for (const name of backendOrder(p)) {
    if (await ensureBackend(name)) return name;
  }
  return null;
}

export { BACKEND_NAMES };

import { BACKEND_NAMES, type BackendName } from './backend-config.js';
import { ensureBackend } from './backends.js';
import { carriesBackend } from './carried-backends.js';
import { webgpuOnHardware } from './webgpu-start.js';

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

let installedBackend: BackendName | undefined;

/**
 * The TF.js backend of every context whose options name none (install()'s `tfjsBackend`), or undefined to choose by
 * the options as backendOrder() says.
 */
export function setInstalledBackend(name: BackendName | undefined): void {
  installedBackend = name;
}

/**
 * The order in which backends are tried for a context. WebGPU and WebGL are the massively parallel ones, Wasm (SIMD,
 * threads where the page is cross-origin isolated) the fast CPU one, and the plain-JS cpu backend is always the last
 * resort. selectBackend() passes over webgpu in these orders unless it runs on a GPU (see webgpuOnHardware).
 *
 * - `tfjsBackend` names the only backend to try, and install()'s `tfjsBackend` when the options name none;
 * - `deviceType` (legacy) decides when present: 'cpu' -> Wasm, 'gpu' / 'npu' -> WebGPU, WebGL first;
 * - `powerPreference` outranks `accelerated` (as the spec says): 'high-performance' -> WebGPU, WebGL first,
 *   'low-power' -> Wasm;
 * - otherwise `accelerated` (true by default) -> WebGPU, WebGL first, false -> Wasm.
 */
export function backendOrder(p: ContextPreferences): BackendName[] {
  const gpuFirst: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
  const cpuFirst: BackendName[] = ['wasm', 'cpu'];
  if (p.tfjsBackend) return [p.tfjsBackend];
  if (installedBackend) return [installedBackend];
  if (p.deviceType === 'cpu') return cpuFirst;
  if (p.deviceType === 'gpu' || p.deviceType === 'npu') return gpuFirst;
  if (p.powerPreference === 'high-performance') return gpuFirst;
  if (p.powerPreference === 'low-power') return cpuFirst;
  return p.accelerated ? gpuFirst : cpuFirst;
}

/**
 * The first backend of `backendOrder(p)` that starts here (WebGL needs a WebGL2 context), or null. webgpu is tried
 * unasked only where an entry carries it and WebGPU runs on a GPU: a fallback adapter (SwiftShader's, on machines
 * without one) computes at ~0.1 GFLOP/s, far below webgl's or wasm's.
 */
export async function selectBackend(p: ContextPreferences): Promise<BackendName | null> {
  const named = p.tfjsBackend ?? installedBackend;
  for (const name of backendOrder(p)) {
    if (name === 'webgpu' && !named && !(carriesBackend('webgpu') && await webgpuOnHardware())) continue;
    if (await ensureBackend(name)) return name;
  }
  return null;
}

export { BACKEND_NAMES };

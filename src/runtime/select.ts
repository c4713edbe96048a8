import { BACKEND_NAMES, ensureBackend, type BackendName } from './backends.js';
import type { MLPowerPreference } from '../api/internals.js';

export interface ContextPreferences {
  powerPreference: MLPowerPreference;
  accelerated: boolean;
  /** The pre-2024 `deviceType` hint some clients still send. */
  deviceType?: 'cpu' | 'gpu' | 'npu';
  /** Polyfill-specific: use exactly this TF.js backend. */
  tfjsBackend?: BackendName;
}

/** The order in which backends are tried for a context; the plain-JS cpu backend is always last. */
export function backendOrder(p: ContextPreferences): BackendName[] {
  if (p.tfjsBackend) return [p.tfjsBackend];
  if (p.deviceType === 'cpu') return ['wasm', 'cpu'];
  if (p.deviceType === 'gpu' || p.deviceType === 'npu') return ['webgl', 'wasm', 'cpu'];
  if (p.powerPreference === 'high-performance') return ['webgl', 'wasm', 'cpu'];
  if (p.powerPreference === 'low-power' || !p.accelerated) return ['wasm', 'cpu'];
  return ['webgl', 'wasm', 'cpu'];
}

export async function selectBackend(p: ContextPreferences): Promise<BackendName | null> {
  for (const name of backendOrder(p)) {
    if (await ensureBackend(name)) return name;
  }
  return null;
}

export { BACKEND_NAMES };

/**
 * Carries TF.js's webgpu backend (and cpu, the last resort), and its backend class for contexts on an app's own
 * GPUDevice: imported, for this side effect, by the entries that carry webgpu (webgpu.ts, global-webgpu.ts).
 */
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import * as webgpu from '@tensorflow/tfjs-backend-webgpu';
import { carryBackends } from './runtime/carried-backends.js';
import { carryWebgpuBackendClass } from './runtime/gpu-device-backend.js';

carryBackends({ cpu, webgpu });
carryWebgpuBackendClass(webgpu.WebGPUBackend);

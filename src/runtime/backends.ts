// Public modules may import BackendName from here: without this import (@internal: stripped from the .d.ts), the
// declarations of this module do not reach TF.js's. The backend packages are imported by the entry modules only
// (carried-backends.ts).
/** @internal */
import * as tf from '@tensorflow/tfjs-core';
import {
  carriedBackendNames, carriedWasm, carriesBackend, defaultWasmFiles, type WasmBackendModule,
} from './carried-backends.js';
import { Timeline } from './timeline.js';
import { useThreadsOnlyIfWorkersStart, withinStartLimit } from './wasm-start.js';
import { startedBackend, watchForWebglLoss, whenBackendLost } from './backend-loss.js';
import { BACKEND_NAMES, type BackendConfig, type BackendName } from './backend-config.js';
import { refuseSyncGpuReads, WEBGPU_DEVICE_FAILED, webgpuUnavailable } from './webgpu-start.js';

export { BACKEND_NAMES, type BackendConfig, type BackendName };

const config: BackendConfig = {};
let wasmConfigured = false;

export function configureBackends(next: BackendConfig): void {
  if (next.wasmPaths !== undefined) config.wasmPaths = next.wasmPaths;
  if (next.wasmThreads !== undefined) config.wasmThreads = next.wasmThreads;
}

interface NavigatorLike {
  hardwareConcurrency?: number;
}

function navigatorObject(): NavigatorLike | undefined {
  return (globalThis as { navigator?: NavigatorLike }).navigator;
}

/**
 * The default thread count for `cores` logical cores: half of them, at most 4, as TF.js and ONNX Runtime Web choose.
 * XNNPACK's threads wait for each other at every kernel, spinning: a thread that finds no free core stalls the whole
 * kernel. On 2 cores, 2 threads ran MobileNetV2 1.9x faster than 1 while nothing else ran, and 2.7x slower than 1 beside
 * two busy processes (small convolutions: a tail of runs 20x slower); one thread per two cores keeps that collapse
 * away when the page, the browser or another tab wants a core.
 */
function defaultWasmThreads(cores: number): number {
  return Math.max(1, Math.min(4, Math.ceil(cores / 2)));
}

function wantedWasmThreads(): number {
  const cores = navigatorObject()?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(8, Math.floor(config.wasmThreads ?? defaultWasmThreads(cores))));
}

function isNode(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions;
  return typeof versions?.node === 'string';
}

/** The .wasm files' location: wasmPaths, else (in browsers) the URLs the entry found beside itself. */
function wasmPathsInUse(): string | Record<string, string> | undefined {
  // Node's tfjs-backend-wasm reads the files from its own directory, by path, not by URL.
  return config.wasmPaths ?? (isNode() ? undefined : defaultWasmFiles());
}

function configureWasmOnce(wasm: WasmBackendModule): void {
  if (wasmConfigured) return;
  wasmConfigured = true;
  const paths = wasmPathsInUse();
  if (paths !== undefined) wasm.setWasmPaths(paths);
  wasm.setThreadsCount(wantedWasmThreads());
}

/**
 * tfjs-backend-wasm caps its thread pool at `navigator.hardwareConcurrency / 2`, read by the module's static
 * initialiser while the backend starts (it assumes two hardware threads per core), so on 2 cores even
 * setThreadsCount(2) yields 1 thread. While the backend starts, navigator reports twice the wanted count; the real
 * property is back as soon as the start has finished.
 */
async function withWasmCoreCount<T>(start: () => Promise<T>): Promise<T> {
  const nav = navigatorObject();
  if (!nav || !Object.isExtensible(nav) || Object.prototype.hasOwnProperty.call(nav, 'hardwareConcurrency')) {
    return start();
  }
  const reported = 2 * wantedWasmThreads();
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { get: () => reported, configurable: true });
  } catch {
    return start();
  }
  try {
    return await start();
  } finally {
    delete nav.hardwareConcurrency;
  }
}

/** Threads tfjs-backend-wasm computes with (1 without cross-origin isolation), or null before it has started. */
export function wasmThreadsInUse(): number | null {
  try {
    return carriedWasm()?.getThreadsCount() ?? null;
  } catch {
    return null;
  }
}

/** tfjs-backend-cpu greets Node users with advice to install tfjs-node on its first tensor; that is not for our users. */
export function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

const initialised = new Map<BackendName, Promise<boolean>>();

interface EngineStart {
  initializeBackend(name: string): { success: boolean | Promise<boolean> };
}

/**
 * Starts `name` without making it TF.js's active backend: tf.setBackend() would switch to it while it starts
 * asynchronously (wasm), and the work of other contexts, switching backends meanwhile, would leave TF.js's engine with
 * one backend's name and another's kernels. Once started, tf.setBackend() switches to it synchronously.
 */
function initialize(name: BackendName): boolean | Promise<boolean> {
  if (startedBackend(name)) return true;
  return (tf.engine() as unknown as EngineStart).initializeBackend(name).success;
}

/** Why a backend did not start, where more can be said than that it did not (see wasmStartFailure). */
const startFailures = new Map<BackendName, string>();

/** What is known of why `name` did not start: undefined when it started, or when nothing more is known. */
export function backendStartFailure(name: BackendName): string | undefined {
  return startFailures.get(name);
}

/** The directory of the files' URLs when they share one, else the URLs. */
function directoryOf(files: Record<string, string>): string {
  const directories = new Set(Object.values(files).map((url) => new URL('./', url).href));
  return directories.size === 1 ? [...directories][0]! : JSON.stringify(files);
}

/**
 * In a browser the wasm backend fails to start mostly for one reason: its .wasm files are not where it looks, which is
 * beside the script that loaded it unless wasmPaths says otherwise; a bundled app has them nowhere until it serves them.
 */
function wasmStartFailure(): string | undefined {
  if (isNode()) return undefined;
  const defaults = defaultWasmFiles();
  const where = config.wasmPaths !== undefined ? `from wasmPaths ${JSON.stringify(config.wasmPaths)}`
    : defaults !== undefined ? `from ${directoryOf(defaults)}, where the polyfill's module refers to them (no wasmPaths option was given)`
      : 'beside the script that loaded the polyfill (no wasmPaths option was given)';
  return `its .wasm files (tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm, tfjs-backend-wasm-threaded-simd.wasm) ` +
    `could not be loaded ${where}; an app whose bundler does not emit the files the polyfill's module refers to ` +
    '(esbuild does not) must put them beside its bundle, or serve the files of ' +
    'node_modules/@tensorflow/tfjs-backend-wasm/dist/ and pass their directory URL as the wasmPaths option of install()';
}

/** Why a backend that no entry carried does not start. */
function notCarried(name: BackendName): string {
  return `this build of the polyfill does not carry it, only ${carriedBackendNames().join(' and ') || 'no backend'}: ` +
    // The full entry leaves out the opt-in webgpu backend.
    `import ${name === 'webgpu' ? '' : 'webnn-tfjs-polyfill or '}webnn-tfjs-polyfill/${name} for it`;
}

async function activate(name: BackendName): Promise<boolean> {
  if (name === 'webgl' && !webglAvailable()) return false;
  if (name === 'webgpu' && !startedBackend(name)) {
    const unavailable = await webgpuUnavailable();
    startFailures.set(name, unavailable ?? WEBGPU_DEVICE_FAILED);
    if (unavailable) return false;
    // tfjs-backend-webgpu runs kernels on small values still in JavaScript with tfjs-backend-cpu's code: off, so that a
    // webgpu context computes on the device whatever the size, and a graph's results do not depend on where its
    // values happen to be (its shaders compute int32 in f32, which is why webgpu contexts take the float types only).
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  }
  try {
    const wasm = carriedWasm();
    if (name === 'wasm' && wasm) {
      configureWasmOnce(wasm);
      await useThreadsOnlyIfWorkersStart(config.wasmThreads);
      return await withinStartLimit(name, withWasmCoreCount(() => Promise.resolve(initialize(name))));
    }
    const ok = await initialize(name);
    if (ok && name === 'cpu') silenceCpuBanner();
    if (ok && name === 'webgpu') refuseSyncGpuReads(startedBackend(name)!);
    if (ok && name === 'webgl') {
      watchForWebglLoss();
      whenBackendLost(name, () => initialised.delete(name));
    }
    return ok;
  } catch {
    return false;
  }
}

/** Whether a WebGL2 context can be made here (never in Node; not in browsers without GPU or software GL). */
export function webglAvailable(): boolean {
  try {
    let gl: WebGL2RenderingContext | null = null;
    if (typeof OffscreenCanvas !== 'undefined') gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    else if (typeof document !== 'undefined') gl = document.createElement('canvas').getContext('webgl2');
    // Browsers cap live WebGL contexts; the probe gives its own back at once.
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    return gl !== null;
  } catch {
    return false;
  }
}

/** Starts `name` once; later calls reuse the outcome (until the backend is lost: then it starts afresh). */
export function ensureBackend(name: BackendName): Promise<boolean> {
  if (!carriesBackend(name)) {
    // Not remembered: an entry imported later may carry it.
    startFailures.set(name, notCarried(name));
    return Promise.resolve(false);
  }
  let ready = initialised.get(name);
  if (!ready) {
    ready = activate(name).then((ok) => {
      const failure = ok ? undefined : name === 'wasm' ? wasmStartFailure()
        : name === 'webgpu' ? startFailures.get(name) : undefined;
      if (failure) startFailures.set(name, failure);
      else startFailures.delete(name);
      return ok;
    });
    initialised.set(name, ready);
  }
  return ready;
}

/** The engine's state that tf.setBackend() sets (TF.js 4's Engine), which a quick switch sets alike. */
interface EngineBackendState {
  backendName: string;
  backendInstance: tf.KernelBackend | null;
  profiler: unknown;
  readonly registry: Record<string, tf.KernelBackend | undefined>;
}

/**
 * Per backend, the instance tf.setBackend() last switched to in full, the profiler it made for it, and how many kernels
 * TF.js had registered then.
 */
const fullySwitched = new Map<string, { instance: tf.KernelBackend; profiler: unknown; kernels: number }>();

/**
 * How many kernels TF.js has registered, for every backend: the size of its kernel registry, a Map kept in TF.js's
 * globals (on the global object, or on `process` where TF.js found no other). -1 where it is not found.
 */
function registeredKernelCount(): number {
  type Holder = { _tfGlobals?: Map<string, unknown> } | undefined;
  const holders = [globalThis as Holder, (globalThis as { process?: Holder }).process];
  for (const holder of holders) {
    const registry = holder?._tfGlobals?.get('kernelRegistry');
    if (registry instanceof Map) return registry.size;
  }
  return -1;
}

/**
 * Makes `name` TF.js's active backend at once. tf.setBackend() switches synchronously to a backend that is already
 * initialised (its body awaits only a backend's first initialisation), and the cpu backend initialises synchronously.
 *
 * Only the first switch to a backend instance goes through tf.setBackend(): besides setting the active backend, it
 * runs the setup function of every kernel registered for it, looked up through the whole kernel registry (about
 * 0.5 ms a switch; an int64 operation computed on the host switches to cpu and back at each dispatch), work whose
 * result a later switch to the same instance would only make again. Later switches set what it sets, until kernels
 * are registered or removed.
 */
export function activateBackendNow(name: string | null | undefined): void {
  // Restoring "no backend active" (backends start without becoming active): the current one stays.
  if (name == null || tf.getBackend() === name) return;
  const engine = tf.engine() as unknown as EngineBackendState;
  const instance = engine.registry[name];
  const switched = fullySwitched.get(name);
  const kernels = registeredKernelCount();
  if (instance && switched?.instance === instance && kernels >= 0 && switched.kernels === kernels) {
    engine.backendName = name;
    engine.backendInstance = instance;
    engine.profiler = switched.profiler;
    return;
  }
  // A backend removed or made anew, or kernels registered since (whose setup the full switch runs).
  fullySwitched.delete(name);
  if (!tf.findBackend(name)) throw new Error(`TF.js backend ${name} is not initialised`);
  if (name === 'cpu') silenceCpuBanner();
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`TF.js did not switch to backend ${name}`);
  fullySwitched.set(name, { instance: engine.backendInstance!, profiler: engine.profiler, kernels });
}

/** Jobs of no context (releasing memory), one timeline per backend. */
const backendTimelines = new Map<BackendName, Timeline>();

function backendTimeline(name: BackendName): Timeline {
  let timeline = backendTimelines.get(name);
  if (!timeline) {
    // Releasing memory needs no active backend: a tensor is disposed by the backend that holds it.
    timeline = new Timeline({ enter: () => undefined, stalled: () => undefined });
    backendTimelines.set(name, timeline);
  }
  return timeline;
}

/** Runs `job` (a release of memory on `name`) after the earlier jobs of runOnBackend(name); TF.js's active backend stays. */
export function runOnBackend<T>(name: BackendName, job: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    backendTimeline(name).enqueue(job, (failed, outcome) => (failed ? reject(outcome) : resolve(outcome as T)), name);
  });
}

/** @internal */
export { tf };

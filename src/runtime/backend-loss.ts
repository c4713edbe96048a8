/**
 * A TF.js backend that can no longer compute: webgl after its WebGL context is lost (the GPU process restarted, the
 * driver reset, or the page called WEBGL_lose_context.loseContext()). Its readbacks never finish and its textures are
 * gone, so every context on it is lost, and TF.js is given a fresh instance of the backend for the contexts made later.
 */
import * as tf from '@tensorflow/tfjs-core';

type LossListener = (message: string) => void;

/** Who wants to know when each backend's current instance is lost. */
const listeners = new Map<string, Set<LossListener>>();

interface EngineRegistry {
  registry: Record<string, object | undefined>;
  registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number } | undefined>;
}

const registryOf = (): EngineRegistry => tf.engine() as unknown as EngineRegistry;

/** The instance of backend `name` once TF.js has made it, else undefined (without starting it, as tf.findBackend() would). */
export function startedBackend(name: string): object | undefined {
  return registryOf().registry[name];
}

const unsubscribed = (): void => undefined;

/**
 * Calls `listener` once if the instance of `name` running now is lost; the function returned unsubscribes. Only webgl
 * can be lost: for the others nothing is kept.
 */
export function whenBackendLost(name: string, listener: LossListener): () => void {
  if (name !== 'webgl') return unsubscribed;
  let set = listeners.get(name);
  if (!set) {
    set = new Set();
    listeners.set(name, set);
  }
  set.add(listener);
  const subscribed = set;
  return () => {
    subscribed.delete(listener);
  };
}

/**
 * Replaces TF.js's instance of `name` by an unstarted one (the next start makes a new WebGL context), then tells
 * everyone who subscribed for the lost instance.
 */
export function loseBackend(name: string, message: string): void {
  const lost = listeners.get(name);
  listeners.delete(name);
  const entry = registryOf().registryFactory[name];
  if (entry && startedBackend(name)) {
    try {
      tf.removeBackend(name);
    } catch {
      // Disposing a backend whose context is gone may fail; it is dropped all the same.
    }
    tf.registerBackend(name, entry.factory, entry.priority);
  }
  for (const listener of lost ?? []) {
    try {
      listener(message);
    } catch {
      // One listener failing must not keep the others from hearing of the loss.
    }
  }
}

interface WebglBackendInternals {
  gpgpu?: { gl?: WebGL2RenderingContext };
}

function webglContext(): WebGL2RenderingContext | undefined {
  return (startedBackend('webgl') as WebglBackendInternals | undefined)?.gpgpu?.gl;
}

const WEBGL_LOST = 'the WebGL context of the TF.js webgl backend was lost';

/** Loses the webgl backend once its WebGL context is lost. Called once per started instance of the backend. */
export function watchForWebglLoss(): void {
  const gl = webglContext();
  const canvas = gl?.canvas as EventTarget | undefined;
  if (!gl || typeof canvas?.addEventListener !== 'function') return;
  canvas.addEventListener('webglcontextlost', () => {
    // Only the instance running now: a canvas of an instance already replaced has nothing left to lose.
    if (webglContext() === gl) loseBackend('webgl', WEBGL_LOST);
  }, { once: true });
}

/**
 * Whether `name`'s instance has lost its device (checked when a job waits too long: the loss event may come late or,
 * on some platforms, never); if so, it is lost now, with every context on it.
 */
export function checkBackendLost(name: string): boolean {
  if (name !== 'webgl') return false;
  const gl = webglContext();
  if (!gl?.isContextLost()) return false;
  loseBackend('webgl', WEBGL_LOST);
  return true;
}

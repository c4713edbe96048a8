/**
 * The worker path, WebNN side: answers the calls a module's thread posts (blockingWasiNnImports there) with a
 * WasiNnHost on this thread, which must not block (a page's main thread, Node's main thread).
 */
import { NnErrno } from './abi.js';
import type { WasiNnResponse } from './calls.js';
import type { WasiNnHost } from './host.js';
import { ANSWER, isCallMessage, type CallMessage } from './worker-protocol.js';

/** A browser Worker or MessagePort (message events), or a Node Worker or MessagePort (message emitter). */
export type CallEndpoint =
  | { addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
    removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void; }
  | { on(type: 'message', listener: (data: unknown) => void): unknown; off(type: 'message', listener: (data: unknown) => void): unknown };

function answer(shared: SharedArrayBuffer, given: WasiNnResponse): void {
  const header = new Int32Array(shared, 0, 4);
  // The area holds what the module's buffer holds; a host answering with more must not leave the module waiting.
  const fits = (given.bytes?.byteLength ?? 0) <= shared.byteLength - ANSWER.headerBytes;
  const response: WasiNnResponse = fits ? given : { errno: NnErrno.tooLarge };
  const bytes = response.bytes ?? new Uint8Array(0);
  new Uint8Array(shared, ANSWER.headerBytes, bytes.byteLength).set(bytes);
  header[ANSWER.errno] = response.errno;
  header[ANSWER.handle] = response.handle ?? 0;
  header[ANSWER.length] = bytes.byteLength;
  Atomics.store(header, ANSWER.state, 1);
  Atomics.notify(header, ANSWER.state);
}

/** Answers the wasi-nn calls arriving at the endpoint until the returned function is called. */
export function serveWasiNn(endpoint: CallEndpoint, host: WasiNnHost): () => void {
  const handle = (data: unknown) => {
    if (!isCallMessage(data)) return;
    const { request, answer: shared } = (data as CallMessage).wasiNnCall;
    void host.call(request).then((response) => answer(shared, response));
  };
  if ('on' in endpoint) {
    endpoint.on('message', handle);
    return () => void endpoint.off('message', handle);
  }
  const listener = (event: MessageEvent) => handle(event.data);
  endpoint.addEventListener('message', listener);
  return () => endpoint.removeEventListener('message', listener);
}

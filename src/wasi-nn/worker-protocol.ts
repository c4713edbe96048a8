/**
 * The worker path's messages: the module's thread posts a call and blocks on Atomics.wait; the thread owning the WebNN
 * context answers into the SharedArrayBuffer posted with it and wakes it. The answer area: int32 state (0 pending,
 * 1 answered), errno, handle, byte length; then the bytes of get_output.
 */
import type { WasiNnRequest } from './calls.js';

/** The key of the messages, so that the channel can carry the app's own messages too. */
export const CALL_KEY = 'wasiNnCall';

export interface CallMessage {
  [CALL_KEY]: { request: WasiNnRequest; answer: SharedArrayBuffer };
}

export const ANSWER = { state: 0, errno: 1, handle: 2, length: 3, headerBytes: 16 } as const;

/** A capacity for the answer's bytes: get_output's buffer size, nothing for the other calls. */
export const answerBytes = (request: WasiNnRequest): number => (request.call === 'get_output' ? request.maxSize : 0);

export const isCallMessage = (data: unknown): data is CallMessage =>
  typeof data === 'object' && data !== null && CALL_KEY in data;

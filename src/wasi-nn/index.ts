/** The wasi-nn host: the phase-1 `wasi_ephemeral_nn` imports over WebNN, through JSPI or a blocking worker. */
export { ExecutionTarget, GraphEncoding, NnErrno, TensorType, WASI_NN_MODULE } from './abi.js';
export type { WasiNnBinding, WasiNnImportObject } from './binding.js';
export type { GuestTensor, WasiNnRequest, WasiNnResponse } from './calls.js';
export { WasiNnHost, type DeviceType, type WasiNnHostOptions } from './host.js';
export { hasJspi, jspiWasiNnImports, promisingExport } from './jspi.js';
export { blockingWasiNnImports, type BlockingOptions, type CallPort } from './worker-client.js';
export { serveWasiNn, type CallEndpoint } from './worker-server.js';

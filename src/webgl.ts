/**
 * The npm entry webnn-tfjs-polyfill/webgl: the API of webnn-tfjs-polyfill with the TF.js webgl and cpu backends only
 * (webgl contexts keep their int32 values on cpu). Where webgl cannot start, contexts run on cpu.
 */
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import * as webgl from '@tensorflow/tfjs-backend-webgl';
import { carryBackends } from './runtime/carried-backends.js';

carryBackends({ cpu, webgl });

export * from './public-api.js';

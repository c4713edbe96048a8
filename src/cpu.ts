/**
 * The npm entry webnn-tfjs-polyfill/cpu: the API of webnn-tfjs-polyfill with the TF.js cpu backend only (plain
 * JavaScript: the smallest and the slowest). Every context runs on cpu.
 */
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import { carryBackends } from './runtime/carried-backends.js';

carryBackends({ cpu });

export * from './public-api.js';

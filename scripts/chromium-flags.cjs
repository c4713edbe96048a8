// The flags every headless Chromium of the project starts with (karma, the WPT runner, the browser bench, the demo
// test): a closed network (no background connections, no QUIC), software WebGL2 through SwiftShader, which
// --disable-gpu would take away, and WebGPU, which headless Chromium exposes only with --enable-unsafe-webgpu (on
// SwiftShader's Vulkan here: correct, slow). '--headless' is added by callers that launch the binary themselves.
module.exports = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
];

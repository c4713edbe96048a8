// The flags every headless Chromium of the project starts with (karma, the WPT runner, the browser bench):
// a closed network (no background connections, no QUIC) and software WebGL2 through SwiftShader, which
// --disable-gpu would take away. '--headless' is added by callers that launch the binary themselves.
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
];

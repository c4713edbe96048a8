// META: title=WebNN interfaces match their IDL, in windows and in dedicated workers
// META: global=window,dedicatedworker
// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js
// META: timeout=long

'use strict';

// The IDL of the polyfill (/interfaces/webnn.idl); html, webidl and webgpu give the types it refers to
// (Navigator, WorkerNavigator, AllowSharedBufferSource, GPUDevice, GPUBuffer).
idl_test(
  ['webnn'],
  ['html', 'webidl', 'webgpu'],
  async (idlArray) => {
    if (self.GLOBAL.isWindow()) {
      idlArray.add_objects({ Navigator: ['navigator'] });
    } else if (self.GLOBAL.isWorker()) {
      idlArray.add_objects({ WorkerNavigator: ['navigator'] });
    }
    idlArray.add_objects({
      ML: ['navigator.ml'],
      MLContext: ['context'],
      MLGraphBuilder: ['builder'],
      MLOperand: ['input', 'constant', 'output'],
      MLGraph: ['graph'],
      MLTensor: ['tensor'],
    });

    self.context = await navigator.ml.createContext();
    self.builder = new MLGraphBuilder(self.context);
    self.input = self.builder.input('input', { dataType: 'float32', shape: [2, 2] });
    self.constant = self.builder.constant({ dataType: 'float32', shape: [2, 2] }, new Float32Array([1, 2, 3, 4]));
    self.output = self.builder.add(self.input, self.constant);
    self.graph = await self.builder.build({ output: self.output });
    self.tensor = await self.context.createTensor({ dataType: 'float32', shape: [2, 2], readable: true });
  }
);

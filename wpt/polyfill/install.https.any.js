// META: title=The polyfill installs navigator.ml and the ML* interfaces, in windows and dedicated workers (classic and module)
// META: global=window,dedicatedworker,dedicatedworker-module

'use strict';

// idlharness.js checks the interfaces in windows and classic workers; it cannot load as a module (it relies on
// top-level declarations being global), so this checks in every scope what the polyfill's installation sets up.
const INTERFACES = ['ML', 'MLContext', 'MLGraph', 'MLGraphBuilder', 'MLOperand', 'MLTensor'];

test(() => {
  for (const name of INTERFACES) {
    const descriptor = Object.getOwnPropertyDescriptor(self, name);
    assert_not_equals(descriptor, undefined, `${name} is an own property of the global object`);
    assert_equals(typeof descriptor.value, 'function', `${name} is a function`);
    assert_true(descriptor.writable, `${name} is writable`);
    assert_false(descriptor.enumerable, `${name} is not enumerable`);
    assert_true(descriptor.configurable, `${name} is configurable`);
  }
}, 'the ML* interfaces are properties of the global object, as WebIDL defines interface objects');

test(() => {
  const navigatorInterface = self.GLOBAL.isWindow() ? self.Navigator : self.WorkerNavigator;
  const descriptor = Object.getOwnPropertyDescriptor(navigatorInterface.prototype, 'ml');
  assert_not_equals(descriptor, undefined, `ml is on ${navigatorInterface.name}.prototype`);
  assert_equals(typeof descriptor.get, 'function', 'ml is an accessor');
  assert_equals(descriptor.set, undefined, 'ml is read-only');
  assert_true(navigator.ml instanceof ML, 'navigator.ml is an ML');
  assert_equals(navigator.ml, navigator.ml, 'navigator.ml is always the same object ([SameObject])');
}, 'navigator.ml is a read-only attribute of the scope\'s navigator interface');

promise_test(async () => {
  const context = await navigator.ml.createContext();
  assert_true(context instanceof MLContext);
  const builder = new MLGraphBuilder(context);
  assert_true(builder.input('x', { dataType: 'float32', shape: [1] }) instanceof MLOperand);
  context.destroy();
}, 'navigator.ml.createContext() resolves with an MLContext of this scope\'s interfaces');

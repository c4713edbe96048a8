// The runner's testharnessreport.js, served at /resources/testharnessreport.js in place of the WPT root's own (as
// WPT's own runner does). It sends every subtest result, and the harness status at the end, to the runner through
// the function the runner exposes to the page. The runner puts `self.__wptRunnerSettings` before this file.
(function () {
  'use strict';
  const settings = self.__wptRunnerSettings || {};
  const SUBTEST = ['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED'];
  const HARNESS = ['OK', 'ERROR', 'TIMEOUT', 'PRECONDITION_FAILED'];

  setup({ timeout_multiplier: settings.timeoutMultiplier || 1, output: Boolean(settings.output) });

  function send(message) {
    const report = self.__wptRunnerReport;
    if (typeof report === 'function') report(JSON.stringify(message));
  }

  function subtest(test) {
    return {
      name: String(test.name),
      status: SUBTEST[test.status] || `UNKNOWN(${test.status})`,
      message: test.message == null ? null : String(test.message),
      stack: test.stack == null ? null : String(test.stack),
    };
  }

  add_start_callback(function () {
    send({ type: 'start' });
  });
  add_result_callback(function (test) {
    send({ type: 'result', subtest: subtest(test) });
  });
  add_completion_callback(function (tests, harnessStatus, asserts) {
    send({
      type: 'complete',
      harness: {
        status: HARNESS[harnessStatus.status] || `UNKNOWN(${harnessStatus.status})`,
        message: harnessStatus.message == null ? null : String(harnessStatus.message),
        stack: harnessStatus.stack == null ? null : String(harnessStatus.stack),
      },
      subtests: tests.map(subtest),
      asserts: Array.isArray(asserts) ? asserts.length : null,
    });
  });
})();

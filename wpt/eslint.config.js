// Lint settings for wpt/: the runner runs in Node; the tests and their helpers run in pages and workers, with
// testharness.js's functions and the WebNN interfaces as globals.
import js from '@eslint/js';

const TESTHARNESS = [
  'test', 'async_test', 'promise_test', 'promise_setup', 'setup', 'done', 'add_start_callback', 'add_result_callback',
  'add_completion_callback', 'fetch_tests_from_worker', 'step_timeout', 'assert_true', 'assert_false', 'assert_equals',
  'assert_not_equals', 'assert_array_equals', 'assert_less_than_equal', 'assert_throws_js', 'assert_throws_dom',
  'promise_rejects_js', 'promise_rejects_dom', 'assert_own_property', 'assert_unreached', 'idl_test',
];
const WEBNN = ['ML', 'MLContext', 'MLGraph', 'MLGraphBuilder', 'MLOperand', 'MLTensor'];
const BROWSER = ['self', 'location', 'navigator', 'fetch', 'Float16Array'];
// Defined by webnn/resources/utils.js for the tests that load it.
const UTILS = [
  'context', 'variant', 'contextOptions', 'TYPED_ARRAYS', 'typedArrayFor', 'isDataTypeSupported', 'float32UlpDistance',
  'assert_values_close', 'computeGraph', 'webnn_graph_test',
];
const NODE = ['console', 'process', 'performance', 'setTimeout', 'clearTimeout', 'URL', 'URLSearchParams', 'Buffer'];

const globals = (names, kind = 'readonly') => Object.fromEntries(names.map((n) => [n, kind]));

export default [
  // A web-platform-tests checkout kept here is not this project's code.
  { ignores: ['upstream/**'] },
  js.configs.recommended,
  {
    files: ['run.mjs', 'runner/**/*.mjs', 'eslint.config.js'],
    languageOptions: { sourceType: 'module', globals: globals(NODE) },
  },
  {
    files: ['webnn/**/*.js', 'polyfill/**/*.js', 'resources/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { ...globals([...TESTHARNESS, ...WEBNN, ...BROWSER, ...UTILS]), context: 'writable' },
    },
  },
  {
    // utils.js defines the helpers the tests use; the tests only call them.
    files: ['webnn/resources/utils.js'],
    rules: { 'no-redeclare': 'off', 'no-unused-vars': 'off' },
  },
];

/**
 * The package's per-backend entries in Node (Node only: each runs in a process of its own, since entries imported side
 * by side carry the union of their backends). webnn-tfjs-polyfill/wasm, /webgl and /cpu export the API of the full
 * entry; a context that asks for a backend the entry does not carry is rejected as where that backend cannot start,
 * one that only prefers it falls back; opSupportLimits() is that of the backend the context runs on; graphs compute
 * (checked against float64 arithmetic written here). package.json's sideEffects names exactly the entry modules.
 */
import { ensureDist, packageFileExists, packageManifest, runModule } from './node-package.js';
import { SMALL_GRAPH_STEPS, SMALL_GRAPH_VALUES } from './small-graph-app.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** What an entry does in Node: contexts for a few option sets, their limits and a graph's values on each. */
const PROBE = (entry: string) => `
import * as webnn from '${entry}';
webnn.installNow();
const exported = Object.keys(webnn).sort();
const contexts = {};
for (const [label, options] of Object.entries({
  default: {}, lowPower: { powerPreference: 'low-power' }, cpu: { tfjsBackend: 'cpu' }, wasm: { tfjsBackend: 'wasm' },
  webgl: { tfjsBackend: 'webgl' }, webgpu: { tfjsBackend: 'webgpu' },
})) {
  let context;
  try {
    context = await navigator.ml.createContext(options);
  } catch (error) {
    contexts[label] = { error: error.name + ': ' + error.message };
    continue;
  }
${SMALL_GRAPH_STEPS}
  contexts[label] = {
    backend: webnn.tfjsBackendOf(context), limits: JSON.stringify(context.opSupportLimits()),
    values: Array.from(new Float32Array(await context.readTensor(y))),
  };
  context.destroy();
}
console.log(JSON.stringify({ exported, contexts }));
`;

interface ContextOutcome {
  error?: string;
  backend?: string;
  limits?: string;
  values?: number[];
}

async function probe(entry: string): Promise<{ exported: string[]; contexts: Record<string, ContextOutcome> }> {
  const { code, stdout, stderr } = await runModule(`entry-${entry.replace(/\W/g, '-')}.mjs`, PROBE(entry));
  if (code !== 0) throw new Error(`node exited with ${code}:\n${stderr}`);
  return JSON.parse(stdout.trim().split('\n').pop()!) as { exported: string[]; contexts: Record<string, ContextOutcome> };
}

const EXPECTED_VALUES = SMALL_GRAPH_VALUES;

function checkComputed(entry: string, label: string, outcome: ContextOutcome | undefined, backend: string): void {
  check(outcome && !outcome.error, `${entry} ${label}: ${outcome?.error}`);
  check(outcome.backend === backend, `${entry} ${label}: on ${outcome.backend}, expected ${backend}`);
  const values = outcome.values ?? [];
  check(values.length === 4 && values.every((v, i) => v === EXPECTED_VALUES[i]), `${entry} ${label}: ${values}`);
}

function checkNotCarried(entry: string, label: string, outcome: ContextOutcome | undefined): void {
  check(outcome?.error, `${entry} ${label}: a context was made on ${outcome?.backend}`);
  check(outcome.error.startsWith('NotSupportedError: ') && new RegExp(`does not carry it.*webnn-tfjs-polyfill/${label}`).test(outcome.error),
    `${entry} ${label}: ${outcome.error}`);
}

if (isNode) {
  describe('per-backend entries (Node)', function () {
    this.timeout(180_000);
    let full: Awaited<ReturnType<typeof probe>>;
    before(async () => {
      await ensureDist();
      full = await probe('webnn-tfjs-polyfill');
    });

    it('package.json: sideEffects names every module entry of exports and the script bundles, which exist', () => {
      const { exports, sideEffects } = packageManifest() as {
        exports: Record<string, string | { import?: string }>; sideEffects: string[];
      };
      const modules = Object.values(exports).map((target) => (typeof target === 'string' ? target : target.import))
        .filter((file): file is string => file !== undefined && file.endsWith('.js'));
      check(modules.length === 11, `exports: ${modules}`);
      for (const file of modules) {
        check(sideEffects.includes(file), `${file} is not in sideEffects`);
        check(packageFileExists(file), `${file} is not built`);
      }
      const shipped = sideEffects.filter((file) => file.startsWith('./dist/'));
      check(shipped.length === modules.length, `sideEffects names shipped files no entry exports: ${shipped}`);
    });

    it('webnn-tfjs-polyfill carries cpu and wasm here (webgl cannot start in Node)', () => {
      checkComputed('full', 'default', full.contexts['default'], 'wasm');
      checkComputed('full', 'cpu', full.contexts['cpu'], 'cpu');
      checkComputed('full', 'wasm', full.contexts['wasm'], 'wasm');
      const webgl = full.contexts['webgl'];
      check(webgl?.error?.startsWith('NotSupportedError: ') && !/does not carry/.test(webgl.error), `webgl: ${webgl?.error}`);
    });

    it('webnn-tfjs-polyfill/cpu: every context runs on cpu, wasm is not carried', async () => {
      const cpu = await probe('webnn-tfjs-polyfill/cpu');
      check(cpu.exported.join() === full.exported.join(), `exports ${cpu.exported} instead of ${full.exported}`);
      checkComputed('cpu', 'default', cpu.contexts['default'], 'cpu');
      checkComputed('cpu', 'lowPower', cpu.contexts['lowPower'], 'cpu');
      checkComputed('cpu', 'cpu', cpu.contexts['cpu'], 'cpu');
      checkNotCarried('cpu', 'wasm', cpu.contexts['wasm']);
      checkNotCarried('cpu', 'webgl', cpu.contexts['webgl']);
      check(cpu.contexts['default']!.limits === full.contexts['cpu']!.limits, 'opSupportLimits differ from the full entry\'s cpu');
    });

    it('webnn-tfjs-polyfill/wasm: contexts run on wasm, or on cpu when asked; webgl is not carried', async () => {
      const wasm = await probe('webnn-tfjs-polyfill/wasm');
      check(wasm.exported.join() === full.exported.join(), `exports ${wasm.exported} instead of ${full.exported}`);
      checkComputed('wasm', 'default', wasm.contexts['default'], 'wasm');
      checkComputed('wasm', 'lowPower', wasm.contexts['lowPower'], 'wasm');
      checkComputed('wasm', 'cpu', wasm.contexts['cpu'], 'cpu');
      checkNotCarried('wasm', 'webgl', wasm.contexts['webgl']);
      check(wasm.contexts['default']!.limits === full.contexts['wasm']!.limits, 'opSupportLimits differ from the full entry\'s wasm');
    });

    it('webnn-tfjs-polyfill/webgl: without WebGL (Node) contexts fall back to cpu; wasm is not carried', async () => {
      const webgl = await probe('webnn-tfjs-polyfill/webgl');
      check(webgl.exported.join() === full.exported.join(), `exports ${webgl.exported} instead of ${full.exported}`);
      checkComputed('webgl', 'default', webgl.contexts['default'], 'cpu');
      checkComputed('webgl', 'lowPower', webgl.contexts['lowPower'], 'cpu');
      checkNotCarried('webgl', 'wasm', webgl.contexts['wasm']);
      const asked = webgl.contexts['webgl'];
      check(asked?.error?.startsWith('NotSupportedError: ') && !/does not carry/.test(asked.error), `webgl: ${asked?.error}`);
    });

    it('webnn-tfjs-polyfill/webgpu: without WebGPU (Node) contexts run on wasm, webgpu is rejected saying why', async () => {
      const webgpu = await probe('webnn-tfjs-polyfill/webgpu');
      check(webgpu.exported.join() === full.exported.join(), `exports ${webgpu.exported} instead of ${full.exported}`);
      checkComputed('webgpu', 'default', webgpu.contexts['default'], 'wasm');
      checkComputed('webgpu', 'cpu', webgpu.contexts['cpu'], 'cpu');
      checkNotCarried('webgpu', 'webgl', webgpu.contexts['webgl']);
      const asked = webgpu.contexts['webgpu'];
      check(asked?.error?.startsWith('NotSupportedError: ') && /webgpu: navigator\.gpu is absent/.test(asked.error),
        `webgpu: ${asked?.error}`);
      // The full entry leaves the opt-in webgpu backend out.
      checkNotCarried('full', 'webgpu', full.contexts['webgpu']);
    });
  });
}

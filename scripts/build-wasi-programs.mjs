// Builds the wasi-nn test programs (test/wasi-nn/programs/*.c) into .cache/wasi-nn/*.wasm with Debian's clang,
// lld and wasi-libc, installing them when missing (as root, or through sudo -n), and bundles the browser tests'
// module worker (.cache/wasi-nn/browser-worker.js). A program is rebuilt only when a source is newer than it.
// Exits non-zero with the reason when the toolchain is missing and cannot be installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(root, 'test', 'wasi-nn', 'programs');
const out = join(root, '.cache', 'wasi-nn');

// clang drives the build, wasm-ld (lld) links, wasi-libc is the C library; the compiler-rt builtins for wasm32 are
// what clang's driver links into every wasm32-wasi program (long double arithmetic of printf and strtof).
const PACKAGES = ['clang', 'lld', 'wasi-libc', 'libclang-rt-14-dev-wasm32'];
const toolchainFiles = ['/usr/lib/wasm32-wasi/libc.a', '/usr/bin/wasm-ld'];

const hasCommand = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
const builtinsPresent = () => spawnSync('sh', ['-c', 'ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a'],
  { stdio: 'ignore' }).status === 0;
const toolchainPresent = () => hasCommand('clang') && toolchainFiles.every((f) => existsSync(f)) && builtinsPresent();

function ensureToolchain() {
  if (toolchainPresent()) return null;
  let prefix;
  if (process.getuid?.() === 0) prefix = [];
  else if (spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) prefix = ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive'];
  else return `the wasm32-wasi C toolchain is missing and installing it needs root: run "apt-get install -y ${PACKAGES.join(' ')}" as root (or with sudo)`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sh = (args) => spawnSync(prefix[0] ?? args[0], [...prefix.slice(1), ...(prefix.length ? args : args.slice(1))],
    { env, stdio: 'inherit', timeout: 15 * 60_000 });
  console.log(`the wasm32-wasi C toolchain is missing: installing ${PACKAGES.join(', ')}`);
  if (sh(['apt-get', 'update']).status !== 0) return 'apt-get update failed';
  if (sh(['apt-get', 'install', '-y', ...PACKAGES]).status !== 0) return `apt-get install -y ${PACKAGES.join(' ')} failed`;
  return toolchainPresent() ? null : `apt-get installed ${PACKAGES.join(' ')} but clang still cannot build for wasm32-wasi`;
}

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);
const headers = readdirSync(sources).filter((f) => f.endsWith('.h')).map((f) => join(sources, f));
const programs = readdirSync(sources).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2));
mkdirSync(out, { recursive: true });

const stale = programs.filter((name) => {
  const built = mtime(join(out, `${name}.wasm`));
  return [join(sources, `${name}.c`), ...headers].some((f) => mtime(f) > built);
});
if (stale.length > 0) {
  const problem = ensureToolchain();
  if (problem) {
    console.error(`build-wasi-programs: ${problem}`);
    process.exit(1);
  }
  for (const name of stale) {
    const args = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wextra', '-Werror', '-Wl,--strip-all',
      '-o', join(out, `${name}.wasm`), join(sources, `${name}.c`)];
    const result = spawnSync('clang', args, { stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`build-wasi-programs: clang failed on ${name}.c`);
      process.exit(1);
    }
    console.log(`built .cache/wasi-nn/${name}.wasm`);
  }
}

// The module worker of the browser tests: the program runs there, its wasi-nn calls answered by the page.
const workerEntry = join(root, 'test', 'wasi-nn', 'browser-worker.ts');
const workerBundle = join(out, 'browser-worker.js');
const workerInputs = [workerEntry, join(root, 'test', 'wasi-nn', 'browser-wasi.ts'), ...readdirSync(join(root, 'src', 'wasi-nn'))
  .map((f) => join(root, 'src', 'wasi-nn', f))];
if (workerInputs.some((f) => mtime(f) > mtime(workerBundle))) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [workerEntry], outfile: workerBundle, bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    logLevel: 'warning',
  });
  console.log('built .cache/wasi-nn/browser-worker.js');
}

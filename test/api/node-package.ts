/**
 * Node-only helpers of the package test: building dist/ when it is older than the sources, running a Node script
 * inside the package (so its own name resolves through package.json "exports"), type-checking a TypeScript consumer,
 * installing the packed tarball into a fresh project. The browser bundle uses node-package.browser.ts instead.
 */
import { execFile } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = join(root, '.cache', 'package-test');
const require = createRequire(import.meta.url);

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Runs `npm run build`'s script when dist/esm or dist/types is missing or older than src/. */
export async function ensureDist(): Promise<void> {
  const entry = join(root, 'dist', 'esm', 'index.js');
  const types = join(root, 'dist', 'types', 'index.d.ts');
  const fresh = existsSync(entry) && existsSync(types) &&
    Math.min(statSync(entry).mtimeMs, statSync(types).mtimeMs) >= Math.max(newest(join(root, 'src')),
      statSync(join(root, 'scripts', 'build.mjs')).mtimeMs);
  if (fresh) return;
  const result = await run(process.execPath, [join(root, 'scripts', 'build.mjs')], root);
  if (result.code !== 0) throw new Error(`the build failed:\n${result.stdout}${result.stderr}`);
}

/** Runs an ES module (source text) with `node`, from a file inside the package. */
export async function runModule(name: string, source: string): Promise<ProcessResult> {
  mkdirSync(work, { recursive: true });
  const file = join(work, name);
  writeFileSync(file, source);
  return run(process.execPath, [file], root);
}

/**
 * Type-checks `source` as consumer.ts of a project that depends on the package (node_modules/<name> links to it),
 * with `tsc --strict`, Node's module resolution and no DOM library.
 */
export async function typecheckConsumer(source: string): Promise<ProcessResult> {
  const dir = join(work, 'consumer');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  const packageName = (require(join(root, 'package.json')) as { name: string }).name;
  symlinkSync(root, join(dir, 'node_modules', packageName), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      lib: ['es2022'], types: [], skipLibCheck: false,
    },
    files: ['consumer.ts'],
  }));
  writeFileSync(join(dir, 'consumer.ts'), source);
  return run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], dir);
}

/** A fresh project with the packed package installed in its node_modules. */
export interface PackedProject {
  dir: string;
  /** Removes the project and the tarball. */
  remove(): void;
}

/**
 * Packs the package (`npm pack`) into a temporary directory and installs the tarball into a fresh project there,
 * offline: the package's dependencies are linked from this repository's node_modules first, so npm finds them
 * installed and only unpacks the tarball. The pack skips `prepack`, whose build ensureDist() has just made current.
 */
export async function installPacked(): Promise<PackedProject> {
  await ensureDist();
  const dir = mkdtempSync(join(tmpdir(), 'webnn-packed-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const npm = (args: string[], cwd: string) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);
    const packed = await npm(['pack', '--ignore-scripts', '--pack-destination', dir], root);
    const tarball = packed.stdout.trim().split('\n').pop();
    if (packed.code !== 0 || !tarball) throw new Error(`npm pack failed:\n${packed.stdout}${packed.stderr}`);
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    const { dependencies } = require(join(root, 'package.json')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(dependencies)) {
      mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name), 'dir');
    }
    const installed = await npm(['install', join(dir, tarball), '--offline'], app);
    if (installed.code !== 0) throw new Error(`npm install of ${tarball} failed:\n${installed.stdout}${installed.stderr}`);
    return { dir: app, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/**
 * Type-checks `source` as `name` in `dir` with `compilerOptions` (over no library types but those listed), listing
 * the files the compilation read.
 */
export async function typecheckApp(dir: string, name: string, source: string,
  compilerOptions: Record<string, unknown>): Promise<ProcessResult> {
  const config = `tsconfig.${name.replace(/\.ts$/, '')}.json`;
  writeFileSync(join(dir, config), JSON.stringify({ compilerOptions: { types: [], ...compilerOptions, noEmit: true }, files: [name] }));
  writeFileSync(join(dir, name), source);
  return run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(dir, config), '--listFiles'], dir);
}

export const packageRoot = root;

/** The package's package.json. */
export function packageManifest(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
}

/** Whether `file` (relative to the package) exists. */
export function packageFileExists(file: string): boolean {
  return existsSync(join(root, file));
}

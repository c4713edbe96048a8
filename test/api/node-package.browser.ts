/** The browser stand-in for node-package.ts: the package test runs in Node only. */
export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

const nodeOnly = (): never => {
  throw new Error('Node only');
};

export const ensureDist: () => Promise<void> = nodeOnly;
export const runModule: (name: string, source: string) => Promise<ProcessResult> = nodeOnly;
export const typecheckConsumer: (source: string) => Promise<ProcessResult> = nodeOnly;
export interface PackedProject {
  dir: string;
  remove(): void;
}
export const installPacked: () => Promise<PackedProject> = nodeOnly;
export const typecheckApp: (dir: string, name: string, source: string, compilerOptions: Record<string, unknown>) =>
  Promise<ProcessResult> = nodeOnly;
export const packageRoot = '';
export const packageManifest: () => Record<string, unknown> = nodeOnly;
export const packageFileExists: (file: string) => boolean = nodeOnly;

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
export const packageRoot = '';

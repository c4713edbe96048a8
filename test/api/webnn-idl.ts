/** The text of idl/webnn.idl. Node reads the file; the browser bundle uses webnn-idl.browser.ts instead. */
import { readFileSync } from 'node:fs';

export const webnnIdlText: string = readFileSync(new URL('../../idl/webnn.idl', import.meta.url), 'utf8');

/** The text of idl/webnn.idl, inlined by the browser bundler's text loader. */
import text from '../../idl/webnn.idl';

export const webnnIdlText: string = text;

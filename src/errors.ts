/** Errors named by the spec's algorithms; every message names the operation (and argument) it comes from. */

export function typeError(where: string, message: string): TypeError {
  return new TypeError(`${where}: ${message}`);
}

function domException(name: string, where: string, message: string): DOMException {
  return new DOMException(`${where}: ${message}`, name);
}

export const invalidStateError = (where: string, message: string) => domException('InvalidStateError', where, message);
export const operationError = (where: string, message: string) => domException('OperationError', where, message);
export const notSupportedError = (where: string, message: string) => domException('NotSupportedError', where, message);
export const unknownError = (where: string, message: string) => domException('UnknownError', where, message);

/** Bidi and control characters are stripped from labels before they reach a message, as the spec advises. */
export function sanitizeLabel(label: string): string {
  // eslint-disable-next-line no-control-regex
  return label.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}

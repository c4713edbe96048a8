/** The errors a load rejects with: NotSupportedError for what the importer does not map, TypeError for a bad model. */

export function notSupported(message: string): Error {
  return new DOMException(message, 'NotSupportedError');
}

/** How an error message names a node: its name, its operator (with a domain other than ai.onnx) and the opset. */
export function nodeLabel(name: string, opType: string, domain: string, opset: number): string {
  return `node '${name}' (${domain ? `${domain}.` : ''}${opType}, opset ${opset})`;
}

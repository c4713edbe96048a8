/**
 * Every operation's builder errors carry its label in brackets after the operation's name, as browsers write them and
 * the web-platform-tests' validation helpers look for (`[${label}]`), with bidi and control characters removed.
 */
import { builderFor, forEachBackend, withDynamicShapes } from '../util/harness.js';
import { allOps } from '../../src/ops/registry.js';
import type { BackendName } from '../../src/runtime/backends.js';

function labelCases(backend: BackendName, proposal: boolean): void {
  it(`each ${proposal ? 'proposal ' : ''}operation: 'op [label]: ...' in a TypeError for an operand that is not one`, async () => {
    const b = await builderFor(backend);
    const methods = b as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>;
    let checked = 0;
    for (const op of allOps()) {
      if (!op.method || Boolean(op.proposal) !== proposal) continue;
      const args: unknown[] = new Array<unknown>(op.method.optionsIndex).fill({});
      args.push({ label: 'enc\u202eoder.0/conv' });
      let message = '';
      try {
        methods[op.name]!(...args);
      } catch (error) {
        if (!(error instanceof TypeError)) throw new Error(`${op.name}: ${String(error)}`, { cause: error });
        message = error.message;
      }
      if (!message.startsWith(`${op.name} [encoder.0/conv]: `)) throw new Error(`${op.name}: '${message}'`);
      checked++;
    }
    if (checked < (proposal ? 10 : 90)) throw new Error(`only ${checked} operations`);
  });
}

forEachBackend('labels in builder errors', (backend) => {
  labelCases(backend, false);
  describe('with the dynamic-shape proposal', () => {
    withDynamicShapes(true);
    labelCases(backend, true);
  });
});

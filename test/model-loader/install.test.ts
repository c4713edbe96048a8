/**
 * installModelLoader() (entry webnn-tfjs-polyfill/model-loader): MLModelLoader and MLModel as globals, defined as the
 * platform defines interfaces, left alone where the page has its own unless forced, and working from there.
 */
import { installModelLoader, MLModel, MLModelLoader } from '../../src/model-loader.js';
import { contextFor } from '../util/harness.js';

const g = globalThis as Record<string, unknown>;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

describe('installModelLoader()', () => {
  const saved = ['MLModelLoader', 'MLModel'].map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  const clear = () => {
    delete g['MLModelLoader'];
    delete g['MLModel'];
  };
  afterEach(() => {
    clear();
    for (const [name, descriptor] of saved) if (descriptor) Object.defineProperty(globalThis, name, descriptor);
  });

  it('defines both globals, writable, configurable and not enumerable', async () => {
    clear();
    installModelLoader();
    check(g['MLModelLoader'] === MLModelLoader && g['MLModel'] === MLModel, 'globals not the entry\'s classes');
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'MLModelLoader')!;
    check(descriptor.writable && descriptor.configurable && !descriptor.enumerable, JSON.stringify(descriptor));
    check(!Object.keys(globalThis).includes('MLModel'), 'MLModel is enumerable');
    const context = await contextFor('cpu');
    const Loader = g['MLModelLoader'] as typeof MLModelLoader;
    check(new Loader(context) instanceof MLModelLoader, 'the global does not construct a loader');
  });

  it('leaves a page\'s own globals alone, unless forced', () => {
    clear();
    const own = class PageOwnLoader {};
    g['MLModelLoader'] = own;
    installModelLoader();
    check(g['MLModelLoader'] === own, 'replaced the page\'s own MLModelLoader');
    check(g['MLModel'] === MLModel, 'MLModel not defined beside it');
    installModelLoader({ force: true });
    check(g['MLModelLoader'] === MLModelLoader, 'force did not replace it');
  });
});

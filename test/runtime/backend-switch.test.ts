/**
 * runtime/backends.ts activateBackendNow(): switching TF.js's active backend. Only the first switch to a backend
 * instance goes through tf.setBackend() (which runs every kernel's setup function for it); later ones make the same
 * backend active without that, until kernels are registered (their setup then runs at the next switch); a backend
 * removed and registered anew is switched to in full again.
 */
import { activateBackendNow, tf } from '../../src/runtime/backends.js';
import { BACKENDS, contextFor } from '../util/harness.js';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

describe('switching TF.js\'s active backend', () => {
  const others = BACKENDS.filter((b) => b !== 'cpu');

  before(async () => {
    for (const backend of BACKENDS) await contextFor(backend);
  });

  for (const other of others) {
    it(`between cpu and ${other}: the engine computes on the backend made active, each kernel set up once`, () => {
      const previous = tf.getBackend();
      let setups = 0;
      const kernelName = `BackendSwitchTestSetup_${other}`;
      tf.registerKernel({
        kernelName, backendName: other,
        kernelFunc: ({ inputs }) => inputs['x']!,
        setupFunc: () => { setups++; },
      });
      try {
        activateBackendNow('cpu');
        activateBackendNow(other);
        const afterFirst = setups;
        for (let i = 0; i < 3; i++) {
          activateBackendNow('cpu');
          check(tf.getBackend() === 'cpu' && tf.backend() === tf.findBackend('cpu'), `active: ${tf.getBackend()}`);
          const onCpu = tf.add(tf.tensor1d([1, 2]), 1);
          check(tf.engine().state.tensorInfo.get(onCpu.dataId)!.backend === tf.findBackend('cpu'), 'a tensor made while cpu is active is elsewhere');
          check(onCpu.dataSync().join() === '2,3', `cpu computed ${onCpu.dataSync().join()}`);
          onCpu.dispose();
          activateBackendNow(other);
          check(tf.getBackend() === other && tf.backend() === tf.findBackend(other), `active: ${tf.getBackend()}, not ${other}`);
          const there = tf.mul(tf.tensor1d([1.5, -2]), 2);
          check(tf.engine().state.tensorInfo.get(there.dataId)!.backend === tf.findBackend(other), `a tensor made while ${other} is active is elsewhere`);
          check(there.dataSync().join() === '3,-4', `${other} computed ${there.dataSync().join()}`);
          there.dispose();
        }
        // Registered after every earlier switch to `other`: the first switch here set it up, the later ones did not.
        check(afterFirst === 1 && setups === 1, `set up ${setups} times (${afterFirst} at the first switch)`);
      } finally {
        tf.unregisterKernel(kernelName, other);
        activateBackendNow(previous);
      }
    });
  }

  it('to a backend removed and registered anew: the new instance, switched to in full', async () => {
    const name = 'backend-switch-test';
    const made: tf.KernelBackend[] = [];
    const register = () => tf.registerBackend(name, () => {
      const backend = tf.findBackend('cpu')!.constructor as new () => tf.KernelBackend;
      const instance = new backend();
      made.push(instance);
      return instance;
    });
    const previous = tf.getBackend();
    register();
    try {
      await tf.ready();
      check(tf.findBackend(name) !== null && made.length === 1, 'the test backend did not start');
      activateBackendNow(name);
      check(tf.backend() === made[0], 'the first instance is not active');
      activateBackendNow('cpu');
      activateBackendNow(name);
      check(tf.backend() === made[0], 'the first instance is not active again');
      activateBackendNow('cpu');
      tf.removeBackend(name);
      register();
      check(tf.findBackend(name) === made[1], 'the second instance did not start');
      activateBackendNow(name);
      check(tf.backend() === made[1] && made[1] !== made[0], 'the switch went to the removed instance');
    } finally {
      activateBackendNow(previous);
      if (tf.findBackend(name)) tf.removeBackend(name);
    }
  });
});

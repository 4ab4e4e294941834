import { describe, expect, it } from 'vitest';
import { createPacer } from '../../../src/adapters/http/pacer.js';
import { createVirtualTime } from './helpers.js';

describe('the pacer that spaces requests (arXiv: one every 3 s)', () => {
  it('given three tasks at once, then each starts only after the previous one ended and the 3 s passed', async () => {
    const events: string[] = [];
    const time = createVirtualTime((ms) => events.push(`sleep ${ms}`));
    const pacer = createPacer(3000, time.sleep, time.now);
    const task = (name: string, takes: number) => async () => {
      events.push(`start ${name} at ${time.now()}`);
      await time.sleep(takes);
      events.push(`end ${name} at ${time.now()}`);
      return name;
    };
    expect(await Promise.all([pacer.run(task('a', 500)), pacer.run(task('b', 0)), pacer.run(task('c', 0))])).toEqual(['a', 'b', 'c']);
    expect(events).toEqual([
      'start a at 0',
      'sleep 500',
      'end a at 500',
      'sleep 3000',
      'start b at 3500',
      'sleep 0',
      'end b at 3500',
      'sleep 3000',
      'start c at 6500',
      'sleep 0',
      'end c at 6500',
    ]);
  });

  it('given a task due after the pause has already passed, then it starts without waiting', async () => {
    const time = createVirtualTime();
    const sleeps: number[] = [];
    const pacer = createPacer(3000, async (ms) => void sleeps.push(ms), time.now);
    await pacer.run(async () => undefined);
    await time.sleep(1000);
    await pacer.run(async () => undefined);
    expect(sleeps).toEqual([2000]);
    await time.sleep(5000);
    await pacer.run(async () => undefined);
    expect(sleeps).toEqual([2000]);
  });

  it('given a task that fails, then the pause still follows it and the next task runs', async () => {
    const events: string[] = [];
    const time = createVirtualTime((ms) => events.push(`sleep ${ms}`));
    const pacer = createPacer(3000, time.sleep, time.now);
    const failing = pacer.run(async () => {
      events.push('start failing');
      throw new Error('boom');
    });
    const next = pacer.run(async () => void events.push(`start next at ${time.now()}`));
    await expect(failing).rejects.toThrow('boom');
    await next;
    expect(events).toEqual(['start failing', 'sleep 3000', 'start next at 3000']);
  });
});

import { describe, expect, it } from 'vitest';
import { oneAtATime } from './libvirt.ops.ts';

// Start pacing: the driver starts a work order's machines one at a time (each as soon as the one before has
// started), whatever the number of sessions preparing them side by side.

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one start at a time', () => {
  it('lets one call through at a time, in the order they come', async () => {
    const turn = oneAtATime();
    const log: string[] = [];
    const call = (name: string, ms: number) =>
      turn(async () => {
        log.push(`${name} begins`);
        await later(ms);
        log.push(`${name} ends`);
        return name;
      });
    expect(await Promise.all([call('a', 30), call('b', 1), call('c', 10)])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
  });

  it('a failing call fails alone and lets the next one go', async () => {
    const turn = oneAtATime();
    const failed = turn(async () => {
      throw new Error('start refused');
    });
    const next = turn(async () => 'started');
    await expect(failed).rejects.toThrow('start refused');
    expect(await next).toBe('started');
  });
});

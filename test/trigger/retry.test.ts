import { describe, expect, it } from 'vitest';
import { SendError } from '../../lib/runtime/send.ts';
import { createLimiter } from '../../lib/trigger/limit.ts';
import { equalJitterDelay, isTransient, minimumPatienceMs, retrying } from '../../lib/trigger/retry.ts';

const policy = { attempts: 8, backoffMs: 250, maxBackoffMs: 5000 };

describe('equal jitter', () => {
  it.each([
    [0, 0, 125],
    [0, 0.999, 249],
    [3, 0, 1000],
    [10, 0, 2500],
    [10, 1, 5000],
  ])('attempt %i, random %d → %i ms', (attempt, r, want) => expect(equalJitterDelay(attempt, policy, () => r)).toBe(want));

  it('the default detector policy waits at least ~8.9 s before giving up: longer than a cold start', () => {
    expect(minimumPatienceMs(policy)).toBe(125 + 250 + 500 + 1000 + 2000 + 2500 + 2500);
  });
});

describe('retrying', () => {
  it.each([
    ['connection refused', new SendError('x', undefined), true],
    ['503', new SendError('x', 503), true],
    ['429', new SendError('x', 429), true],
    ['400', new SendError('x', 400), false],
    ['a programming error', new TypeError('x'), false],
  ])('%s transient: %s', (_n, err, want) => expect(isTransient(err)).toBe(want));

  it('retries transient errors until success, stops at the first permanent one', async () => {
    const fast = { attempts: 5, backoffMs: 1, maxBackoffMs: 2 };
    let calls = 0;
    await expect(retrying(async () => (++calls < 3 ? Promise.reject(new SendError('refused')) : 'ok'), fast)).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retrying(async () => { calls++; throw new SendError('bad', 400); }, fast)).rejects.toThrow('bad');
    expect(calls).toBe(1);
    calls = 0;
    await expect(retrying(async () => { calls++; throw new SendError('down', 502); }, fast)).rejects.toThrow('down');
    expect(calls).toBe(5);
  });
});

describe('createLimiter', () => {
  it('never runs more than the limit at once and runs everything', async () => {
    const limiter = createLimiter(3);
    let peak = 0;
    let active = 0;
    const done = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 1 + (i % 3)));
          active--;
          return i;
        }),
      ),
    );
    expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
  });
});

// Ports for child processes are picked below the kernel's ephemeral range, so that no other process's
// listen(0) or outgoing connection takes them between the pick and the child's listen.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { findFreePort } from '../../lib/up/ports.ts';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('findFreePort', () => {
  it('picks a port below the ephemeral range that can then be listened on', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => findFreePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(1024);
      expect(port).toBeLessThan(ephemeralLow);
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    server.close();
  });

  it('skips a candidate that is taken', async () => {
    // The first random draw lands on the lowest candidate; hold that port, and the next draw must win.
    const lowest = Math.max(1024, ephemeralLow - 12_000);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(lowest, '127.0.0.1', resolve);
    });
    const draws = [0, 0.5];
    const random = vi.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0.75);
    try {
      const port = await findFreePort();
      expect(port).not.toBe(lowest);
      expect(port).toBe(lowest + Math.floor(0.5 * (ephemeralLow - lowest)));
    } finally {
      random.mockRestore();
      server.close();
    }
  });
});

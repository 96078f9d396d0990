// Where the network benchmark's processes run and how their monitoring bytes are counted.
// - netns (root + `ip`): every pod, each federation's node, the central control plane and the load
//   client get their own network namespace, joined by veths to two bridges inside one more namespace
//   of ours: an app network (10.200.1.0/24, Bookinfo calls and load) and a monitoring network
//   (10.201.1.0/24, scrapes, anomaly events). A node's monitoring bytes are its mon0 counters: real
//   frames, headers included. Nothing touches the host's own namespace; all are deleted at the end.
// - loopback (otherwise): everything on 127.0.0.1; each monitoring connection that crosses a node
//   boundary goes through a counting proxy (payload bytes only).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCountingProxy, type CountingProxy } from './counting-proxy.ts';
import { waitUntilReady } from './ready.ts';

const run = promisify(execFile);
const WAIT_READY = fileURLToPath(new URL('./wait-ready.ts', import.meta.url));

export interface NodeBytes {
  tx: number;
  rx: number;
}

export interface BenchNet {
  readonly kind: 'netns' | 'loopback';
  /** argv that runs `argv` on `node`. */
  wrap(node: string, argv: string[]): string[];
  /** Address a server on `node` listens on. */
  bindHost(node: string): string;
  /** Base URL of node:port on the app network. */
  appUrl(node: string, port: number): string;
  /** Base URL `from` uses to reach to:port on the monitoring network. */
  monUrl(from: string, to: string, port: number): Promise<string>;
  /** Wait until every URL answers 2xx from inside `node` (Prometheus targets URL: all scraped). */
  waitReady(node: string, urls: string[], timeoutMs?: number): Promise<void>;
  /** Monitoring-network bytes per node so far (cumulative). */
  monitoringBytes(): Promise<Map<string, NodeBytes>>;
  /** App-network bytes per node so far (netns only; empty in loopback). */
  appBytes(): Promise<Map<string, NodeBytes>>;
  /** Close per-mode resources (proxies); counters stay. */
  closeLinks(): Promise<void>;
  teardown(): Promise<void>;
}

export interface NodeSpec {
  name: string;
  app: boolean;
  mon: boolean;
}

/** Root with a working `ip netns`? */
export async function canUseNetns(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await run('ip', ['netns', 'list']);
    return true;
  } catch {
    return false;
  }
}

const PREFIX = 'dnb';

/** Delete namespaces a crashed earlier run left behind (its pid is in the name). */
export async function removeStaleNamespaces(): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list']);
  for (const line of stdout.split('\n')) {
    const name = line.split(' ')[0];
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive || pid === process.pid) await run('ip', ['netns', 'del', name]).catch(() => {});
  }
}

export async function createNetnsNet(nodes: NodeSpec[]): Promise<BenchNet> {
  await removeStaleNamespaces();
  const ns = (node: string) => `${PREFIX}${process.pid}-${node}`.slice(0, 40);
  const fabric = ns('fabric');
  const ip = (...args: string[]) => run('ip', args);
  const inNs = (name: string, script: string) => run('ip', ['netns', 'exec', name, 'sh', '-c', script]);
  const created: string[] = [];
  const addrs = new Map<string, number>();
  nodes.forEach((n, i) => addrs.set(n.name, i + 1));
  const teardown = async () => {
    for (const name of created.reverse()) await ip('netns', 'del', name).catch(() => {});
    created.length = 0;
  };
  try {
    const noV6 = 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6';
    await ip('netns', 'add', fabric);
    created.push(fabric);
    await inNs(fabric, noV6);
    for (const br of ['br-app', 'br-mon']) {
      await ip('-n', fabric, 'link', 'add', br, 'type', 'bridge', 'forward_delay', '0');
      await ip('-n', fabric, 'link', 'set', br, 'up');
    }
    for (const node of nodes) {
      const name = ns(node.name);
      await ip('netns', 'add', name);
      created.push(name);
      await inNs(name, noV6);
      await ip('-n', name, 'link', 'set', 'lo', 'up');
      const n = addrs.get(node.name)!;
      for (const [net, on, subnet] of [['app', node.app, '10.200.1'], ['mon', node.mon, '10.201.1']] as const) {
        if (!on) continue;
        const peer = `v${n}${net}`;
        await ip('-n', name, 'link', 'add', `${net}0`, 'type', 'veth', 'peer', 'name', peer, 'netns', fabric);
        await ip('-n', fabric, 'link', 'set', peer, 'master', `br-${net}`, 'up');
        await ip('-n', name, 'addr', 'add', `${subnet}.${n}/24`, 'dev', `${net}0`);
        await ip('-n', name, 'link', 'set', `${net}0`, 'up');
      }
    }
  } catch (err) {
    await teardown();
    throw err;
  }
  const spec = new Map(nodes.map((n) => [n.name, n]));
  const readBytes = async (dev: 'app0' | 'mon0') => {
    const out = new Map<string, NodeBytes>();
    for (const node of nodes) {
      if (!(dev === 'app0' ? node.app : node.mon)) continue;
      const { stdout } = await ip('-n', ns(node.name), '-s', '-j', 'link', 'show', 'dev', dev);
      const stats = (JSON.parse(stdout) as { stats64: { rx: { bytes: number }; tx: { bytes: number } } }[])[0].stats64;
      out.set(node.name, { tx: stats.tx.bytes, rx: stats.rx.bytes });
    }
    return out;
  };
  return {
    kind: 'netns',
    wrap: (node, argv) => ['ip', 'netns', 'exec', ns(node), ...argv],
    bindHost: () => '0.0.0.0',
    appUrl: (node, port) => `http://10.200.1.${addrs.get(node)}:${port}`,
    monUrl: async (from, to, port) => (from === to ? `http://127.0.0.1:${port}` : `http://10.201.1.${addrs.get(to)}:${port}`),
    async waitReady(node, urls, timeoutMs = 30_000) {
      if (!spec.has(node)) throw new Error(`unknown node ${node}`);
      await run('ip', ['netns', 'exec', ns(node), process.execPath, WAIT_READY, String(timeoutMs), ...urls]);
    },
    monitoringBytes: () => readBytes('mon0'),
    appBytes: () => readBytes('app0'),
    closeLinks: async () => {},
    teardown,
  };
}

export function createLoopbackNet(): BenchNet {
  const links: { from: string; to: string; proxy: CountingProxy }[] = [];
  const live = new Set<CountingProxy>();
  return {
    kind: 'loopback',
    wrap: (_node, argv) => argv,
    bindHost: () => '127.0.0.1',
    appUrl: (_node, port) => `http://127.0.0.1:${port}`,
    async monUrl(from, to, port) {
      if (from === to) return `http://127.0.0.1:${port}`;
      const proxy = await startCountingProxy(port);
      links.push({ from, to, proxy });
      live.add(proxy);
      return `http://127.0.0.1:${proxy.port}`;
    },
    async waitReady(_node, urls, timeoutMs = 30_000) {
      await Promise.all(urls.map((u) => waitUntilReady(u, timeoutMs)));
    },
    async monitoringBytes() {
      const out = new Map<string, NodeBytes>();
      const add = (node: string, tx: number, rx: number) => {
        const b = out.get(node) ?? { tx: 0, rx: 0 };
        b.tx += tx;
        b.rx += rx;
        out.set(node, b);
      };
      for (const { from, to, proxy } of links) {
        add(from, proxy.counts.up, proxy.counts.down);
        add(to, proxy.counts.down, proxy.counts.up);
      }
      return out;
    },
    appBytes: async () => new Map(),
    async closeLinks() {
      await Promise.all([...live].map((p) => p.close()));
      live.clear();
    },
    teardown: async () => {
      await Promise.all([...live].map((p) => p.close()));
    },
  };
}

// Run inside a pod's namespace by the network benchmark's --incidents: switch an incident on.
//   node inject.ts URL KIND MS
const [url, kind, ms] = process.argv.slice(2);
try {
  const res = await fetch(`${url}/admin/incident`, { method: 'POST', body: JSON.stringify({ kind, ms: Number(ms) }), signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${await res.text()}`);
} catch (err) {
  process.stderr.write(`inject ${kind} at ${url}: ${(err as Error).message}\n`);
  process.exit(1);
}

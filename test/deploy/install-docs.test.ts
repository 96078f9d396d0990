// docs/install.md's "See an alert" step, run for real: the exact curl request the guide gives,
// sent to a real alert-forwarder (the CLI), which delivers to a real Alertmanager where the alert
// shows up with the labels the guide names. Only the in-cluster URL is swapped for 127.0.0.1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type RunningAlertmanager } from '../support/alertmanager.ts';
import { requireBinary } from '../support/binaries.ts';
import { REPO_ROOT, freePort, startCli, waitForHttp, type Started } from '../support/process.ts';

const DOC = readFileSync(join(REPO_ROOT, 'docs/install.md'), 'utf8');

/** The curl command of the smoke test: its -H headers and its -d body (shell quoting undone). */
function smokeRequest(): { url: string; headers: Record<string, string>; body: string } {
  const block = /kubectl -n deucalion run deucalion-smoke[\s\S]*?```/.exec(DOC)?.[0];
  if (!block) throw new Error('docs/install.md has no deucalion-smoke command');
  const command = block.replace(/\\\n\s*/g, ' ');
  const url = /curl -sS -X POST (\S+)/.exec(command)![1];
  const headers = Object.fromEntries([...command.matchAll(/-H '([^:]+): ([^']+)'/g)].map((m) => [m[1].toLowerCase(), m[2]]));
  const rawBody = /-d "((?:[^"\\]|\\.)*)"/.exec(command)![1];
  const body = rawBody.replace(/\\"/g, '"').replace('$(date +%s)000', String(Date.now()));
  return { url, headers, body };
}

describe('docs/install.md: see an alert', () => {
  const binary = requireBinary('alertmanager');
  let am: RunningAlertmanager | undefined;
  let forwarder: Started | undefined;
  afterAll(async () => {
    await forwarder?.stop();
    await am?.close();
  });

  it.skipIf(!binary)('the guide\'s curl request becomes a DeucalionAnomaly alert in Alertmanager', async () => {
    const request = smokeRequest();
    expect(request.url).toBe('http://alert-forwarder.deucalion.svc.cluster.local/');
    am = await startAlertmanager({ binary });
    const port = await freePort();
    forwarder = startCli(['function', 'alert-forwarder', '--port', String(port)], { ALERTMANAGER_URL: am.url, ALERT_NAME: 'DeucalionAnomaly', ALERT_RESEND_INTERVAL: '1m' });
    await waitForHttp(`http://127.0.0.1:${port}/health/readiness`, forwarder);
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: request.headers, body: request.body });
    expect(res.status, await res.text()).toBeLessThan(300);
    const alerts = await am.waitForAlerts((list) => list.length === 1, { query: { filter: 'alertname="DeucalionAnomaly"' } });
    expect(alerts[0].labels).toMatchObject({ alertname: 'DeucalionAnomaly', detector: 'zscore', namespace: 'shop', pod: 'web-0' });
  });
});

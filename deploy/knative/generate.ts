// Regenerate deucalion-knative.yaml: plain Knative manifests (no Helm needed to apply them) for the
// functions, two example federations, the Broker wiring and Alertmanager, rendered from the chart
// so the two never drift (test/deploy/knative.test.ts fails when the file is stale).
//   node_modules/.bin/node deploy/knative/generate.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { runHelm } from '../../test/support/helm.ts';

export const OUTPUT = fileURLToPath(new URL('./deucalion-knative.yaml', import.meta.url));
const TEMPLATES = ['functions.yaml', 'federations.yaml', 'federation-rbac.yaml', 'sidecar-config.yaml', 'alertmanager.yaml'];
const HEADER = `# Deucalion on Knative, as plain manifests: kubectl apply -f deploy/knative/deucalion-knative.yaml
# Detector functions, the alert-forwarder (Knative Services, min-scale 0), two example federations
# (zone-a, zone-b: Prometheus + scrape-trigger + PingSource), a Broker with a Trigger for anomaly
# events, a SinkBinding and the dispatcher ConfigMap in namespace shop, and Alertmanager. The
# injector needs its TLS and webhook: install it with the Helm chart (docs/install.md).
# Generated from charts/deucalion with deploy/knative/values.yaml; do not edit, regenerate:
#   node_modules/.bin/node deploy/knative/generate.ts
`;

export function renderKnative(): string {
  const args = ['template', 'deucalion', 'charts/deucalion', '--namespace', 'deucalion', '-f', 'deploy/knative/values.yaml'];
  for (const t of TEMPLATES) args.push('--show-only', `templates/${t}`);
  const result = runHelm(args);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  const docs = parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as { metadata: { labels?: Record<string, string> } } | null)
    .filter((d) => d !== null);
  for (const doc of docs) {
    const labels = doc.metadata.labels ?? {};
    delete labels['helm.sh/chart'];
    if (labels['app.kubernetes.io/managed-by']) labels['app.kubernetes.io/managed-by'] = 'kubectl';
  }
  return HEADER + docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OUTPUT, renderKnative());
  process.stdout.write(`wrote ${OUTPUT}\n`);
}

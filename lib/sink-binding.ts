// What a Knative SinkBinding puts into a producer's environment besides K_SINK, read by both producers
// of anomaly events (the dispatcher and the scrape-trigger):
// - K_CA_CERTS: PEM CA certificates of an https sink (a Broker under transport encryption), trusted
//   in addition to the default ones (Node's bundled CAs, NODE_EXTRA_CA_CERTS);
// - K_CE_OVERRIDES: `{"extensions": {"name": "value"}}`, CloudEvent extension attributes every event
//   sent must carry (a Trigger can filter on them), from the SinkBinding's `ceOverrides`.
// No imports: the dispatcher loads this too, and counts every module.

/** True when `text` holds at least one PEM certificate. */
export function hasPemCertificate(text: string): boolean {
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text);
}

/**
 * Trust these PEM CA certificates process-wide, besides the default ones, for clients that take no
 * `ca` option (fetch). Loads node:tls only when called.
 */
export function trustCaCertificates(pem: string): void {
  const tls = process.getBuiltinModule('node:tls');
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), pem]);
}

/** Names the CloudEvents spec gives its own attributes (and `data`): overrides may not replace them. */
const RESERVED = new Set(['specversion', 'id', 'source', 'type', 'datacontenttype', 'dataschema', 'subject', 'time', 'data', 'data_base64']);
/** CloudEvents attribute names: lower-case letters and digits, 20 at most (the spec's SHOULD). */
const NAME = /^[a-z0-9]{1,20}$/;
/** Values go into ce-* headers in binary mode as they are; characters the HTTP binding would
 *  percent-encode (space, '"', '%', non-ASCII) are refused rather than sent mangled. */
const VALUE = /^[\x21\x23-\x24\x26-\x7e]*$/;

/**
 * The extension attributes of K_CE_OVERRIDES (empty when unset). Throws an Error saying what is wrong;
 * callers prefix it with where the value came from.
 */
export function parseCeOverrides(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('not JSON (expected {"extensions": {"name": "value"}})');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object {"extensions": {...}}');
  const extensions = (parsed as { extensions?: unknown }).extensions;
  return extensions === undefined || extensions === null ? {} : ceExtensions(extensions, 'extensions');
}

/**
 * The extensions every event carries: K_CE_OVERRIDES' (text of the variable), then `written` (a
 * config's `sink.extensions`) over them name by name. Undefined when there are none. Throws an Error
 * whose message starts with the field at fault.
 */
export function eventExtensions(envText: string | undefined, written: unknown): Record<string, string> | undefined {
  let out: Record<string, string>;
  try {
    out = parseCeOverrides(envText);
  } catch (err) {
    throw new Error(`sink.extensions (from K_CE_OVERRIDES): ${(err as Error).message}`);
  }
  if (written !== undefined && written !== null) out = { ...out, ...ceExtensions(written, 'sink.extensions') };
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Validate a mapping of extension attributes (K_CE_OVERRIDES' `extensions`, or a config's). */
export function ceExtensions(value: unknown, path: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path}: expected a mapping of name: string value`);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!NAME.test(name)) throw new Error(`${path}.${name}: a CloudEvents attribute name is 1-20 lower-case letters and digits`);
    if (RESERVED.has(name)) throw new Error(`${path}.${name}: a core CloudEvents attribute cannot be overridden`);
    if (typeof v !== 'string') throw new Error(`${path}.${name}: expected a string value, got ${v === null ? 'null' : typeof v}`);
    if (!VALUE.test(v)) throw new Error(`${path}.${name}: only printable ASCII without spaces, '"' or '%' is supported (the value goes into a ce-${name} header)`);
    out[name] = v;
  }
  return out;
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/dispatcher/config.ts';
import { checkConfig } from '../../lib/dispatcher/dispatcher.ts';
import { DEFAULT_DETECTOR } from '../../lib/detectors/index.ts';
import { makeCert } from '../injector/tls.ts';
import { REPO_ROOT } from '../support/process.ts';

const env = { POD_NAME: 'web-1', POD_NAMESPACE: 'shop', K_SINK: 'http://sink.local/' };

async function issues(yaml: string | undefined, extraEnv: NodeJS.ProcessEnv = env): Promise<string[]> {
  try {
    await loadConfig(yaml, { source: 'c.yaml', env: extraEnv });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues;
  }
}

describe('dispatcher config', () => {
  it('loads the example of docs/dispatcher.md', async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/dispatcher.md'), 'utf8');
    const example = /## Config[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)![1];
    const c = await loadConfig(example, { source: 'docs/dispatcher.md', env: {} });
    expect(c.target).toEqual({ url: 'http://127.0.0.1:8080/metrics', intervalMs: 15_000, timeoutMs: 10_000, bodySizeLimit: 16 * 1024 * 1024, gzip: true, fallbackFormat: 'prometheus' });
    expect(c.detectors.map((d) => [d.name, d.match])).toEqual([['zscore', '{__name__=~"http_.*"}'], ['stuck', undefined]]);
    expect(c.detectors[0].params).toMatchObject({ threshold: 4, window: 60 });
    expect(c.detectors[1].params).toMatchObject({ absent: 60_000 });
    expect(c.series).toEqual({ max: 10_000, vanishAfterMs: 600_000, resolveAfter: 3 });
    expect(c.sink).toEqual({ url: 'http://broker-ingress.knative-eventing.svc/ns/default', timeoutMs: 5000, bufferEvents: 1000, retryBaseMs: 500, retryMaxMs: 30_000, mode: 'binary' });
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 9464, explicit: true });
  });

  it('asks for gzip by default only when the target is not on the loopback', async () => {
    const gzipFor = async (url: string) => (await loadConfig(`target: { url: "${url}" }`, { source: 't', env: {} })).target.gzip;
    expect(await gzipFor('http://127.0.0.1:8080/metrics')).toBe(false);
    expect(await gzipFor('http://127.1.2.3:8080/metrics')).toBe(false);
    expect(await gzipFor('http://localhost:8080/metrics')).toBe(false);
    expect(await gzipFor('http://[::1]:8080/metrics')).toBe(false);
    expect(await gzipFor('http://10.0.0.7:8080/metrics')).toBe(true);
    expect(await gzipFor('http://app.default.svc:8080/metrics')).toBe(true);
    expect(await gzipFor('http://127.0.0.1.example.com/metrics')).toBe(true);
    expect((await loadConfig('target: { url: "http://127.0.0.1:8080/", gzip: true }', { source: 't', env: {} })).target.gzip).toBe(true);
    expect((await loadConfig('', { source: 't', env: { DEUCALION_SCRAPE_PORT: '8080' } })).target.gzip).toBe(false);
  });

  it('fills defaults from the downward API environment', async () => {
    const c = await loadConfig('{}', { source: 'c.yaml', env: { ...env, DEUCALION_SCRAPE_PORT: '9102', DEUCALION_SCRAPE_PATH: 'stats/prometheus' } });
    expect(c.target.url).toBe('http://127.0.0.1:9102/stats/prometheus');
    expect(c.sink.url).toBe('http://sink.local/');
    expect([c.namespace, c.pod]).toEqual(['shop', 'web-1']);
    expect(c.detectors.map((d) => d.name)).toEqual([DEFAULT_DETECTOR]);
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 9464, explicit: false });
    // no file at all: the same, from the environment alone
    const none = await loadConfig(undefined, { source: 'missing', env: { DEUCALION_SCRAPE_PORT: '8080', DEUCALION_SCRAPE_PATH: '', DEUCALION_HTTP_PORT: '9999' } });
    expect([none.target.url, none.sink.url, none.listen.port, none.listen.explicit, none.namespace]).toEqual(['http://127.0.0.1:8080/metrics', undefined, 9999, true, 'default']);
  });

  it('takes target.url over the annotations and sink.url over K_SINK', async () => {
    const c = await loadConfig('target: { url: "http://localhost:1/m" }\nsink: { url: "http://other/" }', { source: 'c.yaml', env: { ...env, DEUCALION_SCRAPE_PORT: '5' } });
    expect([c.target.url, c.sink.url]).toEqual(['http://localhost:1/m', 'http://other/']);
  });

  it.each([
    ['not YAML', 'target: [1', [/^not valid YAML: /]],
    ['not a mapping', '- 1', ['(top level): expected a mapping, got a list']],
    ['no target anywhere', 'detectors: []', ['target.url: required (or annotate the pod with prometheus.io/port, which the injector passes as DEUCALION_SCRAPE_PORT)']],
    ['typo', 'target: { url: "http://a/", intervall: 5s }', ['target.intervall: unknown field (known: url, interval, timeout, bodySizeLimit, gzip, fallbackFormat, tls)']],
    ['bad url', 'target: { url: "ftp://a/" }', ['target.url: expected an http:// or https:// URL, got "ftp://a/"']],
    ['credentials in a URL, without echoing them', 'target: { url: "http://a/" }\nsink: { url: "http://user:s3cret@broker/x" }', ['sink.url: credentials in the URL are not supported (they would end up in logs): http://broker/x']],
    ['bad duration', 'target: { url: "http://a/", interval: "5 sec" }', [/^target.interval: invalid duration "5 sec"/]],
    ['timeout above interval', 'target: { url: "http://a/", interval: 5s, timeout: 6s }', ['target.timeout: must not exceed target.interval (5000 ms), got 6000 ms']],
    ['bad size', 'target: { url: "http://a/", bodySizeLimit: lots }', ['target.bodySizeLimit: expected a size such as 10MiB or a number of bytes, got "lots"']],
    ['unknown detector', 'target: { url: "http://a/" }\ndetectors: [{ name: nope }]', ['detectors[0].name: unknown detector "nope": not a built-in detector nor a module path (./x.ts, /abs/x.js)']],
    ['detector without name', 'target: { url: "http://a/" }\ndetectors: [{ params: {} }]', ['detectors[0].name: required: a built-in detector name or a module path']],
    ['bad param', 'target: { url: "http://a/" }\ndetectors: [{ name: zscore, params: { threshold: -1 } }]', ['detectors[0].params.threshold: expected a number >= 0, got -1']],
    ['bad selector', 'target: { url: "http://a/" }\ndetectors: [{ name: zscore, match: "{a=~\\"(\\"}" }]', [/^detectors\[0\]\.match: expected valid regular expression/]],
    ['missing module', 'target: { url: "http://a/" }\ndetectors: [{ name: ./nowhere.ts }]', [/^detectors\[0\]\.name: cannot load detector module .*nowhere\.ts/]],
    ['sink retry order', 'target: { url: "http://a/" }\nsink: { retryBase: 10s, retryMax: 1s }', ['sink.retryMax: must be at least sink.retryBase (10000 ms)']],
    ['bad listen', 'target: { url: "http://a/" }\nlisten: "x:y"', ['listen: expected a port or host:port, got "x:y"']],
    ['several at once', 'target: { url: "http://a/", gzip: "yes" }\nseries: { max: 0 }\nsink: { mode: smoke }', [
      'target.gzip: expected true or false, got "yes"',
      'series.max: expected an integer from 1 to 10000000, got 0',
      'sink.mode: expected one of binary, structured, got "smoke"',
    ]],
  ])('rejects %s with the field path', async (_name, yaml, expected) => {
    const got = await issues(yaml);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => (typeof e === 'string' ? expect(got[i]).toBe(e) : expect(got[i]).toMatch(e)));
  });

  it('loads a detector module relative to the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-dispatcher-config-'));
    const module = join(REPO_ROOT, 'examples/detectors/spike-ratio.ts');
    writeFileSync(join(dir, 'config.yaml'), `target: { url: "http://a/" }\ndetectors: [{ name: ${module} }]\n`);
    const c = await loadConfig(readFileSync(join(dir, 'config.yaml'), 'utf8'), { source: join(dir, 'config.yaml'), env: {} });
    expect(c.detectors[0].ref).toBe(module);
    expect(typeof c.detectors[0].detector.createOnline).toBe('function');
  });

  it("takes CloudEvent extensions from $K_CE_OVERRIDES (a SinkBinding's ceOverrides), sink.extensions winning by name", async () => {
    const overrides = JSON.stringify({ extensions: { cluster: 'prod-eu1', team: 'platform' } });
    const c = await loadConfig('target: { url: "http://a/" }\nsink: { extensions: { team: payments } }', { source: 'c.yaml', env: { ...env, K_CE_OVERRIDES: overrides } });
    expect(c.sink.extensions).toEqual({ cluster: 'prod-eu1', team: 'payments' });
    expect((await loadConfig('target: { url: "http://a/" }', { source: 'c.yaml', env: { ...env, K_CE_OVERRIDES: ' ' } })).sink.extensions).toBeUndefined();
    expect(await issues('target: { url: "http://a/" }', { ...env, K_CE_OVERRIDES: '{"extensions":{"source":"x"}}' })).toEqual(['sink.extensions (from K_CE_OVERRIDES): extensions.source: a core CloudEvents attribute cannot be overridden']);
    expect(await issues('target: { url: "http://a/" }\nsink: { extensions: { team: "a b" } }')).toEqual([
      `sink.extensions.team: only printable ASCII without spaces, '"' or '%' is supported (the value goes into a ce-team header)`,
    ]);
  });

  describe('tls (https targets and sinks)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-dispatcher-tls-'));
    const { certFile, keyFile } = makeCert(dir, 'metrics.local');
    const cert = readFileSync(certFile, 'utf8');
    writeFileSync(join(dir, 'not-pem.txt'), 'hello');
    makeCert(dir, 'someone-else', 'other');
    const config = join(dir, 'config.yaml');

    it('reads caFile, certFile and keyFile (relative to the config file) for an https target', async () => {
      const yaml = 'target: { url: "https://127.0.0.1:8443/metrics", tls: { caFile: tls.crt, certFile: tls.crt, keyFile: tls.key, serverName: metrics.local } }';
      const c = await loadConfig(yaml, { source: config, env: {} });
      expect(c.target.tls).toEqual({ ca: cert, cert, key: readFileSync(keyFile, 'utf8'), serverName: 'metrics.local' });
      const skip = await loadConfig('target: { url: "https://127.0.0.1:8443/", tls: { insecureSkipVerify: true } }', { source: config, env: {} });
      expect(skip.target.tls).toEqual({ insecureSkipVerify: true });
    });

    it("trusts $K_CA_CERTS for an https sink (a Knative SinkBinding's), and a written caFile over it", async () => {
      const base = 'target: { url: "http://127.0.0.1:8080/" }';
      const fromEnv = await loadConfig(base, { source: config, env: { K_SINK: 'https://broker.local/', K_CA_CERTS: cert } });
      expect(fromEnv.sink.tls).toEqual({ ca: cert.trim() });
      const http = await loadConfig(base, { source: config, env: { K_SINK: 'http://broker.local/', K_CA_CERTS: cert } });
      expect(http.sink.tls).toBeUndefined();
      const other = makeCert(dir, 'other-ca', 'other');
      const written = await loadConfig(`${base}\nsink: { tls: { caFile: ${other.certFile} } }`, { source: config, env: { K_SINK: 'https://broker.local/', K_CA_CERTS: cert } });
      expect(written.sink.tls).toEqual({ ca: readFileSync(other.certFile, 'utf8') });
    });

    it('loads the TLS example of docs/dispatcher.md, with its CA files beside it', async () => {
      const doc = readFileSync(join(REPO_ROOT, 'docs/dispatcher.md'), 'utf8');
      const example = /### TLS and event extensions[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)![1];
      const exampleDir = mkdtempSync(join(tmpdir(), 'deucalion-dispatcher-tls-doc-'));
      const appCa = readFileSync(makeCert(exampleDir, 'app', 'app-ca').certFile, 'utf8');
      const brokerCa = readFileSync(makeCert(exampleDir, 'broker', 'broker-ca').certFile, 'utf8');
      const c = await loadConfig(example, { source: join(exampleDir, 'config.yaml'), env: {} });
      expect(c.target.tls).toEqual({ ca: appCa, serverName: 'localhost' });
      expect(c.sink.tls).toEqual({ ca: brokerCa });
      expect(c.sink.extensions).toEqual({ cluster: 'prod-eu1' });
    });

    it('--check says what the tls settings and extensions do, without their PEM text', async () => {
      writeFileSync(config, 'target: { url: "https://127.0.0.1:8443/metrics", tls: { caFile: tls.crt, certFile: tls.crt, keyFile: tls.key, serverName: metrics.local } }\nsink: { extensions: { cluster: prod } }\n');
      const checked = await checkConfig(config, { K_SINK: 'https://broker.local/', K_CA_CERTS: cert });
      expect(checked.ok).toBe(true);
      expect(checked.message.split('\n').filter((l) => /^  (target tls|sink tls|extensions)/.test(l))).toEqual([
        '  target tls trusts the default CAs and the given CA, checks the name metrics.local, presents a client certificate',
        '  sink tls   trusts the default CAs and the given CA',
        '  extensions cluster=prod',
      ]);
      expect(checked.message).not.toContain('BEGIN');
    });

    it.each([
      ['tls on an http target', 'target: { url: "http://a/", tls: { insecureSkipVerify: true } }', {}, ['target.tls: applies to an https:// target.url only, got http://a/']],
      ['a missing caFile', 'target: { url: "https://a/", tls: { caFile: /nonexistent/ca.crt } }', {}, ['target.tls.caFile: cannot read /nonexistent/ca.crt: ENOENT']],
      ['a caFile that is not PEM', 'target: { url: "https://a/", tls: { caFile: not-pem.txt } }', {}, [`target.tls.caFile: ${join(dir, 'not-pem.txt')} holds no PEM certificate`]],
      ['a certificate as the key, without echoing it', 'target: { url: "https://a/", tls: { certFile: tls.crt, keyFile: tls.crt } }', {}, [`target.tls.keyFile: ${certFile} holds no PEM private key`]],
      ['certFile without keyFile', 'target: { url: "https://a/", tls: { certFile: tls.crt } }', {}, ['target.tls: certFile and keyFile go together']],
      ['unknown tls field', 'target: { url: "https://a/", tls: { ca_file: x } }', {}, ['target.tls.ca_file: unknown field (known: caFile, certFile, keyFile, serverName, insecureSkipVerify)']],
      ['PEM where a file name belongs, without echoing it', `target: { url: "https://a/", tls: { certFile: tls.crt, keyFile: ${JSON.stringify('-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----')} } }`, {}, ['target.tls.keyFile: expected a file name, got PEM text (put it into a file, e.g. in the ConfigMap, and name that)']],
      ['an address as serverName', 'target: { url: "https://a/", tls: { serverName: 10.0.0.7 } }', {}, ['target.tls.serverName: expected a host name, got the address 10.0.0.7 (put an address into target.url instead)']],
      ['a key that is not the certificate\'s', 'target: { url: "https://a/", tls: { certFile: tls.crt, keyFile: other.key } }', {}, [/^target\.tls: cannot make a TLS context of these files: ERR_OSSL_X509_KEY_VALUES_MISMATCH: .*key values mismatch$/]],
      ['K_CA_CERTS that is not PEM', 'target: { url: "http://a/" }', { K_SINK: 'https://broker/', K_CA_CERTS: 'garbage' }, ['sink.tls (from K_CA_CERTS): holds no PEM certificate']],
    ])('rejects %s with the field path', async (_name, yaml, extraEnv, expected) => {
      const got = await issues(yaml, extraEnv);
      expect(got).toHaveLength(expected.length);
      expected.forEach((e, i) => (typeof e === 'string' ? expect(got[i]).toBe(e) : expect(got[i]).toMatch(e)));
      expect(got.join('\n')).not.toContain('MIGHAgEA');
    });

    it('reads relative files from baseDir, the config file\'s directory, whatever the working directory', async () => {
      const c = await loadConfig('target: { url: "https://a/", tls: { caFile: tls.crt } }', { source: 'conf/config.yaml', env: {}, baseDir: dir });
      expect(c.target.tls).toEqual({ ca: cert });
    });

    async function issues(yaml: string, extraEnv: NodeJS.ProcessEnv): Promise<string[]> {
      try {
        await loadConfig(yaml, { source: config, env: extraEnv });
        return [];
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return err.issues;
      }
    }
  });
});

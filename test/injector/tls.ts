// Self-signed certificates for the webhook tests and the benchmark, made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `<name>.crt`/`<name>.key` into dir (via temp files + rename, like a Secret update). */
export function makeCert(dir: string, commonName: string, name = 'tls'): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${commonName}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', `${keyFile}.new`, '-out', `${certFile}.new`,
  ], { stdio: 'ignore' });
  renameSync(`${keyFile}.new`, keyFile);
  renameSync(`${certFile}.new`, certFile);
  return { certFile, keyFile };
}

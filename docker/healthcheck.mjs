// HEALTHCHECK for the images (distroless has no shell, curl or wget): GET a URL, exit 0 on 2xx.
//   node /app/docker/healthcheck.mjs https://127.0.0.1:8443/healthz
// `{port}` in the URL is replaced by $PORT (Knative and OpenFaaS set it). HTTPS skips certificate
// checks: this only asks the local process whether it is alive, on 127.0.0.1.
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

const raw = process.argv[2];
if (!raw) {
  process.stderr.write('usage: healthcheck.mjs URL\n');
  process.exit(2);
}
const url = new URL(raw.replace('{port}', process.env.PORT || '8080'));
const get = url.protocol === 'https:' ? httpsGet : httpGet;
const request = get(url, { rejectUnauthorized: false, timeout: 3000 }, (res) => {
  res.resume();
  process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', (err) => {
  process.stderr.write(`healthcheck ${url.href}: ${err.message}\n`);
  process.exit(1);
});

import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

/**
 * Read a request body as UTF-8 up to `limit` bytes; 413 past it (checked on Content-Length first).
 * Listeners rather than `for await`: leaving an async iterator early destroys the socket, and the
 * client would get a reset instead of the 413 with its reason.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) reject(new HttpError(400, `could not read request body: ${err.message}`));
    });
  });
}

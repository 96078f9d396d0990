/** The one error type that carries an HTTP status; the function runtime turns it into a response. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpError';
    this.status = status;
  }
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

/** Status to answer for any thrown value: HttpError keeps its own, everything else is a 500. */
export function statusOf(err: unknown): number {
  return err instanceof HttpError ? err.status : 500;
}

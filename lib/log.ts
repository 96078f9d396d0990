// Structured JSON logs, one object per line, for every long-running component.
// Hand-written (a few lines) instead of pino: the dispatcher's image and RSS must stay tiny.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stderr so that CLI output on stdout stays clean. */
  write?: (line: string) => void;
}

function parseLevel(raw: string | undefined): LogLevel {
  return raw === 'debug' || raw === 'info' || raw === 'warn' || raw === 'error' ? raw : 'info';
}

export function createLogger(component: string, options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const level = options.level ?? parseLevel(process.env.LOG_LEVEL);
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[lvl] < min) return;
    const entry: LogFields = { time: new Date().toISOString(), level: lvl, component, msg, ...base, ...fields };
    write(JSON.stringify(entry, errorReplacer) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(component, { level, write }, { ...base, ...fields }),
  };
}

/** A logger that drops everything: for tests and in-process invocations that print their own output. */
export const silentLogger: Logger = createLogger('silent', { level: 'error', write: () => {} });

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

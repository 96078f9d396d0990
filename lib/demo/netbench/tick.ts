// The cron-connector of a federation node in the network benchmark: POST an empty body with the
// OpenFaaS cron-connector headers to URL on a schedule (5-field or @every).
//   node tick.ts URL SCHEDULE
import { parseSchedule } from '../../up/cron.ts';

const [url, text] = process.argv.slice(2);
const schedule = parseSchedule(text);
const arm = (after: number) => {
  const next = schedule.next(after);
  setTimeout(() => {
    void fetch(url, { method: 'POST', headers: { 'X-Topic': 'cron-function', 'X-Connector': 'cron-connector' }, signal: AbortSignal.timeout(60_000) })
      .then((r) => r.arrayBuffer())
      .catch((err: unknown) => process.stderr.write(`tick: ${(err as Error).message}\n`));
    arm(Math.max(next, Date.now()));
  }, Math.max(0, next - Date.now()));
};
arm(Date.now());
process.once('SIGTERM', () => process.exit(0));

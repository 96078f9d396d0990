// The load client of the network benchmark (Locust's role in the paper), run in its own node:
//   node load-main.ts URL RPS
import { startLoad } from '../load.ts';

const [url, rps] = process.argv.slice(2);
const load = startLoad(url, Number(rps));
process.once('SIGTERM', () => {
  void load.stop().then(() => {
    process.stdout.write(`${JSON.stringify({ sent: load.sent, failed: load.failed })}\n`);
    process.exit(0);
  });
});

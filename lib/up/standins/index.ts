// Which components still need a stand-in: the dispatcher command and the scrape-trigger function are
// other issues' work; until they land, up/demo/bench run the stand-ins here and say so.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const CLI = here('../../../cli/main.ts');

export const SIDECAR_STAND_IN = here('./sidecar-main.ts');
export const TRIGGER_STAND_IN = here('./trigger-main.ts');

export function dispatcherBuilt(): boolean {
  return existsSync(here('../../../cli/commands/dispatcher.ts'));
}

export function scrapeTriggerBuilt(): boolean {
  try {
    return !readFileSync(here('../../../functions/scrape-trigger/index.ts'), 'utf8').includes('not built yet');
  } catch {
    return false;
  }
}

/** argv of a sidecar dispatcher with config `config`. */
export function dispatcherArgv(config: string): string[] {
  return dispatcherBuilt() ? [process.execPath, CLI, 'dispatcher', '--config', config] : [process.execPath, SIDECAR_STAND_IN, '--config', config];
}

/** argv of a scrape-trigger function on `port` with config `config`. */
export function scrapeTriggerArgv(port: number, config?: string): string[] {
  const tail = config ? ['--config', config] : [];
  return scrapeTriggerBuilt() ? [process.execPath, CLI, 'function', 'scrape-trigger', '--port', String(port), ...tail] : [process.execPath, TRIGGER_STAND_IN, '--port', String(port), ...tail];
}

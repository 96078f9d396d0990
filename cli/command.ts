// Every CLI command is a module in cli/commands/ exporting `command`; main.ts imports only the one run.
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {}

// A small Dockerfile reader for the image tests: instructions with line continuations joined,
// comments dropped, grouped into stages. No Docker engine exists here, so the tests check the
// files themselves and rebuild the final stage's file layout from the COPY instructions.
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(path: string): Stage[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const stages: Stage[] = [];
  let buffer = '';
  let start = 0;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!buffer && (line === '' || line.startsWith('#'))) return;
    if (buffer && line.startsWith('#')) return; // comments inside a continued instruction
    if (!buffer) start = i + 1;
    buffer += (buffer ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) return;
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(buffer)!;
    buffer = '';
    const ins = { keyword: keyword.toUpperCase(), args, line: start };
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`${path}:${start}: cannot read FROM ${args}`);
      stages.push({ from: m[1], name: m[2], instructions: [] });
    } else {
      if (!stages.length) throw new Error(`${path}:${start}: ${keyword} before FROM`);
      stages[stages.length - 1].instructions.push(ins);
    }
  });
  return stages;
}

export function find(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** Exec-form JSON array, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  return JSON.parse(args) as string[];
}

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

export function parseCopy(args: string): Copy {
  const parts = execForm(args) ?? args.split(/\s+/);
  let from: string | undefined;
  const rest = parts.filter((p) => {
    const m = /^--from=(.+)$/.exec(p);
    if (m) from = m[1];
    return !p.startsWith('--');
  });
  return { from, sources: rest.slice(0, -1), dest: rest[rest.length - 1] };
}

/** ENV instructions of a stage as a map (both `ENV A=1 B="2"` and `ENV A 1`). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of find(stage, 'ENV')) {
    if (!args.includes('=')) {
      const [k, ...v] = args.split(/\s+/);
      env[k] = v.join(' ');
      continue;
    }
    for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) env[m[1]] = m[3] ?? m[2];
  }
  return env;
}

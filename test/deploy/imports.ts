// The static import closure of an entry module: every repository file it can load (static imports,
// `export ... from`, and `import('literal')`), and every npm package it names. The Dockerfile tests
// use it to prove an image holds every file its command loads, and only the packages it ships.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface Closure {
  /** Repository-relative paths of the modules and JSON files reached. */
  files: Set<string>;
  /** Bare specifiers reduced to package names (`@scope/pkg`, `pkg`); node: builtins left out. */
  packages: Set<string>;
  /** Relative specifiers that resolve to nothing (a broken import, or a file not in the repo). */
  missing: string[];
}

// Specifiers in `from '...'`, `import '...'` and `import('...')`. A scanner, not a parser: good
// enough for our own sources, which use plain string literals for every import.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;

export function importClosure(root: string, entries: string[]): Closure {
  const files = new Set<string>();
  const packages = new Set<string>();
  const missing: string[] = [];
  const queue = entries.map((e) => resolve(root, e));
  while (queue.length) {
    const file = queue.pop()!;
    const rel = relative(root, file);
    if (files.has(rel)) continue;
    files.add(rel);
    if (!/\.(ts|js|mjs)$/.test(file)) continue;
    const text = stripComments(readFileSync(file, 'utf8'));
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[2];
      if (spec.startsWith('node:')) continue;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = resolve(dirname(file), spec);
        if (existsSync(target) && statSync(target).isFile()) queue.push(target);
        else missing.push(`${rel} → ${spec}`);
      } else {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    // cli/main.ts loads commands by directory listing: the command files are entries themselves.
  }
  return { files, packages, missing };
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Every file under `dir` (repository-relative), for COPY of a directory. */
export function listFiles(root: string, dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [dir];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)));
}

// Rebuild an image's final-stage file layout on disk from its Dockerfile's COPY instructions (and,
// for the OpenFaaS template, from faas-cli's build-context rules), so a test can run the image's
// command on this machine. No Docker engine here: this checks what the image would contain and
// that its command works from exactly those files. node_modules comes from the repository (a
// symlink) in place of the deps stage; which packages the image may load is checked separately.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { execForm, find, parseCopy, type Stage } from './dockerfile.ts';
import { listFiles } from './imports.ts';

export interface Layout {
  /** Root of the image file system on disk. */
  root: string;
  workdir: string;
  /** Image paths (relative to root) of every file copied from the context. */
  files: Set<string>;
  remove: () => void;
}

/** .dockerignore patterns as prefix/suffix tests (all the forms ours uses). */
export function dockerIgnore(contextDir: string): (path: string) => boolean {
  const file = join(contextDir, '.dockerignore');
  if (!existsSync(file)) return () => false;
  const patterns = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  return (path) =>
    patterns.some((p) => {
      if (p.startsWith('**/*')) return path.endsWith(p.slice(4));
      if (p.startsWith('*')) return !path.includes('/') && path.endsWith(p.slice(1));
      return path === p || path.startsWith(`${p}/`);
    });
}

/** Lay out the last stage: COPY from the context (minus .dockerignore), COPY --from=<stage> node_modules as a link. */
export function layoutFinalStage(stages: Stage[], contextDir: string, repoRoot: string): Layout {
  const stage = stages[stages.length - 1];
  const root = mkdtempSync(join(tmpdir(), 'deucalion-image-'));
  const ignored = dockerIgnore(contextDir);
  const files = new Set<string>();
  let workdir = '/';
  for (const ins of stage.instructions) {
    if (ins.keyword === 'WORKDIR') workdir = posix.resolve(workdir, ins.args);
    if (ins.keyword !== 'COPY') continue;
    const copy = parseCopy(ins.args);
    const dest = posix.resolve(workdir, copy.dest);
    if (copy.from) {
      // Only node_modules and single binaries come from other stages.
      if (copy.sources.every((s) => s.endsWith('node_modules'))) {
        mkdirSync(dirname(join(root, dest)), { recursive: true });
        if (!existsSync(join(root, dest))) symlinkSync(join(repoRoot, 'node_modules'), join(root, dest));
      }
      continue;
    }
    for (const source of copy.sources) {
      const srcPath = source.replace(/\/$/, '');
      const sourceFiles = listFiles(contextDir, srcPath).filter((f) => !ignored(f));
      if (sourceFiles.length === 0) throw new Error(`COPY ${source}: nothing in the build context`);
      const isDir = sourceFiles.length > 1 || sourceFiles[0] !== srcPath;
      for (const f of sourceFiles) {
        // COPY dir dest copies the directory's contents into dest; COPY file dir/ keeps the name.
        const target = isDir ? posix.join(dest, f.slice(srcPath.length + 1)) : copy.dest.endsWith('/') || copy.sources.length > 1 ? posix.join(dest, posix.basename(f)) : dest;
        mkdirSync(dirname(join(root, target)), { recursive: true });
        cpSync(join(contextDir, f), join(root, target));
        files.add(target.slice(1));
      }
    }
  }
  return { root, workdir, files, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * faas-cli's build context for a function (CreateBuildContext): the template folder, the handler
 * folder's contents in function/, then each configuration.copy path under function/<path>.
 */
export function faasBuildContext(repoRoot: string, template: string, handler: string, copyPaths: string[]): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-faas-build-'));
  cpSync(join(repoRoot, 'template', template), dir, { recursive: true });
  const fnDir = join(dir, 'function');
  mkdirSync(fnDir, { recursive: true });
  cpSync(handler, fnDir, { recursive: true, filter: (src) => !/\/(build|template)$/.test(src) });
  for (const p of copyPaths) cpSync(join(repoRoot, p), join(fnDir, p), { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The final stage's CMD/ENTRYPOINT/HEALTHCHECK in exec form (throws on shell form). */
export function commandOf(stage: Stage): { entrypoint: string[]; cmd: string[]; healthcheck: string[] } {
  const last = (k: string) => find(stage, k).at(-1)?.args;
  const exec = (k: string) => {
    const args = last(k);
    if (args === undefined) return [];
    const form = execForm(args);
    if (!form) throw new Error(`${k} must use the exec (JSON) form: ${args}`);
    return form;
  };
  const hc = last('HEALTHCHECK');
  const hcCmd = hc ? /CMD\s+(\[.*\])\s*$/.exec(hc)?.[1] : undefined;
  return { entrypoint: exec('ENTRYPOINT'), cmd: exec('CMD'), healthcheck: hcCmd ? (JSON.parse(hcCmd) as string[]) : [] };
}

// The images, without a Docker engine (none exists here, so none was built): each Dockerfile is
// read and held to the rules (multi-stage, Node 24 bases pinned, production deps only, numeric
// non-root USER, HEALTHCHECK, exec-form commands, writes only under /tmp), the final stage's
// files are laid out from its COPY lines, and the image's own command runs from exactly those
// files: the import closure must be inside them, and functions must answer real CloudEvents.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DISPATCHER_NODE_FLAGS } from '../../lib/dispatcher/node-flags.ts';
import { startTarget, waitFor } from '../dispatcher/harness.ts';
import { envOf, execForm, find, parseDockerfile, type Stage } from './dockerfile.ts';
import { commandOf, faasBuildContext, layoutFinalStage, type Layout } from './image-layout.ts';
import { importClosure } from './imports.ts';
import { REPO_ROOT, freePort, waitForHttp, type Started } from '../support/process.ts';

const PKG = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const WINDOW = readFileSync(join(REPO_ROOT, 'examples/windows/spike.json'), 'utf8');
const BASE_IMAGE = /^(node:24(-[a-z0-9.]+)*|gcr\.io\/distroless\/nodejs24-debian1[2-9]:[a-z0-9.-]+|ghcr\.io\/openfaas\/of-watchdog:\d+\.\d+\.\d+)$/;

const IMAGES = [
  { file: 'docker/dispatcher.Dockerfile', command: 'dispatcher' },
  { file: 'docker/function.Dockerfile', command: 'function' },
  { file: 'docker/injector.Dockerfile', command: 'injector' },
];
const ALL = [...IMAGES.map((i) => i.file), 'template/deucalion-ts/Dockerfile'];

function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : (child.once('exit', resolve), child.kill('SIGTERM')))),
  };
}

/** Image path → path in the layout; the image's node → this Node 24. */
function localArgv(layout: Layout, argv: string[]): string[] {
  return argv.map((a) => (a === '/nodejs/bin/node' || a === 'node' ? process.execPath : a.startsWith('/') && !a.startsWith('/tmp') ? join(layout.root, a) : a));
}

async function postStructured(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const event = { specversion: '1.0', id: 'w-1', source: '/federations/zone-a', type: 'io.deucalion.window.v1', datacontenttype: 'application/json', data: JSON.parse(WINDOW) };
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body: JSON.stringify(event) });
  return { status: res.status, type: res.headers.get('ce-type'), body: await res.text() };
}

describe.each(ALL)('%s follows the image rules', (file) => {
  const stages = parseDockerfile(join(REPO_ROOT, file));
  const final = stages[stages.length - 1];

  it('is multi-stage, on pinned Node 24 bases, installing production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from, s.from).toMatch(BASE_IMAGE);
    expect(final.from).toMatch(/node:24|nodejs24/);
    const installs = stages.flatMap((s) => find(s, 'RUN')).map((r) => r.args).filter((a) => /\bnpm (ci|install)\b/.test(a));
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) expect(run).toMatch(/npm ci --omit=dev/);
    expect(find(final, 'RUN').map((r) => r.args).join(' ')).not.toMatch(/npm (ci|install)/);
    expect(stages.flatMap((s) => find(s, 'ADD'))).toEqual([]);
    for (const c of find(final, 'COPY')) expect(c.args, 'copy only what is needed').not.toMatch(/^\.\s|\s\.\s*\.\/?$/);
  });

  it('runs as a numeric non-root user, with a HEALTHCHECK and exec-form commands', () => {
    const user = find(final, 'USER').at(-1)?.args ?? '';
    expect(user).toMatch(/^[1-9][0-9]*(:[1-9][0-9]*)?$/);
    const { cmd, healthcheck } = commandOf(final);
    expect(cmd.length).toBeGreaterThan(0);
    expect(healthcheck.length).toBeGreaterThan(0);
  });

  it('writes nothing outside /tmp (read-only root file system)', () => {
    const env = envOf(final);
    for (const [key, value] of Object.entries(env)) if (/_(FILE|DIR)$/.test(key)) expect(value.startsWith('/tmp/'), key).toBe(true);
    expect(env.ALERT_SPOOL_DIR).toBeUndefined();
  });
});

describe.each(IMAGES)('$file: the image holds what `deucalion $command` loads', ({ file, command }) => {
  const stages = parseDockerfile(join(REPO_ROOT, file));
  const layout = layoutFinalStage(stages, REPO_ROOT, REPO_ROOT);
  afterAll(() => layout.remove());
  const app = layout.workdir.slice(1);

  it('every module in the import closure is copied, and only shipped packages are imported', () => {
    const closure = importClosure(REPO_ROOT, ['bin/deucalion.js', 'cli/main.ts', `cli/commands/${command}.ts`]);
    expect(closure.missing).toEqual([]);
    const inImage = new Set([...layout.files].map((f) => f.slice(app.length + 1)));
    const absent = [...closure.files].filter((f) => !inImage.has(f));
    expect(absent).toEqual([]);
    const removed = new Set(stages.flatMap((s) => find(s, 'RUN')).flatMap((r) => /npm uninstall .*?((?:\s+@?[a-z][\w./-]*)+)\s*$/.exec(r.args)?.[1].trim().split(/\s+/) ?? []));
    const shipped = Object.keys(PKG.dependencies).filter((p) => !removed.has(p));
    for (const p of closure.packages) expect(shipped, `${command} imports ${p}`).toContain(p);
    expect(inImage.has('cli/commands/up.ts')).toBe(false);
    expect([...inImage].filter((f) => f.startsWith('test/') || f.endsWith('.test.ts'))).toEqual([]);
  });

  it('its command starts from the image files alone', () => {
    const { entrypoint } = commandOf(stages[stages.length - 1]);
    const argv = localArgv(layout, [...entrypoint, command, '--help']);
    const result = spawnSync(argv[0], argv.slice(1), { cwd: join(layout.root, app), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`deucalion ${command}`);
    expect(result.status).toBe(0);
  });
});

describe('dispatcher image', () => {
  const stages = parseDockerfile(join(REPO_ROOT, 'docker/dispatcher.Dockerfile'));
  const final = stages[stages.length - 1];
  const layout = layoutFinalStage(stages, REPO_ROOT, REPO_ROOT);
  afterAll(() => layout.remove());

  it('fills its compile cache at build time, and the sidecar then starts without stripping TypeScript', async () => {
    const { entrypoint } = commandOf(final);
    const warm = find(final, 'RUN').find((r) => execForm(r.args)?.includes('--check'));
    expect(warm, 'a RUN of `dispatcher --check`').toBeDefined();
    const warmArgv = execForm(warm!.args)!;
    // Node keys the cache directory by uid and V8 flags: filled as the runtime USER, through the ENTRYPOINT.
    expect(final.instructions.indexOf(warm!)).toBeGreaterThan(final.instructions.indexOf(find(final, 'USER').at(-1)!));
    expect(warmArgv.slice(0, entrypoint.length)).toEqual(entrypoint);
    expect(entrypoint.slice(1, -1)).toEqual(DISPATCHER_NODE_FLAGS);
    const env = envOf(final);
    expect(env.NODE_COMPILE_CACHE).toMatch(/^\/app\//);
    const imageEnv = { ...env, NODE_COMPILE_CACHE: join(layout.root, env.NODE_COMPILE_CACHE) };
    const cwd = join(layout.root, layout.workdir);
    const build = localArgv(layout, warmArgv);
    const built = spawnSync(build[0], build.slice(1), { cwd, env: { PATH: process.env.PATH, ...imageEnv }, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);

    // The sidecar as a pod runs it, with the same env; Node's debug output names each cache hit and miss.
    const target = await startTarget();
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-image-config-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `target: { url: "${target.url}", interval: 100ms, timeout: 90ms }\ndetectors: [{ name: zscore }, { name: ewma }, { name: stuck }]\nlisten: "127.0.0.1:0"\n`);
    const argv = localArgv(layout, [...entrypoint, 'dispatcher', '--config', config]);
    const sidecar = start(argv[0], argv.slice(1), cwd, { ...imageEnv, NODE_DEBUG_NATIVE: 'COMPILE_CACHE', POD_NAME: 'p', POD_NAMESPACE: 'n' });
    try {
      await waitFor(() => target.scrapes() >= 3 || sidecar.child.exitCode !== null, 'three scrapes', 20_000);
    } finally {
      await sidecar.stop();
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const out = sidecar.output();
    expect(target.scrapes(), out).toBeGreaterThanOrEqual(3);
    expect(out.match(/no transpile cache for StrippedTypeScript \S+/g) ?? []).toEqual([]);
    expect((out.match(/retrieving transpile cache for StrippedTypeScript \S+\.\.\.success/g) ?? []).length).toBeGreaterThan(30);
  });
});

describe('function image', () => {
  const stages = parseDockerfile(join(REPO_ROOT, 'docker/function.Dockerfile'));
  const layout = layoutFinalStage(stages, REPO_ROOT, REPO_ROOT);
  afterAll(() => layout.remove());

  it('serves a detector that answers a structured CloudEvent, and its HEALTHCHECK passes', async () => {
    const { entrypoint, healthcheck } = commandOf(stages[stages.length - 1]);
    const port = await freePort();
    const env = { ...envOf(stages[stages.length - 1]), PORT: String(port) };
    const argv = localArgv(layout, [...entrypoint, 'function', 'detector-zscore']);
    const fn = start(argv[0], argv.slice(1), join(layout.root, 'app'), env);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health/readiness`, fn);
      const reply = await postStructured(`http://127.0.0.1:${port}/`);
      expect(reply.status).toBe(200);
      expect(reply.type).toBe('io.deucalion.anomaly.v1');
      const hc = localArgv(layout, healthcheck);
      expect(spawnSync(hc[0], hc.slice(1), { env: { PORT: String(port) } }).status).toBe(0);
      expect(spawnSync(hc[0], hc.slice(1), { env: { PORT: String(await freePort()) } }).status).toBe(1);
    } finally {
      await fn.stop();
    }
  });
});

describe('OpenFaaS template deucalion-ts', () => {
  const stack = parse(readFileSync(join(REPO_ROOT, 'stack.yml'), 'utf8')) as { configuration: { copy: string[] } };
  const stages: Stage[] = parseDockerfile(join(REPO_ROOT, 'template/deucalion-ts/Dockerfile'));
  const ship = stages[stages.length - 1];
  const env = envOf(ship);

  it('puts of-watchdog in http mode in front of `deucalion function` on the upstream port', () => {
    expect(env).toMatchObject({ mode: 'http', upstream_url: 'http://127.0.0.1:3000', PORT: '3000', fprocess: 'node entry.mjs' });
    expect(parse(readFileSync(join(REPO_ROOT, 'template/deucalion-ts/template.yml'), 'utf8')).fprocess).toBe(env.fprocess);
    expect(commandOf(ship).cmd).toEqual(['fwatchdog']);
  });

  async function serveFromTemplate(handler: string, extraEnv: Record<string, string>): Promise<void> {
    const context = faasBuildContext(REPO_ROOT, 'deucalion-ts', handler, stack.configuration.copy.map((p) => p.replace(/^\.\//, '')));
    const layout = layoutFinalStage(stages, context.dir, REPO_ROOT);
    const port = await freePort();
    // What of-watchdog does: start fprocess (no shell) in the workdir with the image env, then proxy.
    const [cmd, ...args] = env.fprocess.split(' ');
    const fn = start(cmd === 'node' ? process.execPath : cmd, args, join(layout.root, layout.workdir), { ...env, ...extraEnv, PORT: String(port) });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/_/ready`, fn);
      const reply = await postStructured(`http://127.0.0.1:${port}/`);
      expect(reply.status, fn.output()).toBe(200);
      expect(reply.type).toBe('io.deucalion.anomaly.v1');
    } finally {
      await fn.stop();
      layout.remove();
      context.remove();
    }
  }

  it('built like faas-cli does, serves DEUCALION_FUNCTION and takes a structured CloudEvent whole', async () => {
    await serveFromTemplate(join(REPO_ROOT, 'functions/detector'), { DEUCALION_FUNCTION: 'detector-zscore' });
  });

  it('serves the handler folder as a detector module when DEUCALION_FUNCTION is unset', async () => {
    const handler = mkdtempSync(join(tmpdir(), 'deucalion-handler-'));
    try {
      cpSync(join(REPO_ROOT, 'examples/detectors/spike-ratio.ts'), join(handler, 'index.ts'));
      await serveFromTemplate(handler, {});
    } finally {
      rmSync(handler, { recursive: true, force: true });
    }
  });
});

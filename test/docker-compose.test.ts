import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { loadConfig } from '../src/config';
import { DEFAULT_TASK_QUEUE } from '../src/shared/task-queues';

/**
 * No Docker engine runs where the tests run, so this checks the production topology in docker-compose.yml,
 * the Dockerfile it builds and the .env.example that documents its variables, as files.
 */
const ROOT = resolve(__dirname, '..');
const COMPOSE_PATH = join(ROOT, 'docker-compose.yml');
const DOCKERFILE_PATH = join(ROOT, 'Dockerfile');
const ENV_EXAMPLE_PATH = join(ROOT, '.env.example');

type Service = Record<string, any>;
const composeText = readFileSync(COMPOSE_PATH, 'utf8');
// merge: true resolves the `<<: *anchor` merge keys the way Compose does.
const compose: { services: Record<string, Service>; [key: string]: unknown } = parse(composeText, { merge: true });
const services = compose.services ?? {};

const WARDLINE_SERVICES = ['migrate', 'api', 'worker'] as const;
const APP_SERVICES = ['api', 'worker'] as const;

// ---------------------------------------------------------------- .env.example

interface EnvExampleEntry {
  value: string;
  comment: string | undefined;
}

function readEnvExample(): Map<string, EnvExampleEntry> {
  const entries = new Map<string, EnvExampleEntry>();
  if (!existsSync(ENV_EXAMPLE_PATH)) return entries;
  const lines = readFileSync(ENV_EXAMPLE_PATH, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) return;
    const previous = i > 0 ? lines[i - 1].trim() : '';
    entries.set(match[1], {
      value: match[2].trim().replace(/^(['"])(.*)\1$/, '$2'),
      comment: previous.startsWith('#') && previous.replace(/^#+/, '').trim() ? previous : undefined,
    });
  });
  return entries;
}
const envExample = readEnvExample();

// ---------------------------------------------------------------- Compose interpolation

interface VariableReference {
  name: string;
  operator: string | undefined; // ':-' '-' ':?' '?' ':+' '+' or none
  text: string;
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR:+alt}` or `$VAR`; `$$` is a literal `$`. */
const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function referencesIn(value: string): VariableReference[] {
  const found: VariableReference[] = [];
  for (const m of value.matchAll(VARIABLE)) {
    if (m[0] === '$$') continue;
    found.push({ name: m[1] ?? m[4], operator: m[2], text: m[0] });
  }
  return found;
}

/** Resolves variables as `docker compose` would with only the defaults and the .env.example values set. */
function interpolate(value: string): string {
  return value.replace(VARIABLE, (whole, braced?: string, operator?: string, argument?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare!;
    const set = envExample.get(name)?.value;
    switch (operator) {
      case ':-':
        return set ? set : argument!;
      case '-':
        return set !== undefined ? set : argument!;
      case ':+':
        return set ? argument! : '';
      case '+':
        return set !== undefined ? argument! : '';
      default:
        return set ?? '';
    }
  });
}

function allStrings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) node.forEach((item) => allStrings(item, out));
  else if (node && typeof node === 'object') Object.values(node).forEach((item) => allStrings(item, out));
  return out;
}

// ---------------------------------------------------------------- service helpers

/** A service's environment, as a map or a list of KEY=VALUE, interpolated. */
function envOf(name: string): Record<string, string> {
  const environment = services[name]?.environment;
  const env: Record<string, string> = {};
  if (Array.isArray(environment)) {
    for (const item of environment) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq === -1) env[text] = interpolate(envExample.get(text)?.value ?? '');
      else env[text.slice(0, eq)] = interpolate(text.slice(eq + 1));
    }
  } else if (environment && typeof environment === 'object') {
    for (const [key, value] of Object.entries(environment)) {
      env[key] = value === null || value === undefined ? '' : interpolate(String(value));
    }
  }
  return env;
}

/** depends_on as a map of service → condition (the short list form means service_started). */
function dependsOn(name: string): Record<string, string> {
  const deps = services[name]?.depends_on;
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d: string) => [d, 'service_started']));
  if (deps && typeof deps === 'object') {
    return Object.fromEntries(Object.entries(deps).map(([d, spec]: [string, any]) => [d, spec?.condition ?? 'service_started']));
  }
  return {};
}

/** A command as argv: Compose's list form, or its string form split on whitespace. */
function argv(command: unknown): string[] {
  if (Array.isArray(command)) return command.map(String);
  if (typeof command === 'string') return command.trim().split(/\s+/);
  return [];
}

function buildOf(name: string): { context: string; dockerfile: string } | undefined {
  const build = services[name]?.build;
  if (build === undefined || build === null) return undefined;
  const context = resolve(ROOT, interpolate(typeof build === 'string' ? build : (build.context ?? '.')));
  const dockerfile = resolve(context, typeof build === 'string' ? 'Dockerfile' : interpolate(build.dockerfile ?? 'Dockerfile'));
  return { context, dockerfile };
}

// ---------------------------------------------------------------- Dockerfile helpers

interface Instruction {
  keyword: string;
  args: string;
}

function readDockerfile(): Instruction[] {
  const text = readFileSync(DOCKERFILE_PATH, 'utf8');
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const space = line.search(/\s/);
      return space === -1
        ? { keyword: line.toUpperCase(), args: '' }
        : { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
    });
}

function stages(instructions: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') result.push([]);
    result[result.length - 1]?.push(instruction);
  }
  return result;
}

/** CMD/ENTRYPOINT arguments: the JSON (exec) form, or the shell form split on whitespace. */
function execArgs(args: string): string[] {
  if (args.startsWith('[')) return JSON.parse(args);
  return args.split(/\s+/);
}

/** What tsc -p tsconfig.build.json does with a source file: its rootDir/outDir, resolved through `extends`. */
function buildConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('tsconfig.build.json could not be read');
  return parsed;
}

/** dist/src/x/y.js → src/x/y.ts under the build's rootDir and outDir. */
function sourceOf(emitted: string, config: ts.ParsedCommandLine): string {
  const outDir = config.options.outDir ?? ROOT;
  const rootDir = config.options.rootDir ?? ROOT;
  const underOut = relative(outDir, resolve(ROOT, emitted));
  return join(rootDir, underOut).replace(/\.js$/, '.ts');
}

// ================================================================ tests

describe('docker-compose.yml', () => {
  it('defines the production services', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'migrate', 'api', 'worker']) {
      expect(services).toHaveProperty([name]);
    }
  });

  it.each(['postgres', 'temporal', 'api'])('%s has a healthcheck with a test command', (name) => {
    const healthcheck = services[name].healthcheck;
    expect(healthcheck).toBeDefined();
    expect(healthcheck.disable).not.toBe(true);
    const test = healthcheck.test;
    if (Array.isArray(test)) {
      expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
      expect(test.length).toBeGreaterThan(1);
      expect(test.slice(1).join(' ').trim()).not.toBe('');
    } else {
      expect(typeof test).toBe('string');
      expect(test.trim()).not.toBe('');
    }
  });

  it('health-checks each service the way its image allows', () => {
    expect(allStrings(services.postgres.healthcheck.test).join(' ')).toMatch(/pg_isready/);
    // auto-setup's frontend listens on the container address, so 127.0.0.1 would never be healthy.
    expect(allStrings(services.temporal.healthcheck.test).join(' ')).toMatch(
      /temporal operator cluster health --address temporal:7233|tctl .*cluster health/,
    );
    expect(allStrings(services.api.healthcheck.test).join(' ')).toMatch(/\/health\/live/);
  });

  it('runs Temporal on the PostgreSQL service', () => {
    const postgres = envOf('postgres');
    const temporal = envOf('temporal');
    expect(services.postgres.image).toMatch(/^postgres:16(\b|$)/);
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(temporal.DB).toBe('postgres12');
    expect(temporal.DB_PORT).toBe('5432');
    expect(temporal.POSTGRES_SEEDS).toBe('postgres');
    expect(temporal.POSTGRES_USER).toBe(postgres.POSTGRES_USER);
    expect(temporal.POSTGRES_PWD).toBe(postgres.POSTGRES_PASSWORD);
    expect(dependsOn('temporal')).toMatchObject({ postgres: 'service_healthy' });
    expect(envOf('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it.each(APP_SERVICES)('%s has the Wardline environment', (name) => {
    const env = envOf(name);
    for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'WARDLINE_TASK_QUEUE', 'WARDLINE_LOCALE', 'WARDLINE_TIME_ZONE']) {
      expect(env).toHaveProperty([key]);
      expect(env[key]).not.toBe('');
    }
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env.TEMPORAL_NAMESPACE).toBe(envOf('temporal').DEFAULT_NAMESPACE || 'default');
    expect(env.WARDLINE_TASK_QUEUE).toBe(DEFAULT_TASK_QUEUE);
    // The settings the processes will read are valid.
    expect(() => loadConfig(env)).not.toThrow();
  });

  it.each(WARDLINE_SERVICES)('%s connects to the wardline database on the postgres service', (name) => {
    const postgres = envOf('postgres');
    const url = new URL(envOf(name).DATABASE_URL);
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('postgres');
    expect(url.port || '5432').toBe('5432');
    expect(url.pathname).toBe('/wardline');
    expect(postgres.POSTGRES_DB).toBe('wardline');
    expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
  });

  it('api and worker share the database and Temporal settings', () => {
    const api = envOf('api');
    const worker = envOf('worker');
    for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'WARDLINE_TASK_QUEUE', 'WARDLINE_LOCALE', 'WARDLINE_TIME_ZONE']) {
      expect(worker[key]).toBe(api[key]);
    }
  });

  it('serves the API on the port it listens on', () => {
    const config = loadConfig(envOf('api'));
    expect(config.port).toBe(3000);
    const published = (services.api.ports ?? []).map((p: unknown) => interpolate(String(typeof p === 'object' ? (p as any).target : p)));
    expect(published.some((p: string) => p === '3000' || p.endsWith(':3000'))).toBe(true);
    expect(allStrings(services.api.healthcheck.test).join(' ')).toContain(`:${config.port}/`);
  });

  it('starts the api and worker after migrations and a healthy Temporal', () => {
    expect(dependsOn('migrate')).toMatchObject({ postgres: 'service_healthy' });
    expect(String(services.migrate.restart)).toBe('no');
    for (const name of APP_SERVICES) {
      expect(dependsOn(name)).toMatchObject({ migrate: 'service_completed_successfully', temporal: 'service_healthy' });
    }
  });

  it('runs api, worker and migrate from one image built from the Dockerfile', () => {
    const images = WARDLINE_SERVICES.map((name) => (services[name].image === undefined ? undefined : interpolate(String(services[name].image))));
    const builds = WARDLINE_SERVICES.map((name) => buildOf(name));
    expect(builds.some(Boolean) || images.every(Boolean)).toBe(true);
    expect(new Set(images).size).toBe(1);
    // Services that build, build the same Dockerfile in the same context; that Dockerfile exists.
    const defined = builds.filter((b): b is { context: string; dockerfile: string } => Boolean(b));
    expect(new Set(defined.map((b) => `${b.context}|${b.dockerfile}`)).size).toBeLessThanOrEqual(1);
    for (const build of defined) {
      expect(build.dockerfile).toBe(DOCKERFILE_PATH);
      expect(existsSync(build.dockerfile)).toBe(true);
    }
    // Without an image name each building service would get its own image.
    if (defined.length > 0 && defined.length < WARDLINE_SERVICES.length) expect(images[0]).toBeDefined();
  });

  it('gives every ${VAR} a default or documents it in .env.example', () => {
    const refs = allStrings(compose).flatMap(referencesIn);
    expect(refs.length).toBeGreaterThan(0);
    const undocumented = refs.filter((r) => !(r.operator === ':-' || r.operator === '-') && !envExample.has(r.name));
    expect(undocumented.map((r) => r.text)).toEqual([]);
  });
});

describe('.env.example', () => {
  it('exists and lists each variable with a comment line and an example value', () => {
    expect(existsSync(ENV_EXAMPLE_PATH)).toBe(true);
    expect(envExample.size).toBeGreaterThan(0);
    for (const [name, entry] of envExample) {
      expect({ name, comment: entry.comment }).toEqual({ name, comment: expect.stringMatching(/^#/) });
    }
  });

  it('lists only variables docker-compose.yml uses', () => {
    const used = new Set(allStrings(compose).flatMap(referencesIn).map((r) => r.name));
    expect([...envExample.keys()].filter((name) => !used.has(name))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const instructions = existsSync(DOCKERFILE_PATH) ? readDockerfile() : [];
  const all = stages(instructions);
  const runtime = all[all.length - 1] ?? [];
  const runs = (stage: Instruction[]) => stage.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');

  it('exists and is multi-stage on node:20-bookworm-slim', () => {
    expect(existsSync(DOCKERFILE_PATH)).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) expect(stage[0].args).toMatch(/^(--platform=\S+\s+)?node:20-bookworm-slim(\s|$)/);
  });

  it('builds with npm ci and npm run build, and ships production dependencies, dist, templates and scripts', () => {
    const buildStages = all.slice(0, -1);
    expect(buildStages.some((stage) => /\bnpm ci\b/.test(runs(stage)) && /\bnpm run build\b/.test(runs(stage)))).toBe(true);
    expect(runs(runtime)).toMatch(/\bnpm ci\b[^\n]*--omit=dev/);
    const copies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies.some((c) => /--from=\S+/.test(c) && /\bdist\/?\s/.test(c))).toBe(true);
    expect(copies.some((c) => /^templates\/?\s/.test(c))).toBe(true);
    expect(copies.some((c) => /^scripts\/?\s/.test(c))).toBe(true);
  });

  it('runs as the non-root node user', () => {
    const users = runtime.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users[users.length - 1]).toMatch(/^node(:|$)/);
  });

  it('copies only paths that exist in the repository', () => {
    const sources = instructions
      .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
      .filter((i) => !/--from=/.test(i.args))
      .flatMap((i) => {
        const args = i.args.replace(/--\S+/g, '').trim();
        const parts = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
        return parts.slice(0, -1);
      });
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((s) => !existsSync(join(ROOT, s)))).toEqual([]);
  });

  it('compiles into dist/ keeping the src/ layout', () => {
    const config = buildConfig();
    expect(resolve(config.options.outDir!)).toBe(join(ROOT, 'dist'));
    expect(resolve(config.options.rootDir!)).toBe(ROOT);
    expect(config.options.noEmit).toBeFalsy();
    expect(config.fileNames.some((f) => resolve(f) === join(ROOT, 'src', 'worker.ts'))).toBe(true);
  });

  /** Every `dist/....js` the image and the services start, with who starts it. */
  function startedFiles(): Array<{ who: string; file: string }> {
    const started: Array<{ who: string; file: string }> = [];
    for (const i of instructions.filter((x) => x.keyword === 'CMD' || x.keyword === 'ENTRYPOINT')) {
      for (const arg of execArgs(i.args)) if (/^(\.\/)?dist\/.+\.js$/.test(arg)) started.push({ who: `Dockerfile ${i.keyword}`, file: arg.replace(/^\.\//, '') });
    }
    for (const name of WARDLINE_SERVICES) {
      for (const arg of [...argv(services[name].entrypoint), ...argv(services[name].command)]) {
        if (/^(\.\/)?dist\/.+\.js$/.test(arg)) started.push({ who: `${name} command`, file: arg.replace(/^\.\//, '') });
      }
    }
    return started;
  }

  it('starts the API by default, the worker and the migrations by their commands', () => {
    const cmd = instructions.filter((i) => i.keyword === 'CMD').pop();
    expect(cmd && execArgs(cmd.args)).toEqual(['node', 'dist/src/api/main.js']);
    expect(argv(services.api.command ?? ['node', 'dist/src/api/main.js'])).toEqual(['node', 'dist/src/api/main.js']);
    expect(argv(services.worker.command)).toEqual(['node', 'dist/src/worker.js']);
    expect(argv(services.migrate.command)).toEqual(['node', 'dist/src/cli/wardline.js', 'migrate']);
    expect(startedFiles().map((s) => s.file).sort()).toEqual(
      expect.arrayContaining(['dist/src/api/main.js', 'dist/src/cli/wardline.js', 'dist/src/worker.js']),
    );
  });

  it.each([
    ['dist/src/worker.js', 'src/worker.ts'],
    ['dist/src/api/main.js', 'src/api/main.ts'],
    ['dist/src/cli/wardline.js', 'src/cli/wardline.ts'],
  ])('%s is emitted by the build from %s', (emitted, source) => {
    const config = buildConfig();
    expect(relative(ROOT, sourceOf(emitted, config))).toBe(source);
    expect(existsSync(join(ROOT, source))).toBe(true);
    expect(config.fileNames.map((f) => resolve(f))).toContain(join(ROOT, source));
  });

  it('starts only files the build emits', () => {
    const config = buildConfig();
    const missing = startedFiles()
      .map((s) => ({ ...s, source: relative(ROOT, sourceOf(s.file, config)) }))
      .filter((s) => !(existsSync(join(ROOT, s.source)) && statSync(join(ROOT, s.source)).isFile()));
    expect(missing).toEqual([]);
  });

  it('ships the templates where the renderer looks for them', () => {
    // src/infra/templates.ts looks in ../../templates and ../../../templates from dist/src/infra, i.e. /app/templates.
    expect(existsSync(join(ROOT, 'templates', 'notify'))).toBe(true);
    expect(dirname(relative(ROOT, sourceOf('dist/src/infra/templates.js', buildConfig())))).toBe(join('src', 'infra'));
  });
});

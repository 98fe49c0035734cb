import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The layering README's "Layout" promises and STYLE.md ("What Wardline absorbs" 1–3) asks for, read from the
 * syntax tree rather than by grep, so comments and strings never count and every import form does:
 * - src/domain is pure: it imports only src/domain and never reads the clock, randomness or the process;
 * - src/workflows import only @temporalio/workflow, src/workflows, src/domain, src/shared, and activities only as
 *   `import type` (a value import would drag Node code into the deterministic workflow bundle);
 * - src/shared, imported by both the API and workflows, imports only @temporalio/workflow, src/domain and itself;
 * - lower layers never import upper ones (GUIDE "Architecture"): persistence not the API, workflows or activities;
 *   activities not workflows or the API; adapters not the API, workflows or activities; the API not workflows
 *   (the messages both sides share live in src/shared);
 * - src/domain has no import cycles (escalation ↔ SLA policy was one).
 */
const ROOT = resolve(__dirname, '..');
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

interface ImportRef {
  specifier: string;
  line: number;
  typeOnly: boolean;
  form: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return filesUnder(path);
      return SOURCE.test(name) && !name.endsWith('.d.ts') ? [path] : [];
    })
    .sort();
}

function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
}

const lineOf = (sf: ts.SourceFile, node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;

/** Every way a module can pull in another: import, export … from, import = require, require(), import(), import('x').T. */
function importsOf(sf: ts.SourceFile): ImportRef[] {
  const refs: ImportRef[] = [];
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteralLike(node) ? node.text : null);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      refs.push({
        specifier: literal(node.moduleSpecifier) ?? '?',
        line: lineOf(sf, node),
        // `import { type X }` still loads the module under verbatimModuleSyntax; only `import type` is safe.
        typeOnly: node.importClause?.isTypeOnly ?? false,
        form: node.importClause ? (node.importClause.isTypeOnly ? 'import type' : 'import') : 'side-effect import',
      });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      refs.push({ specifier: literal(node.moduleSpecifier) ?? '?', line: lineOf(sf, node), typeOnly: node.isTypeOnly, form: node.isTypeOnly ? 'export type … from' : 'export … from' });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      refs.push({ specifier: literal(node.moduleReference.expression) ?? '?', line: lineOf(sf, node), typeOnly: node.isTypeOnly, form: 'import = require' });
    } else if (ts.isCallExpression(node)) {
      const dynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const requireCall = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (dynamicImport || requireCall) {
        refs.push({
          specifier: literal(node.arguments[0]) ?? `<computed ${node.arguments[0]?.getText(sf) ?? ''}>`,
          line: lineOf(sf, node),
          typeOnly: false,
          form: dynamicImport ? 'import()' : 'require()',
        });
      }
    } else if (ts.isImportTypeNode(node)) {
      const arg = ts.isLiteralTypeNode(node.argument) ? literal(node.argument.literal) : null;
      refs.push({ specifier: arg ?? '?', line: lineOf(sf, node), typeOnly: true, form: "import('…') type" });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return refs;
}

/** Reads of the clock, randomness or the process: a pure domain gets every instant passed in. */
function impuritiesOf(sf: ts.SourceFile): { line: number; what: string }[] {
  const found: { line: number; what: string }[] = [];
  const isId = (node: ts.Node, name: string) => ts.isIdentifier(node) && node.text === name;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const target = node.expression;
      const name = node.name.text;
      if (isId(target, 'Date') && name === 'now') found.push({ line: lineOf(sf, node), what: 'Date.now' });
      if (isId(target, 'Math') && name === 'random') found.push({ line: lineOf(sf, node), what: 'Math.random' });
      if (isId(target, 'performance') && name === 'now') found.push({ line: lineOf(sf, node), what: 'performance.now' });
      if (isId(target, 'process') || (isId(target, 'globalThis') && name === 'process')) found.push({ line: lineOf(sf, node), what: `${target.getText(sf)}.${name}` });
    } else if (ts.isElementAccessExpression(node) && isId(node.expression, 'process')) {
      found.push({ line: lineOf(sf, node), what: 'process[…]' });
    } else if (ts.isNewExpression(node) && isId(node.expression, 'Date') && (node.arguments?.length ?? 0) === 0) {
      found.push({ line: lineOf(sf, node), what: 'new Date() (reads the clock)' });
    } else if (ts.isCallExpression(node) && isId(node.expression, 'Date')) {
      found.push({ line: lineOf(sf, node), what: 'Date() (reads the clock)' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The repository-relative folder a relative specifier lands in, or null for a package or built-in. */
function targetOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../') && specifier !== '.' && specifier !== '..') return null;
  return relative(ROOT, resolve(dirname(file), specifier)).split(sep).join('/');
}
const inside = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);

type Rule = (file: string, ref: ImportRef) => string | null;

/** src/domain: relative imports into src/domain only. Specs beside it may also use the test tools and src/infra's calendar data. */
const SPEC_PACKAGES = ['@jest/globals', 'fast-check'];
const domainRule: Rule = (file, ref) => {
  const target = targetOf(file, ref.specifier);
  const spec = file.endsWith('.spec.ts');
  if (target !== null && inside(target, 'src/domain')) return null;
  if (spec && target === null && SPEC_PACKAGES.includes(ref.specifier)) return null;
  if (spec && target !== null && inside(target, 'src/infra')) return null;
  return target === null ? `imports the package or built-in '${ref.specifier}'` : `imports '${ref.specifier}' (${target}), outside src/domain`;
};

const workflowRule: Rule = (file, ref) => {
  if (ref.specifier === '@temporalio/workflow') return null;
  const target = targetOf(file, ref.specifier);
  if (target === null) return `imports '${ref.specifier}': workflow code may import only @temporalio/workflow among packages`;
  if (['src/workflows', 'src/domain', 'src/shared'].some((d) => inside(target, d))) return null;
  if (inside(target, 'src/activities')) return ref.typeOnly ? null : `${ref.form} of activities '${ref.specifier}': use \`import type\``;
  return `imports '${ref.specifier}' (${target}): not workflows, domain, shared or a type-only activity module`;
};

const sharedRule: Rule = (file, ref) => {
  if (ref.specifier === '@temporalio/workflow') return null;
  const target = targetOf(file, ref.specifier);
  if (target === null) return `imports '${ref.specifier}': shared code may import only @temporalio/workflow among packages`;
  if (inside(target, 'src/shared') || inside(target, 'src/domain')) return null;
  return `imports '${ref.specifier}' (${target}): not shared or domain`;
};

/** A layer that must not import the layers above it; `why` is said in the message. */
function forbids(layer: string, banned: string[], why: string): Rule {
  return (file, ref) => {
    const target = targetOf(file, ref.specifier);
    const hit = target === null ? undefined : banned.find((d) => inside(target, d));
    return hit ? `imports '${ref.specifier}' (${target}): ${layer} must not import ${hit} (${why})` : null;
  };
}
const persistenceRule = forbids('src/persistence', ['src/api', 'src/workflows', 'src/activities'], 'the database layer sits below them');
const activitiesRule = forbids('src/activities', ['src/workflows', 'src/api'], 'activities are called by workflows, not the reverse');
const adaptersRule = forbids('src/adapters', ['src/api', 'src/workflows', 'src/activities'], 'one port per external system, below everything that uses it');
const apiRule = forbids('src/api', ['src/workflows'], 'the messages the API shares with workflows live in src/shared');

/** Import cycles among `files` (relative imports resolved to files), each as the list of files around it. */
function cyclesOf(files: [string, string][]): string[][] {
  const name = (f: string) => relative(ROOT, f).split(sep).join('/');
  const known = new Set(files.map(([f]) => name(f)));
  const edges = new Map<string, string[]>();
  for (const [file, text] of files) {
    const to = importsOf(parse(file, text))
      .map((ref) => targetOf(file, ref.specifier))
      .flatMap((t) => (t === null ? [] : [`${t}.ts`, `${t}/index.ts`].filter((c) => known.has(c)).slice(0, 1)));
    edges.set(name(file), [...new Set(to)]);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 'open') cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...edges.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}
// Issue 10: the API, the alert intake and activities (a PM platform's poller) open incidents through src/intake.
const intakeRule = forbids('src/intake', ['src/api', 'src/workflows', 'src/activities'], 'the API, the alert intake and activities open incidents through it');

/** Violations as `file:line: what`, for files given as [path, text]. */
function check(files: [string, string][], rule: Rule, pure: boolean): string[] {
  return files.flatMap(([file, text]) => {
    const sf = parse(file, text);
    const name = relative(ROOT, file).split(sep).join('/');
    const bad = importsOf(sf).flatMap((ref) => {
      const why = rule(file, ref);
      return why ? [`${name}:${ref.line}: ${why}`] : [];
    });
    const impure = pure ? impuritiesOf(sf).map((i) => `${name}:${i.line}: ${i.what}: domain code is given instants, it does not read them`) : [];
    return [...bad, ...impure];
  });
}

const read = (dir: string): [string, string][] => filesUnder(join(ROOT, dir)).map((f) => [f, readFileSync(f, 'utf8')]);

describe('architecture: layers keep their imports (README "Layout", STYLE.md 1–3)', () => {
  const domain = read('src/domain');
  const workflows = read('src/workflows');
  const shared = read('src/shared');

  it('scans real files', () => {
    expect(domain.length).toBeGreaterThanOrEqual(8);
    expect(domain.map(([f]) => relative(ROOT, f).split(sep).join('/'))).toEqual(expect.arrayContaining(['src/domain/calendar.ts', 'src/domain/testing/minute-oracle.ts']));
    expect(workflows.length).toBeGreaterThanOrEqual(2);
    expect(shared.length).toBeGreaterThanOrEqual(2);
    // The workflows do use activities, as `import type`: the rule below has something to hold.
    const activityImports = workflows.flatMap(([f, t]) => importsOf(parse(f, t)).filter((r) => r.specifier.includes('/activities/')));
    expect(activityImports.length).toBeGreaterThan(0);
  });

  it('src/domain imports only src/domain and reads no clock, randomness or process (specs and testing/ included)', () => {
    expect(check(domain, domainRule, true)).toEqual([]);
  });

  it('src/workflows import only @temporalio/workflow, workflows, domain, shared, and activities as `import type`', () => {
    expect(check(workflows, workflowRule, false)).toEqual([]);
  });

  it('src/shared imports only @temporalio/workflow, src/domain and itself', () => {
    expect(check(shared, sharedRule, false)).toEqual([]);
  });

  const persistence = read('src/persistence');
  const activities = read('src/activities');
  const adapters = read('src/adapters');
  const api = read('src/api');

  it('lower layers never import upper ones: persistence, activities, adapters, api', () => {
    expect(persistence.length).toBeGreaterThanOrEqual(5);
    expect(activities.length).toBeGreaterThanOrEqual(4);
    expect(adapters.length).toBeGreaterThanOrEqual(8);
    expect(api.length).toBeGreaterThanOrEqual(15);
    expect(check(persistence, persistenceRule, false)).toEqual([]);
    expect(check(activities, activitiesRule, false)).toEqual([]);
    expect(check(adapters, adaptersRule, false)).toEqual([]);
    expect(check(api, apiRule, false)).toEqual([]);
  });

  it('src/domain has no import cycles', () => {
    const production = domain.filter(([f]) => !f.endsWith('.spec.ts'));
    expect(production.length).toBeGreaterThanOrEqual(8);
    expect(cyclesOf(production)).toEqual([]);
  });

  // Issue 10: the intake sits below the API so that activities (a PM platform's poller) and the alert intake can open
  // incidents through it; it must therefore not reach up into the API, or into workflows and activities.
  it('src/intake imports no api, workflows or activities', () => {
    const intake = read('src/intake');
    expect(intake.length).toBeGreaterThanOrEqual(3);
    expect(check(intake, intakeRule, false)).toEqual([]);
    expect(check([[join(ROOT, 'src/intake/bad.ts'), "import { x } from '../api/app.module';"]], intakeRule, false)).toHaveLength(1);
  });
});

describe('architecture checker catches what it should (so the rules above are not vacuous)', () => {
  const at = (path: string, text: string): [string, string][] => [[join(ROOT, path), text]];

  it('catches upward imports of persistence, activities, adapters and the API, type-only ones too', () => {
    expect(check(at('src/persistence/bad.ts', "import { hashToken } from '../api/auth/x';\nimport { x } from './sql';"), persistenceRule, false)).toEqual([
      "src/persistence/bad.ts:1: imports '../api/auth/x' (src/api/auth/x): src/persistence must not import src/api (the database layer sits below them)",
    ]);
    expect(check(at('src/activities/bad.ts', "import type { RobotOutboxInput } from '../workflows/robot-outbox.workflow';"), activitiesRule, false)).toHaveLength(1);
    expect(check(at('src/adapters/notify/bad.ts', "import { render } from '../../activities/notify.activities';"), adaptersRule, false)).toHaveLength(1);
    expect(check(at('src/api/incidents/bad.ts', "import { incidentWorkflow } from '../../workflows/incident.workflow';\nimport { x } from '../../shared/incident-messages';"), apiRule, false)).toHaveLength(1);
  });

  it('finds an import cycle, whatever the import form', () => {
    const files: [string, string][] = [
      [join(ROOT, 'src/domain/a.ts'), "import type { B } from './b';"],
      [join(ROOT, 'src/domain/b.ts'), "import { c } from './c';"],
      [join(ROOT, 'src/domain/c.ts'), "export { a } from './a';"],
      [join(ROOT, 'src/domain/d.ts'), "import { a } from './a';"],
    ];
    expect(cyclesOf(files)).toEqual([['src/domain/a.ts', 'src/domain/b.ts', 'src/domain/c.ts', 'src/domain/a.ts']]);
    expect(cyclesOf(files.slice(1))).toEqual([]);
  });

  it('finds every import form in domain code, with file:line', () => {
    const text = [
      "import { readFileSync } from 'node:fs';", // 1
      "import type { Foo } from 'lodash';", // 2
      "import { buildCalendarSpec } from '../infra/china-calendar';", // 3
      "import { invalidInput } from './errors';", // 4
      "import { x } from './testing/minute-oracle';", // 5
      "export * from '../shared/labels';", // 6
      "const c = require('crypto');", // 7
      "const later = import('../api/app.module');", // 8
      "type T = import('typeorm').DataSource;", // 9
      "import fc from 'fast-check';", // 10
    ].join('\n');
    expect(check(at('src/domain/bad.ts', text), domainRule, false)).toEqual([
      "src/domain/bad.ts:1: imports the package or built-in 'node:fs'",
      "src/domain/bad.ts:2: imports the package or built-in 'lodash'",
      "src/domain/bad.ts:3: imports '../infra/china-calendar' (src/infra/china-calendar), outside src/domain",
      "src/domain/bad.ts:6: imports '../shared/labels' (src/shared/labels), outside src/domain",
      "src/domain/bad.ts:7: imports the package or built-in 'crypto'",
      "src/domain/bad.ts:8: imports '../api/app.module' (src/api/app.module), outside src/domain",
      "src/domain/bad.ts:9: imports the package or built-in 'typeorm'",
      "src/domain/bad.ts:10: imports the package or built-in 'fast-check'",
    ]);
    // A spec beside the code may use jest, fast-check and the calendar data, but still no Node built-ins.
    expect(check(at('src/domain/bad.spec.ts', text), domainRule, false)).toEqual([
      "src/domain/bad.spec.ts:1: imports the package or built-in 'node:fs'",
      "src/domain/bad.spec.ts:2: imports the package or built-in 'lodash'",
      "src/domain/bad.spec.ts:6: imports '../shared/labels' (src/shared/labels), outside src/domain",
      "src/domain/bad.spec.ts:7: imports the package or built-in 'crypto'",
      "src/domain/bad.spec.ts:8: imports '../api/app.module' (src/api/app.module), outside src/domain",
      "src/domain/bad.spec.ts:9: imports the package or built-in 'typeorm'",
    ]);
  });

  it('finds clock, randomness and process reads, but not dates built from arguments, comments or strings', () => {
    const text = [
      'export const a = Date.now();', // 1
      'export const b = new Date();', // 2
      'export const c = new Date;', // 3
      'export const d = Date();', // 4
      'export const e = Math.random() > 0.5;', // 5
      'export const f = process.env.TZ;', // 6
      "export const g = process['hrtime'];", // 7
      'export const h = performance.now();', // 8
      'export const clock = Date.now;', // 9
      'export const fine1 = new Date(0).toISOString();', // 10
      'export const fine2 = new Date(Date.UTC(2026, 0, 1));', // 11
      '// Date.now() and Math.random() and process.exit() in a comment', // 12
      "export const fine3 = 'new Date() Math.random( process.';", // 13
      'export function fine4(process: { run(): void }) { return process; }', // 14
    ].join('\n');
    expect(check(at('src/domain/impure.ts', text), domainRule, true).map((v) => v.split(': ').slice(0, 2).join(': '))).toEqual([
      'src/domain/impure.ts:1: Date.now',
      'src/domain/impure.ts:2: new Date() (reads the clock)',
      'src/domain/impure.ts:3: new Date() (reads the clock)',
      'src/domain/impure.ts:4: Date() (reads the clock)',
      'src/domain/impure.ts:5: Math.random',
      'src/domain/impure.ts:6: process.env',
      'src/domain/impure.ts:7: process[…]',
      'src/domain/impure.ts:8: performance.now',
      'src/domain/impure.ts:9: Date.now',
    ]);
  });

  it('lets workflows import activities only as `import type`', () => {
    const text = [
      "import { proxyActivities } from '@temporalio/workflow';", // 1
      "import type { createIncidentActivities } from '../activities/incident.activities';", // 2
      "import { createNotifyActivities } from '../activities/notify.activities';", // 3
      "import { type createEscalationActivities } from '../activities/escalation.activities';", // 4
      "import { Client } from '@temporalio/client';", // 5
      "import { TemplateRenderer } from '../infra/templates';", // 6
      "import { WorkingCalendar } from '../domain/calendar';", // 7
      "import { incidentViewQuery } from '../shared/incident-messages';", // 8
      "import { notifyAll } from './notify';", // 9
      "import '../activities/incident.activities';", // 10
      "const fs = require('fs');", // 11
      "export { x } from '@temporalio/workflow/lib/internals';", // 12
    ].join('\n');
    expect(check(at('src/workflows/bad.workflow.ts', text), workflowRule, false)).toEqual([
      "src/workflows/bad.workflow.ts:3: import of activities '../activities/notify.activities': use `import type`",
      "src/workflows/bad.workflow.ts:4: import of activities '../activities/escalation.activities': use `import type`",
      "src/workflows/bad.workflow.ts:5: imports '@temporalio/client': workflow code may import only @temporalio/workflow among packages",
      "src/workflows/bad.workflow.ts:6: imports '../infra/templates' (src/infra/templates): not workflows, domain, shared or a type-only activity module",
      "src/workflows/bad.workflow.ts:10: side-effect import of activities '../activities/incident.activities': use `import type`",
      "src/workflows/bad.workflow.ts:11: imports 'fs': workflow code may import only @temporalio/workflow among packages",
      "src/workflows/bad.workflow.ts:12: imports '@temporalio/workflow/lib/internals': workflow code may import only @temporalio/workflow among packages",
    ]);
  });

  it('keeps src/shared to @temporalio/workflow, domain and itself', () => {
    const text = [
      "import { defineUpdate } from '@temporalio/workflow';", // 1
      "import type { IncidentView } from '../domain/incident-process';", // 2
      "import { PRIORITIES } from '../domain/sla-policy';", // 3
      "import { LOCALES } from './labels';", // 4
      "import { Client } from '@temporalio/client';", // 5
      "import type { IncidentEntity } from '../persistence/entities';", // 6
      "import { createIncidentActivities } from '../activities/incident.activities';", // 7
    ].join('\n');
    expect(check(at('src/shared/bad.ts', text), sharedRule, false)).toEqual([
      "src/shared/bad.ts:5: imports '@temporalio/client': shared code may import only @temporalio/workflow among packages",
      "src/shared/bad.ts:6: imports '../persistence/entities' (src/persistence/entities): not shared or domain",
      "src/shared/bad.ts:7: imports '../activities/incident.activities' (src/activities/incident.activities): not shared or domain",
    ]);
  });
});

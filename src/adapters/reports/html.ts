import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { formatInZone } from '../../domain/time';

/**
 * Report pages are handlebars templates under `templates/reports/` (zh-CN first, English beside), escaped by
 * default. `{{#> layout title="…"}}…{{/layout}}` wraps a page in the shared print stylesheet (A4, the CJK font,
 * tables that repeat their header across pages). Charts (SVG strings from charts.ts) go in with `{{{svg}}}`.
 *
 * Helpers: `time ms` (the contract's zone, "YYYY-MM-DD HH:mm"), `date ms` ("YYYY-MM-DD"), `num x digits`,
 * `pct x digits` (0.976 → "97.6%"), `eq a b`, `inc i` (1-based row numbers), `or a b`, `dash x` (null → "—").
 */

/** `templates/` at the repository root, from the sources (tests) or from the compiled `dist/src` tree. */
export function reportTemplatesDir(): string {
  const candidates = [join(__dirname, '..', '..', '..', 'templates', 'reports'), join(__dirname, '..', '..', '..', '..', 'templates', 'reports')];
  const found = candidates.find((dir) => existsSync(join(dir, 'layout.hbs')));
  if (!found) throw new Error(`templates/reports/ not found near ${__dirname}`);
  return found;
}

export function formatNumber(x: unknown, digits = 0): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  return x.toFixed(digits);
}

export function formatPercent(ratio: unknown, digits = 1): string {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export class ReportHtmlRenderer {
  private readonly hbs = Handlebars.create();
  private readonly compiled = new Map<string, HandlebarsTemplateDelegate>();

  constructor(
    private readonly dir: string = reportTemplatesDir(),
    utcOffsetMinutes = 480,
  ) {
    const time = (ms: unknown) => (typeof ms === 'number' && Number.isFinite(ms) ? formatInZone(ms, utcOffsetMinutes).replace('T', ' ').slice(0, 16) : '—');
    this.hbs.registerHelper('time', time);
    this.hbs.registerHelper('date', (ms: unknown) => time(ms).slice(0, 10));
    // Handlebars passes its options object as the last argument: digits are taken only when a number is given.
    this.hbs.registerHelper('num', (x: unknown, digits: unknown) => formatNumber(x, typeof digits === 'number' ? digits : 0));
    this.hbs.registerHelper('pct', (x: unknown, digits: unknown) => formatPercent(x, typeof digits === 'number' ? digits : 1));
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.hbs.registerHelper('or', (a: unknown, b: unknown) => a || b);
    this.hbs.registerHelper('inc', (i: unknown) => (typeof i === 'number' ? i + 1 : i));
    this.hbs.registerHelper('dash', (x: unknown) => (x === null || x === undefined || x === '' ? '—' : x));
    for (const file of readdirSync(this.dir)) {
      if (file.startsWith('_') || file === 'layout.hbs') {
        this.hbs.registerPartial(file.replace(/^_/, '').replace(/\.hbs$/, ''), readFileSync(join(this.dir, file), 'utf8'));
      }
    }
  }

  /** Renders `templates/reports/<name>.hbs` with its data to a full HTML document. */
  render(name: string, data: unknown): string {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad report template name ${name}`);
    let template = this.compiled.get(name);
    if (!template) {
      template = this.hbs.compile(readFileSync(join(this.dir, `${name}.hbs`), 'utf8'), { strict: false });
      this.compiled.set(name, template);
    }
    return template(data);
  }
}

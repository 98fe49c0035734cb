import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Browser, chromium } from 'playwright-core';

/**
 * HTML → PDF through headless Chromium (Debian's `chromium`, found by scripts/ensure-chromium.sh), shared by every
 * report (S8 monthly report, S16 inspection report, S17 acceptance pack). One browser per process, launched on first
 * use and reused; each render gets its own context with the network shut, so a report is made only of the HTML given.
 */

/** Flags known to work on these machines: without the background-networking ones Chromium keeps dialling out and is refused. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--font-render-hinting=none',
];

export interface PdfOptions {
  /** A4 unless told. */
  format?: 'A4' | 'A3';
  landscape?: boolean;
  /** CSS margins, 12 mm on each side unless told. */
  margin?: { top?: string; right?: string; bottom?: string; left?: string };
  /**
   * When set, the PDF's dates (CreationDate, ModDate) are this instant and its /ID is derived from the content, so
   * the same HTML gives the same bytes (S17: the hospital checks an archived pack later by its hash).
   */
  deterministicAt?: number;
  /** The PDF's title (Info dictionary); the HTML's <title> otherwise. */
  title?: string;
  /** Milliseconds a render may take before it fails (30 s). */
  timeoutMs?: number;
}

const execFileP = promisify(execFile);

/** `scripts/` at the repository root, from the sources (tests) or from the compiled `dist/src` tree. */
function scriptsDir(): string {
  const candidates = [join(__dirname, '..', '..', '..', 'scripts'), join(__dirname, '..', '..', '..', '..', 'scripts')];
  const found = candidates.find((dir) => existsSync(join(dir, 'ensure-chromium.sh')));
  if (!found) throw new Error(`scripts/ensure-chromium.sh not found near ${__dirname}`);
  return found;
}

/** The Chromium binary: $WARDLINE_CHROMIUM_BIN, else what scripts/ensure-chromium.sh finds (or installs as root). */
export async function findChromium(): Promise<string> {
  const fromEnv = process.env.WARDLINE_CHROMIUM_BIN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const { stdout } = await execFileP('bash', [join(scriptsDir(), 'ensure-chromium.sh')], { timeout: 15 * 60_000 });
  const path = stdout.trim().split('\n').pop() ?? '';
  if (!path || !existsSync(path)) throw new Error(`ensure-chromium.sh printed no usable path (${JSON.stringify(stdout.slice(0, 200))})`);
  return path;
}

/** A PDF date string of the same length Chromium (Skia) writes: D:YYYYMMDDHHmmSS+00'00'. */
function pdfDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}+00'00'`;
}

/**
 * Makes a Chromium PDF reproducible without reparsing it: the dates and the document /ID are the only parts that
 * change from run to run. Each is overwritten in place by a string of the same length, so every byte offset in the
 * cross-reference table stays right. The /ID becomes an MD5 of the rest of the file, as PDF 32000 §14.4 suggests.
 */
export function normalizePdf(pdf: Buffer, at: number): Buffer {
  // latin1 keeps one char per byte, so lengths and offsets are preserved exactly.
  let text = pdf.toString('latin1');
  const fixed = pdfDate(at);
  text = text.replace(/\((D:\d{14}[^)]{0,12})\)/g, (whole, date: string) => {
    const replacement = fixed.length <= date.length ? fixed.padEnd(date.length, ' ') : fixed.slice(0, date.length);
    return `(${replacement})`;
  });
  // XMP metadata (written by some Chromium versions) carries the same dates and a random instance id.
  text = text.replace(/<xmp:(CreateDate|ModifyDate|MetadataDate)>([^<]*)<\/xmp:\1>/g, (_w, tag: string, value: string) => {
    const iso = new Date(at).toISOString().slice(0, 19) + 'Z';
    return `<xmp:${tag}>${iso.padEnd(value.length, ' ').slice(0, Math.max(value.length, 0))}</xmp:${tag}>`;
  });
  const idPattern = /\/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]/g;
  const uuidPattern = /uuid:[0-9a-fA-F-]{36}/g;
  const withoutIds = text.replace(idPattern, '/ID[]').replace(uuidPattern, 'uuid:');
  const digest = createHash('md5').update(withoutIds, 'latin1').digest('hex').toUpperCase();
  text = text.replace(idPattern, (whole, a: string, b: string) =>
    whole.replace(`<${a}>`, `<${digest.repeat(4).slice(0, a.length)}>`).replace(`<${b}>`, `<${digest.repeat(4).slice(0, b.length)}>`),
  );
  const uuid = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`.toLowerCase();
  text = text.replace(uuidPattern, `uuid:${uuid}`);
  return Buffer.from(text, 'latin1');
}

/** The shared renderer: `render(html)` gives PDF bytes; `close()` on shutdown. Safe to call concurrently. */
export class PdfRenderer {
  private browser: Promise<Browser> | null = null;
  private closed = false;

  constructor(private readonly executablePath?: string) {}

  private async launch(): Promise<Browser> {
    const executablePath = this.executablePath ?? (await findChromium());
    const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    // A crashed browser is forgotten, so the next render launches a fresh one.
    browser.on('disconnected', () => {
      if (this.browser && !this.closed) this.browser = null;
    });
    return browser;
  }

  private getBrowser(): Promise<Browser> {
    if (this.closed) return Promise.reject(new Error('PdfRenderer is closed'));
    if (!this.browser) {
      this.browser = this.launch();
      this.browser.catch(() => {
        this.browser = null;
      });
    }
    return this.browser;
  }

  async render(html: string, options: PdfOptions = {}): Promise<Buffer> {
    const browser = await this.getBrowser();
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    try {
      // Nothing leaves the page: the report is exactly the HTML given (inline SVG charts, inline CSS).
      await context.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
      const page = await context.newPage();
      const timeout = options.timeoutMs ?? 30_000;
      page.setDefaultTimeout(timeout);
      await page.setContent(html, { waitUntil: 'load', timeout });
      await page.evaluate('document.fonts.ready');
      if (options.title) await page.evaluate(`document.title = ${JSON.stringify(options.title)}`);
      const margin = { top: '12mm', right: '12mm', bottom: '12mm', left: '12mm', ...options.margin };
      const pdf = await page.pdf({
        format: options.format ?? 'A4',
        landscape: options.landscape ?? false,
        margin,
        printBackground: true,
        tagged: false,
        outline: false,
      });
      return options.deterministicAt === undefined ? pdf : normalizePdf(pdf, options.deterministicAt);
    } finally {
      await context.close().catch(() => undefined);
    }
  }

  /** Closes the browser (worker/API shutdown); later renders fail. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = this.browser;
    this.browser = null;
    if (pending) await (await pending.catch(() => null))?.close().catch(() => undefined);
  }
}

let shared: PdfRenderer | null = null;

/** The process's one renderer (lazy: Chromium starts on the first PDF, not at boot). */
export function sharedPdfRenderer(): PdfRenderer {
  if (!shared) shared = new PdfRenderer();
  return shared;
}

/** Closes the process's renderer if one was made; call from shutdown hooks. */
export async function closeSharedPdfRenderer(): Promise<void> {
  const r = shared;
  shared = null;
  await r?.close();
}

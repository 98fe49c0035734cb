import JSZip from 'jszip';

/**
 * A deterministic zip (S17: the acceptance pack's bytes depend only on its data): every entry carries the same
 * fixed date, entries keep the order given (callers pass a stable order), DEFLATE at a fixed level, no comments and
 * no platform-specific attributes. JSZip writes dates as UTC DOS times, so the machine's zone never shows.
 */
export interface ZipEntry {
  /** Path inside the archive, forward slashes. */
  name: string;
  data: Buffer | string;
}

export interface ZipOptions {
  /** The one date every entry carries (epoch ms); DOS dates hold even seconds from 1980 on. */
  date: number;
  /** DEFLATE level 1–9 (6). */
  level?: number;
  /** Sort entries by name instead of keeping the given order. */
  sort?: boolean;
}

export async function buildZip(entries: ZipEntry[], options: ZipOptions): Promise<Buffer> {
  const names = new Set<string>();
  for (const e of entries) {
    if (!e.name || e.name.startsWith('/') || e.name.split('/').includes('..')) throw new Error(`bad zip entry name ${JSON.stringify(e.name)}`);
    if (names.has(e.name)) throw new Error(`duplicate zip entry ${e.name}`);
    names.add(e.name);
  }
  const ordered = options.sort ? [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : entries;
  const date = new Date(Math.max(options.date, Date.UTC(1980, 0, 1, 0, 0, 0)));
  const zip = new JSZip();
  for (const e of ordered) zip.file(e.name, e.data, { date, createFolders: false, binary: typeof e.data !== 'string' });
  return zip.generateAsync({
    type: 'nodebuffer',
    compression: 'DEFLATE',
    compressionOptions: { level: options.level ?? 6 },
    platform: 'DOS',
    streamFiles: false,
  });
}

/** Reads a zip's entries back (tests, and re-packing other zips such as exceljs' XLSX with fixed dates). */
export async function readZip(data: Buffer): Promise<{ name: string; data: Buffer; date: Date }[]> {
  const zip = await JSZip.loadAsync(data);
  const out: { name: string; data: Buffer; date: Date }[] = [];
  for (const file of Object.values(zip.files)) {
    if (file.dir) continue;
    out.push({ name: file.name, data: await file.async('nodebuffer'), date: file.date });
  }
  return out;
}

/**
 * Times are shown in the contract's zone (Asia/Shanghai), whatever the browser's zone: the API's answers carry
 * their offset, and the SLA is measured in Beijing time.
 */
const ZONE = 'Asia/Shanghai';

const full = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const short = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

export function dateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : full.format(d);
}

export function shortTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : short.format(d);
}

/** `1 天 02:03:04` / `-00:05:00` for a number of milliseconds (negative: overdue). */
export function duration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let s = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${sign}${days ? `${days}d ` : ''}${hh}:${mm}:${ss}`;
}

/** A datetime-local input's value (Beijing wall time) as an ISO string with +08:00, as the API wants a zone named. */
export function beijingIso(local: string): string {
  return `${local.length === 16 ? `${local}:00` : local}+08:00`;
}

import { Lunar } from 'lunar-typescript';
import { formatDayNumber, isoWeekday, parseIsoDate } from '../domain/time';

/** A day off and why: the festival, or the make-up day (补假) of a festival day that fell on a weekend. */
export interface NamedDay {
  date: string;
  name: string;
}

export interface StatutoryYear {
  year: number;
  /** Festival days and their make-up days, in date order. */
  holidays: NamedDay[];
}

/**
 * The statutory holidays of a year as the law sets them (《全国年节及纪念日放假办法》, as amended by the State
 * Council with effect from 2025-01-01): 元旦 Jan 1; 春节 from 除夕 to 正月初三 (4 days); 清明 on the solar term;
 * 劳动节 May 1–2; 端午 5th of the 5th lunar month; 中秋 15th of the 8th; 国庆 Oct 1–3. A festival day on a Saturday
 * or Sunday is made up on the next working day (第六条: 适逢周六、周日，应当在工作日补假).
 *
 * What the law cannot tell is the year's 调休 (the weekends worked to make longer breaks): the State Council
 * publishes them each year, so a calendar built from this is provisional until the official schedule is loaded
 * (S10, S2). Lunar dates and the 清明 solar term come from npm `lunar-typescript` (pure computation).
 */
export function statutoryHolidays(year: number): StatutoryYear {
  if (!Number.isInteger(year) || year < 2025 || year > 2099) throw new RangeError(`statutory holidays are computed for 2025–2099 (the law as amended for 2025), not ${year}`);
  const ymd = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const lunar = (m: number, d: number) => Lunar.fromYmd(year, m, d).getSolar().toYmd();
  const newYear = Lunar.fromYmd(year, 1, 1).getSolar();
  const festivals: NamedDay[] = [
    { date: ymd(year, 1, 1), name: '元旦' },
    { date: newYear.next(-1).toYmd(), name: '春节（除夕）' },
    { date: newYear.toYmd(), name: '春节（初一）' },
    { date: newYear.next(1).toYmd(), name: '春节（初二）' },
    { date: newYear.next(2).toYmd(), name: '春节（初三）' },
    { date: Lunar.fromYmd(year, 1, 1).getJieQiTable()['清明'].toYmd(), name: '清明节' },
    { date: ymd(year, 5, 1), name: '劳动节' },
    { date: ymd(year, 5, 2), name: '劳动节' },
    { date: lunar(5, 5), name: '端午节' },
    { date: lunar(8, 15), name: '中秋节' },
    { date: ymd(year, 10, 1), name: '国庆节' },
    { date: ymd(year, 10, 2), name: '国庆节' },
    { date: ymd(year, 10, 3), name: '国庆节' },
  ];
  // 除夕 of a late-January 春节 lies in the year before; only this year's days belong to this year.
  const own = festivals.filter((f) => f.date.startsWith(`${year}-`));
  const taken = new Set(own.map((f) => parseIsoDate(f.date, 'date')));
  const days: NamedDay[] = [...own];
  // 补假: each festival day on a weekend gives the next weekday that is not already off, after the festival's block.
  // A date that is two festivals at once (中秋 on 国庆) is one day off; the law gives no second day for it.
  const seen = new Set<string>();
  for (const f of [...own].sort((a, b) => a.date.localeCompare(b.date))) {
    const day = parseIsoDate(f.date, 'date');
    if (isoWeekday(day) <= 5 || seen.has(f.date)) continue;
    seen.add(f.date);
    let d = day + 1;
    while (isoWeekday(d) > 5 || taken.has(d)) d++;
    taken.add(d);
    days.push({ date: formatDayNumber(d), name: `${f.name.replace(/（.*）$/, '')}补假` });
  }
  days.sort((a, b) => a.date.localeCompare(b.date));
  return { year, holidays: days };
}

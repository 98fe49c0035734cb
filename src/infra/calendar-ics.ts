import { DomainError, DomainErrorCode } from '../domain/errors';
import { DAY_MS, formatDayNumber } from '../domain/time';
import type { CalendarYear } from './china-calendar';

/**
 * Reads one year of the official schedule from an iCalendar file in the form npm `chinese-days` ships
 * (`dist/holidays.ics`, `dist/years/<year>.ics`, and their `.en.ics` twins): one all-day VEVENT per run of
 * days off (休) or adjusted working days (班, 补班), DTEND exclusive. Pure: text in, dates out.
 *
 * Every event must say which of the two it is; one that says neither, or both, is refused with its line,
 * because guessing would silently move SLA deadlines (S10, S2). Events outside `year` are skipped, so the
 * multi-year feed can be loaded one year at a time; an event running across New Year is cut at the boundary.
 */
export function parseCalendarIcs(text: string, year: number): CalendarYear {
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw icsError(null, `year must be a whole number 1–9999, got ${year}`);
  const yearStart = Date.UTC(year, 0, 1) / DAY_MS;
  const yearEnd = Date.UTC(year + 1, 0, 1) / DAY_MS;
  const holidays = new Map<number, number>();
  const workdays = new Map<number, number>();
  let events = 0;

  for (const event of readEvents(unfold(text))) {
    if (event.props.get('STATUS')?.[0].value.toUpperCase() === 'CANCELLED') continue;
    const { first, end, line } = eventDays(event);
    const kind = eventKind(event);
    const into = kind === 'holiday' ? holidays : workdays;
    const other = kind === 'holiday' ? workdays : holidays;
    for (let day = Math.max(first, yearStart); day < Math.min(end, yearEnd); day++) {
      const clash = other.get(day);
      if (clash !== undefined) {
        throw icsError(line, `${formatDayNumber(day)} is a ${kind === 'holiday' ? 'holiday' : 'working day'} here but the event at line ${clash} says the opposite`);
      }
      if (!into.has(day)) into.set(day, line);
    }
    if (first < yearEnd && end > yearStart) events++;
  }
  if (events === 0) throw icsError(null, `the calendar has no holiday or adjusted working day in ${year}`);
  const dates = (m: Map<number, number>) => [...m.keys()].sort((a, b) => a - b).map(formatDayNumber);
  return { year, holidays: dates(holidays), workdays: dates(workdays) };
}

/** The API names the request field `ics`; `line` is the physical line (1-based) where the problem starts. */
function icsError(line: number | null, reason: string): DomainError {
  const full = line === null ? reason : `line ${line}: ${reason}`;
  return new DomainError(DomainErrorCode.InvalidInput, `ics: ${full}`, { field: 'ics', reason: full, ...(line === null ? {} : { line }) });
}

interface Property {
  line: number;
  name: string;
  params: Map<string, string>;
  value: string;
}

interface VEvent {
  line: number;
  props: Map<string, Property[]>;
}

/** RFC 5545 §3.1: a line starting with a space or a tab continues the one before, minus that one character. */
function unfold(text: string): { line: number; text: string }[] {
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const logical: { line: number; text: string }[] = [];
  physical.forEach((raw, i) => {
    if (raw.startsWith(' ') || raw.startsWith('\t')) {
      const last = logical[logical.length - 1];
      if (!last) throw icsError(i + 1, 'a folded continuation line with nothing before it');
      last.text += raw.slice(1);
    } else if (raw.trim() !== '') {
      logical.push({ line: i + 1, text: raw });
    }
  });
  return logical;
}

const NAME = /^[A-Za-z0-9-]+/;

/** `NAME;PARAM=value;PARAM="quoted:value":VALUE`; parameter values may be quoted to hold `:` and `;`. */
function parseProperty(line: number, text: string): Property {
  const name = NAME.exec(text)?.[0];
  if (!name) throw icsError(line, `not an iCalendar content line: ${JSON.stringify(text.slice(0, 60))}`);
  const params = new Map<string, string>();
  let i = name.length;
  while (text[i] === ';') {
    const param = NAME.exec(text.slice(i + 1))?.[0];
    if (!param || text[i + 1 + param.length] !== '=') throw icsError(line, `malformed parameter in ${name}`);
    i += 1 + param.length + 1;
    let value = '';
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) throw icsError(line, `unterminated quoted parameter ${param} in ${name}`);
      value = text.slice(i + 1, close);
      i = close + 1;
    } else {
      while (i < text.length && text[i] !== ';' && text[i] !== ':') value += text[i++];
    }
    params.set(param.toUpperCase(), value);
  }
  if (text[i] !== ':') throw icsError(line, `${name} has no ':' before its value`);
  return { line, name: name.toUpperCase(), params, value: text.slice(i + 1) };
}

/** Walks BEGIN/END nesting and returns the VEVENTs of the VCALENDAR (a VALARM inside one is ignored). */
function readEvents(lines: { line: number; text: string }[]): VEvent[] {
  const events: VEvent[] = [];
  const stack: { name: string; line: number }[] = [];
  let current: VEvent | null = null;
  if (lines.length === 0) throw icsError(null, 'the file is empty');
  for (const { line, text } of lines) {
    const prop = parseProperty(line, text);
    if (prop.name === 'BEGIN') {
      const component = prop.value.trim().toUpperCase();
      if (stack.length === 0 && component !== 'VCALENDAR') throw icsError(line, `expected BEGIN:VCALENDAR, got BEGIN:${prop.value}`);
      if (stack.length > 0 && component === 'VCALENDAR') throw icsError(line, 'a VCALENDAR inside another');
      if (component === 'VEVENT' && stack.length === 1) current = { line, props: new Map() };
      stack.push({ name: component, line });
      continue;
    }
    if (prop.name === 'END') {
      const open = stack.pop();
      const component = prop.value.trim().toUpperCase();
      if (!open) throw icsError(line, `END:${prop.value} without a BEGIN`);
      if (open.name !== component) throw icsError(line, `END:${prop.value} closes BEGIN:${open.name} of line ${open.line}`);
      if (component === 'VEVENT' && stack.length === 1 && current) {
        events.push(current);
        current = null;
      }
      continue;
    }
    if (stack.length === 0) throw icsError(line, `${prop.name} outside BEGIN:VCALENDAR … END:VCALENDAR`);
    if (current && stack.length === 2) {
      const list = current.props.get(prop.name) ?? [];
      list.push(prop);
      current.props.set(prop.name, list);
    }
  }
  const open = stack.pop();
  if (open) throw icsError(open.line, `BEGIN:${open.name} is never closed (is the file cut short?)`);
  return events;
}

function single(event: VEvent, name: string): Property | undefined {
  const list = event.props.get(name);
  if (list && list.length > 1) throw icsError(list[1].line, `the event of line ${event.line} has ${name} twice`);
  return list?.[0];
}

/** An all-day date, `VALUE=DATE` (`YYYYMMDD`), as days since 1970-01-01. Times of day would need a zone: refused. */
function dateOf(prop: Property): number {
  const valueType = prop.params.get('VALUE')?.toUpperCase();
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(prop.value.trim());
  if ((valueType !== undefined && valueType !== 'DATE') || !m) {
    throw icsError(prop.line, `${prop.name} must be an all-day date (${prop.name};VALUE=DATE:YYYYMMDD), got ${JSON.stringify(prop.value)}`);
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = Date.UTC(y, mo - 1, d) / DAY_MS;
  if (formatDayNumber(day) !== `${m[1]}-${m[2]}-${m[3]}`) throw icsError(prop.line, `${prop.name} is not a calendar date: ${prop.value}`);
  return day;
}

/** [first, end) in day numbers: DTEND is exclusive (RFC 5545 §3.6.1); without DTEND or DURATION, one day. */
function eventDays(event: VEvent): { first: number; end: number; line: number } {
  for (const name of ['RRULE', 'RDATE', 'EXDATE']) {
    const p = single(event, name);
    if (p) throw icsError(p.line, `${name}: repeating events are not supported; list each year's days`);
  }
  const start = single(event, 'DTSTART');
  if (!start) throw icsError(event.line, 'the event has no DTSTART');
  const first = dateOf(start);
  const dtend = single(event, 'DTEND');
  const duration = single(event, 'DURATION');
  if (dtend && duration) throw icsError(duration.line, 'an event may have DTEND or DURATION, not both');
  let end = first + 1;
  if (dtend) {
    end = dateOf(dtend);
    if (end <= first) throw icsError(dtend.line, `DTEND ${dtend.value} must be after DTSTART ${start.value} (DTEND is exclusive)`);
  } else if (duration) {
    const m = /^P(?:(\d+)W|(\d+)D)$/.exec(duration.value.trim().toUpperCase());
    if (!m || Number(m[1] ?? m[2]) === 0) throw icsError(duration.line, `DURATION must be whole days or weeks (P3D, P1W), got ${JSON.stringify(duration.value)}`);
    end = first + (m[1] ? Number(m[1]) * 7 : Number(m[2]));
  }
  return { first, end, line: start.line };
}

type Kind = 'holiday' | 'workday';

/** RFC 5545 TEXT escapes: `\n`, `\,`, `\;`, `\\`. */
function text(value: string): string {
  return value.replace(/\\([nN,;\\])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

const APPLE_SPECIAL_DAY: Record<string, Kind> = { 'WORK-HOLIDAY': 'holiday', 'ALTERNATE-WORKDAY': 'workday' };
/** DESCRIPTION is exactly the marker in chinese-days (`休` / `班`, English `Holiday` / `Workday`). */
const DESCRIPTION_MARKERS: Record<string, Kind> = { 休: 'holiday', 放假: 'holiday', holiday: 'holiday', 班: 'workday', 补班: 'workday', 上班: 'workday', workday: 'workday' };
/** SUMMARY ends in `(休)` / `(班)` in chinese-days; other feeds write 放假 / 补班 / 调休上班. Bare 调休 can mean either. */
const SUMMARY_HOLIDAY = /[(（]\s*(休|holiday)\s*[)）]|放假/i;
const SUMMARY_WORKDAY = /[(（]\s*(班|workday)\s*[)）]|补班|上班/i;

/** What the event says it is, from every marker it carries; markers that disagree make it ambiguous. */
function eventKind(event: VEvent): Kind {
  const said: { kind: Kind; prop: Property }[] = [];
  const apple = single(event, 'X-APPLE-SPECIAL-DAY');
  if (apple) {
    const kind = APPLE_SPECIAL_DAY[apple.value.trim().toUpperCase()];
    if (!kind) throw icsError(apple.line, `X-APPLE-SPECIAL-DAY ${JSON.stringify(apple.value)} is neither WORK-HOLIDAY nor ALTERNATE-WORKDAY`);
    said.push({ kind, prop: apple });
  }
  const description = single(event, 'DESCRIPTION');
  const described = description && DESCRIPTION_MARKERS[text(description.value).trim().toLowerCase()];
  if (description && described) said.push({ kind: described, prop: description });
  const summary = single(event, 'SUMMARY');
  if (summary) {
    const s = text(summary.value);
    const holiday = SUMMARY_HOLIDAY.test(s);
    const workday = SUMMARY_WORKDAY.test(s);
    if (holiday && workday) throw icsError(summary.line, `SUMMARY ${JSON.stringify(s)} says both a day off and a working day`);
    if (holiday || workday) said.push({ kind: holiday ? 'holiday' : 'workday', prop: summary });
  }
  const label = summary ? ` ${JSON.stringify(text(summary.value))}` : '';
  if (said.length === 0) {
    throw icsError(
      event.line,
      `the event${label} does not say whether it is a day off (休, X-APPLE-SPECIAL-DAY:WORK-HOLIDAY) or an adjusted working day (班, ALTERNATE-WORKDAY)`,
    );
  }
  said.sort((a, b) => a.prop.line - b.prop.line);
  const conflict = said.find((s) => s.kind !== said[0].kind);
  if (conflict) {
    throw icsError(
      conflict.prop.line,
      `the event${label} is ambiguous: ${said[0].prop.name} (line ${said[0].prop.line}) says ${said[0].kind}, ${conflict.prop.name} says ${conflict.kind}`,
    );
  }
  return said[0].kind;
}

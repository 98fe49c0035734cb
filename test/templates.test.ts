import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATE_NAMES, TemplateData, TemplateName, TemplateRenderer, defaultTemplatesDir } from '../src/infra/templates';
import { CLOCK_LABELS, LOCALES, Locale, STATE_LABELS, TIER_LABELS } from '../src/shared/labels';

/**
 * Notification templates (STYLE.md 10): one typed data interface each, strict, in zh-CN (read first) and English.
 * The times are contract evidence (S10, S14), so they render in Asia/Shanghai whatever the process zone.
 */
const SHANGHAI = 480;
const dir = defaultTemplatesDir();
const renderer = new TemplateRenderer(dir, SHANGHAI);

/** 2026-11-20 09:00, 09:30, 10:00 and 2026-11-24 09:00 in Shanghai, given as UTC instants. */
const REPORTED = Date.parse('2026-11-20T01:00:00Z');
const RESPOND = Date.parse('2026-11-20T01:30:00Z');
const ON_SITE = Date.parse('2026-11-20T02:00:00Z');
const REPAIR = Date.parse('2026-11-24T01:00:00Z');
const PROMISED = Date.parse('2026-11-20T03:15:00Z');

type Samples = { [N in TemplateName]: TemplateData[N] };

/** Full data for every template; the mapped type makes a template added to TemplateData without a sample a type error. */
function sample(locale: Locale): Samples {
  const header = { number: 'INC-20261120-0001', systemName: '放射科PACS/RIS系统', title: 'PACS 影像无法调阅' };
  const escalation = { incidentNumber: 'INC-20261120-0001', systemName: '放射科PACS/RIS系统', title: 'PACS 影像无法调阅' };
  return {
    'incident-opened': {
      ...header,
      priority: 'P1',
      tierLabel: TIER_LABELS[locale].working_time,
      reportedAt: REPORTED,
      respondDue: RESPOND,
      onSiteDue: ON_SITE,
      repairDue: REPAIR,
      assigneeName: '李工',
    },
    'incident-assigned': { ...header, assigneeName: '赵工', stateLabel: STATE_LABELS[locale].acknowledged, repairDue: REPAIR },
    'sla-warning': { ...header, clockLabel: CLOCK_LABELS[locale].respond, percent: 75, deadline: RESPOND, stateLabel: STATE_LABELS[locale].reported, assigneeName: '李工' },
    'sla-breached': { ...header, clockLabel: CLOCK_LABELS[locale].repair, deadline: REPAIR, stateLabel: STATE_LABELS[locale].on_site, assigneeName: null },
    'incident-resolved': { ...header, cause: '存储卷写满', fix: '清理缓存并扩容 2TB' },
    'incident-reopened': { ...header, reason: '科室反馈仍无法打印报告', repairDue: REPAIR },
    'incident-recovered': { ...header, alerts: 'FilesystemAlmostFull 10.20.1.12:9100 /data' },
    'escalated-to-vendor': { ...escalation, level: 2, reason: '修复时限已用去 75%', ackLink: 'https://wardline.example.org/ack/0123abcd', linkTtlHours: 24 },
    'vendor-acknowledged': { ...escalation, acknowledgedBy: '原厂张工', promisedOnSiteAt: PROMISED },
    'vendor-promise-missed': { ...escalation, acknowledgedBy: '原厂张工', promisedOnSiteAt: PROMISED },
    'escalation-resolved': { ...escalation },
    'escalation-cancelled': { ...escalation },
    'escalation-no-contacts': { ...escalation, reason: '修复时限已超时', detail: '原厂「某影像厂商」没有有效联系人' },
    'contact-unreachable': { contactLabel: '某影像厂商 张工', originalTitle: '【原厂技术支援】INC-20261120-0001 放射科PACS/RIS系统（第1级）', tried: '企业微信群、邮件' },
    'vendor-on-site': { ...escalation, arrivedBy: '原厂赵经理', arrivedAt: PROMISED },
    'modification-notice': { modificationNumber: 'MOD-20261120-0001', systemName: '临床用血管理系统', title: '报表增加科室筛选', breached: false, ending: false, percent: 75, deadline: REPAIR },
    'problem-proposed': {
      number: 'PRB-20261120-0001',
      systemName: 'LIS',
      title: '检验结果回传中断',
      summary: '同一原因 30 天内 3 次',
      incidents: 'INC-20261101-0003、INC-20261110-0007',
      link: 'https://wardline.example/problems/PRB-20261120-0001',
    },
    'support-clock': {
      number: 'SR-20261120-0001',
      systemName: 'HIS',
      typeLabel: '报表导出',
      title: '导出 11 月门诊量报表',
      dueAt: REPAIR,
      percent: 75,
      breached: false,
      assigneeName: '李工',
      link: 'https://wardline.example/support-requests/SR-20261120-0001',
    },
    'monthly-report-published': { month: '2026-10', title: '2026年10月 月度服务报告', incidents: 42, breaches: 3, respondRate: '92.9%', publishedBy: '张经理', link: 'https://wardline.example/monthly-reports/2026-10/pdf' },
    'change-review-requested': {
      changeNumber: 'CHG-20261127-0001',
      systemName: 'PACS',
      title: '新增检查索引',
      riskLabel: '中',
      revision: 2,
      dueAt: REPAIR,
      reminder: false,
      escalated: true,
    },
    'change-review-decided': { changeNumber: 'CHG-20261127-0001', systemName: 'PACS', title: '新增检查索引', decisionLabel: '同意', revision: 2, comment: '同意在窗口内实施' },
    'pm-progress': {
      kindLabel: locale === 'zh-CN' ? '故障单' : 'incident',
      number: 'INC-20261120-0001',
      eventLabel: locale === 'zh-CN' ? '已修复，请院方确认' : 'fixed, please confirm',
      stateLabel: STATE_LABELS[locale].resolved,
      opened: false,
      actorName: '李工',
      at: RESPOND,
      cause: '存储卷写满',
      fix: '清理缓存并扩容 2TB',
      note: '已与科室电话确认',
      deadline: REPAIR,
      deadlineLabel: CLOCK_LABELS[locale].repair,
    },
    'pm-conflict': {
      kindLabel: locale === 'zh-CN' ? '修改申请' : 'modification request',
      number: 'MOD-20261120-0001',
      author: '李 护士长',
      at: ON_SITE,
      platformStatus: 'Closed',
      stateLabel: locale === 'zh-CN' ? '已上线' : 'live',
      commandLabel: locale === 'zh-CN' ? '验收' : 'accept',
      restore: 'Resolved',
    },
  };
}

/** The same data with every text replaced by ASCII, to tell the template's own words from the sample's. */
function asciiSample(locale: Locale): Samples {
  const map = (data: object) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? `${k}-x` : v]));
  return Object.fromEntries(Object.entries(sample(locale)).map(([name, data]) => [name, map(data)])) as unknown as Samples;
}

/** An oracle for Shanghai wall time independent of the renderer's formatInZone: Intl with the IANA zone. */
const shanghai = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const CASES = LOCALES.flatMap((locale) => TEMPLATE_NAMES.map((name) => [locale, name] as const));
const HAN = /\p{Script=Han}/u;
const source = (locale: Locale, name: TemplateName) => readFileSync(join(dir, 'notify', locale, `${name}.hbs`), 'utf8');
/** Variables a template prints directly (`{{x}}`, `{{time x}}`); those only tested by `{{#if x}}` may be absent. */
function printed(src: string): Set<string> {
  const used = new Set([...src.matchAll(/\{\{(?:time\s+)?([A-Za-z]\w*)\s*\}\}/g)].map((m) => m[1]));
  for (const m of src.matchAll(/\{\{#(?:if|unless)\s+([A-Za-z]\w*)/g)) used.delete(m[1]);
  used.delete('else');
  return used;
}

describe('notification templates', () => {
  it('has full sample data for every name in TEMPLATE_NAMES, in both locales', () => {
    expect(LOCALES).toEqual(['zh-CN', 'en']);
    for (const locale of LOCALES) expect(Object.keys(sample(locale)).sort()).toEqual([...TEMPLATE_NAMES].sort());
  });

  it.each(CASES)('%s/%s renders the full sample with a title line and Shanghai times', (locale, name) => {
    const data = sample(locale)[name];
    const { title, body } = renderer.render(locale, name, data as never);
    expect(title.trim()).not.toBe('');
    // Every title names its record: the incident, the change, the modification, the problem, the support request or the report's month.
    expect(title).toMatch(/INC-20261120-0001|CHG-20261127-0001|MOD-20261120-0001|PRB-20261120-0001|SR-20261120-0001|2026-10/);
    expect(body.trim()).not.toBe('');
    const text = `${title}\n${body}`;
    // Every epoch-millisecond value the template prints shows as Shanghai `YYYY-MM-DD HH:MM`.
    for (const key of printed(source(locale, name))) {
      const value = (data as object as Record<string, unknown>)[key];
      if (typeof value === 'number' && value > 1e12) expect(text).toContain(shanghai.format(value));
    }
    const times = text.match(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|Z)?/g) ?? [];
    for (const t of times) expect(t).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(text).not.toMatch(/\d{12,}/);
    expect(text).not.toContain('undefined');
    expect(text).not.toContain('null');
    expect(text).not.toContain('[object Object]');
    if (locale === 'zh-CN') expect(title).toMatch(/^【\p{Script=Han}+】/u);
    else expect(title).toMatch(/^\[[^\]]+\]/);
  });

  it.each(CASES)('%s/%s: the template\'s own words are in its language', (locale, name) => {
    const { title, body } = renderer.render(locale, name, asciiSample(locale)[name] as never);
    // zh-CN is what people read first: its output is Chinese even when every variable is ASCII; en has none.
    if (locale === 'zh-CN') {
      expect(title).toMatch(HAN);
      expect(`${title}\n${body}`).toMatch(HAN);
    } else {
      expect(`${title}\n${body}`).not.toMatch(HAN);
    }
  });

  it('the times of incident-opened: reported, respond, on site, repair (S10, S2)', () => {
    for (const locale of LOCALES) {
      const text = Object.values(renderer.render(locale, 'incident-opened', sample(locale)['incident-opened'])).join('\n');
      for (const t of ['2026-11-20 09:00', '2026-11-20 09:30', '2026-11-20 10:00', '2026-11-24 09:00']) expect(text).toContain(t);
      // S12: nobody assigned yet, so the message says to dispatch someone now.
      const unassigned = renderer.render(locale, 'incident-opened', { ...sample(locale)['incident-opened'], assigneeName: null });
      expect(unassigned.body).toMatch(locale === 'zh-CN' ? /尚未指派/ : /No engineer assigned/);
    }
  });

  it('renders the Shanghai date across UTC midnight (2026-12-31 16:30Z is 2027-01-01 00:30)', () => {
    const data = { ...sample('zh-CN')['sla-warning'], deadline: Date.parse('2026-12-31T16:30:00Z') };
    expect(renderer.render('zh-CN', 'sla-warning', data).body).toContain('2027-01-01 00:30');
  });

  it.each(CASES)('%s/%s throws on each missing variable it prints (strict mode)', (locale, name) => {
    const data = sample(locale)[name] as object as Record<string, unknown>;
    const keys = [...printed(source(locale, name))];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(Object.keys(data)).toContain(key);
      const { [key]: _dropped, ...without } = data;
      expect(() => renderer.render(locale, name, without as never)).toThrow(new RegExp(`"${key}" not defined|epoch milliseconds`));
    }
  });

  it('throws when a time is not epoch milliseconds', () => {
    const data = { ...sample('en')['sla-breached'], deadline: '2026-11-24 09:00' as unknown as number };
    expect(() => renderer.render('en', 'sla-breached', data)).toThrow(/epoch milliseconds/);
  });

  it('keeps the files on disk and TEMPLATE_NAMES in step: every .hbs has its twin in the other locale', () => {
    const notify = join(dir, 'notify');
    expect(readdirSync(notify).sort()).toEqual([...LOCALES].sort());
    const files = Object.fromEntries(LOCALES.map((l) => [l, readdirSync(join(notify, l)).sort()])) as Record<Locale, string[]>;
    expect(files['zh-CN']).toEqual(files.en);
    for (const locale of LOCALES) {
      expect({ locale, files: files[locale] }).toEqual({ locale, files: [...TEMPLATE_NAMES].map((n) => `${n}.hbs`).sort() });
    }
  });
});

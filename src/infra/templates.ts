import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { formatInZone } from '../domain/time';
import type { Locale } from '../shared/labels';

interface IncidentHeader {
  number: string;
  systemName: string;
  title: string;
}

interface EscalationHeader {
  incidentNumber: string;
  systemName: string;
  title: string;
}

interface ChangeHeader {
  changeNumber: string;
  systemName: string;
  title: string;
}

/** One typed data interface per template (STYLE.md 10); `strict` makes a missing variable an error. */
export interface TemplateData {
  'incident-opened': IncidentHeader & {
    priority: string;
    tierLabel: string;
    reportedAt: number;
    respondDue: number;
    onSiteDue: number;
    repairDue: number;
    assigneeName: string | null;
  };
  'incident-assigned': IncidentHeader & { assigneeName: string; stateLabel: string; repairDue: number };
  'sla-warning': IncidentHeader & {
    clockLabel: string;
    percent: number;
    deadline: number;
    stateLabel: string;
    assigneeName: string | null;
  };
  'sla-breached': IncidentHeader & { clockLabel: string; deadline: number; stateLabel: string; assigneeName: string | null };
  'incident-resolved': IncidentHeader & { cause: string; fix: string };
  'incident-reopened': IncidentHeader & { reason: string; repairDue: number };
  'incident-recovered': IncidentHeader & { alerts: string };
  'escalated-to-vendor': EscalationHeader & { level: number; reason: string; ackLink: string | null; linkTtlHours: number };
  'vendor-acknowledged': EscalationHeader & { acknowledgedBy: string; promisedOnSiteAt: number | null };
  'vendor-promise-missed': EscalationHeader & { acknowledgedBy: string; promisedOnSiteAt: number };
  'vendor-on-site': EscalationHeader & { arrivedBy: string; arrivedAt: number };
  'escalation-resolved': EscalationHeader;
  'escalation-cancelled': EscalationHeader;
  'escalation-no-contacts': EscalationHeader & { reason: string; detail: string };
  'contact-unreachable': { contactLabel: string; originalTitle: string; tried: string };
  'change-review-requested': ChangeHeader & { riskLabel: string; revision: number; dueAt: number | null; reminder: boolean; escalated: boolean };
  'change-review-decided': ChangeHeader & { decisionLabel: string; revision: number; comment: string | null };
  'modification-notice': {
    modificationNumber: string;
    systemName: string;
    title: string;
    breached: boolean;
    ending: boolean;
    percent: number;
    deadline: number | null;
  };
  /** S8: the monthly service report is published (to the IT department). */
  'monthly-report-published': { month: string; title: string; incidents: number; breaches: number; respondRate: string; publishedBy: string; link: string };
  /** S1: recurring faults proposed a problem record. */
  'problem-proposed': { number: string; systemName: string; title: string; summary: string; incidents: string; link: string };
  /** S6: a support request's clock warns or ran out. */
  'support-clock': {
    number: string;
    systemName: string;
    title: string;
    typeLabel: string;
    dueAt: number;
    percent: number;
    breached: boolean;
    assigneeName: string | null;
    link: string;
  };
  /** S15: a state change of a record, posted back as a comment on the hospital's project-management platform. */
  'pm-progress': {
    kindLabel: string;
    number: string;
    eventLabel: string;
    stateLabel: string;
    opened: boolean;
    actorName: string | null;
    at: number;
    cause: string | null;
    fix: string | null;
    note: string | null;
    deadline: number | null;
    deadlineLabel: string | null;
  };
  /** S15: a status set on the platform that Wardline's process does not take, and what was done about it. */
  'pm-conflict': {
    kindLabel: string;
    number: string;
    author: string;
    at: number;
    platformStatus: string;
    stateLabel: string;
    commandLabel: string | null;
    restore: string | null;
  };
}
export type TemplateName = keyof TemplateData;
export const TEMPLATE_NAMES: TemplateName[] = [
  'incident-opened',
  'incident-assigned',
  'sla-warning',
  'sla-breached',
  'incident-resolved',
  'incident-reopened',
  'incident-recovered',
  'escalated-to-vendor',
  'vendor-acknowledged',
  'vendor-promise-missed',
  'vendor-on-site',
  'escalation-resolved',
  'escalation-cancelled',
  'escalation-no-contacts',
  'contact-unreachable',
  'change-review-requested',
  'change-review-decided',
  'modification-notice',
  'monthly-report-published',
  'problem-proposed',
  'support-clock',
  'pm-progress',
  'pm-conflict',
];

export interface RenderedMessage {
  title: string;
  body: string;
}

/** `templates/` at the repository root, from the sources (tests) or from the compiled `dist/src` tree. */
export function defaultTemplatesDir(): string {
  const candidates = [join(__dirname, '..', '..', 'templates'), join(__dirname, '..', '..', '..', 'templates')];
  const found = candidates.find((dir) => existsSync(join(dir, 'notify')));
  if (!found) throw new Error(`templates/ not found near ${__dirname}`);
  return found;
}

/** Compiles every template once; renders in activities only, never in workflows. */
export class TemplateRenderer {
  private readonly compiled = new Map<string, HandlebarsTemplateDelegate>();
  private readonly hbs = Handlebars.create();

  constructor(
    private readonly dir: string,
    utcOffsetMinutes: number,
  ) {
    this.hbs.registerHelper('time', (ms: unknown) => {
      if (typeof ms !== 'number') throw new Error(`time helper needs epoch milliseconds, got ${String(ms)}`);
      return formatInZone(ms, utcOffsetMinutes).replace('T', ' ').slice(0, 16);
    });
  }

  render<N extends TemplateName>(locale: Locale, name: N, data: TemplateData[N]): RenderedMessage {
    const key = `${locale}/${name}`;
    let template = this.compiled.get(key);
    if (!template) {
      const source = readFileSync(join(this.dir, 'notify', locale, `${name}.hbs`), 'utf8');
      template = this.hbs.compile(source, { strict: true, noEscape: true });
      this.compiled.set(key, template);
    }
    const text = template(data).trim();
    const [title, ...rest] = text.split('\n');
    return { title, body: rest.join('\n') };
  }
}

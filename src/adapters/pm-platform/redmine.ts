import type { PmCatalog } from '../../domain/pm-platform/mapping';
import { DEFAULT_HTTP_TIMEOUT_MS, httpRequest, JSON_HEADERS, parseJson } from '../notify/http';
import { PmChange, PmChanges, PmCursor, PmDelivery, PmItem, PmJournal, PmPerson, PmPlatform, PmPlatformError, PmProgress, progressMarker } from './port';

export interface RedmineConfig {
  /** e.g. https://redmine.hospital.example (a sub-path install keeps its path). */
  baseUrl: string;
  /** The project's identifier (or numeric id) holding the fault reports and requirements. */
  project: string;
  /** The API key of the account Wardline acts as (My account → API access key). */
  apiKey: string;
  timeoutMs?: number;
}

interface Named {
  id: number;
  name: string;
}

interface RedmineJournal {
  id: number;
  user?: Named;
  notes?: string | null;
  created_on: string;
  details?: { property: string; name: string; old_value?: string | null; new_value?: string | null }[];
}

interface RedmineIssue {
  id: number;
  tracker: Named;
  status: Named;
  priority?: Named;
  author?: Named;
  subject: string;
  description?: string | null;
  created_on: string;
  updated_on: string;
  custom_fields?: { id: number; name: string; value: unknown }[];
  journals?: RedmineJournal[];
}

interface Vocabulary {
  trackers: Named[];
  statuses: Named[];
  priorities: Named[];
  fields: Named[];
}

const PAGE = 100;
const ATTRIBUTES: Record<string, string> = { status_id: 'status', priority_id: 'priority', tracker_id: 'tracker', assigned_to_id: 'assignee' };

/**
 * Redmine's REST API (Redmine 4.2–5.x). Redmine has no webhooks, so changes are polled with
 * `updated_on>=cursor&status_id=*` (closed items too) and what people wrote is read from the journals.
 * Writes carry a marker line; before writing, the journals are searched for it, so a retry after a lost answer
 * never posts twice.
 */
export class RedmineAdapter implements PmPlatform {
  readonly kind = 'redmine' as const;
  private readonly base: string;
  private readonly timeoutMs: number;
  private vocabulary: Vocabulary | null = null;

  constructor(private readonly config: RedmineConfig) {
    this.base = config.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = config.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  }

  private get where(): string {
    return `Redmine ${this.base}`;
  }

  /** One JSON call; failures become PmPlatformErrors that say whether waiting can help. */
  private async call<T>(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<{ body: T; date: number | null }> {
    const outcome = await httpRequest({
      method,
      url: `${this.base}${path}`,
      headers: { ...JSON_HEADERS, 'x-redmine-api-key': this.config.apiKey },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.timeoutMs,
    });
    if (outcome.kind === 'network') throw new PmPlatformError('unavailable', `${this.where}: ${outcome.error}`);
    const { status, text } = outcome;
    const date = outcome.headers.get('date') ? Date.parse(outcome.headers.get('date')!) : null;
    if (status >= 200 && status < 300) return { body: (text ? parseJson(text) : null) as T, date };
    const errors = (parseJson(text) as { errors?: string[] } | undefined)?.errors;
    const detail = errors?.length ? errors.join('; ') : text.slice(0, 200);
    if (status === 401) throw new PmPlatformError('auth', `${this.where}: the API key was refused (is the REST API enabled?)`);
    if (status === 403) throw new PmPlatformError('auth', `${this.where}: the account may not ${method} ${path}`);
    if (status === 404) throw new PmPlatformError('not_found', `${this.where}: ${path} not found`);
    if (status === 408 || status === 429 || status >= 500) throw new PmPlatformError('unavailable', `${this.where}: HTTP ${status} ${detail}`.trim());
    throw new PmPlatformError('rejected', `${this.where}: HTTP ${status} ${detail}`.trim());
  }

  private async words(): Promise<Vocabulary> {
    if (this.vocabulary) return this.vocabulary;
    const project = encodeURIComponent(this.config.project);
    const [p, s, pr] = await Promise.all([
      this.call<{ project: { trackers?: Named[]; issue_custom_fields?: Named[] } }>('GET', `/projects/${project}.json?include=trackers,issue_custom_fields`),
      this.call<{ issue_statuses: Named[] }>('GET', '/issue_statuses.json'),
      this.call<{ issue_priorities: Named[] }>('GET', '/enumerations/issue_priorities.json'),
    ]).catch((err: unknown) => {
      if (err instanceof PmPlatformError && err.kind === 'not_found') {
        throw new PmPlatformError('config', `${this.where} has no project "${this.config.project}" that this account can see`);
      }
      throw err;
    });
    // A field "for all projects" is not listed with the project; administrators can list every field.
    const everyField = await this.call<{ custom_fields: (Named & { customized_type: string })[] }>('GET', '/custom_fields.json').then(
      (r) => r.body.custom_fields.filter((f) => f.customized_type === 'issue'),
      (err: unknown) => {
        if (err instanceof PmPlatformError && err.kind === 'auth') return [];
        throw err;
      },
    );
    const fields = [...(p.body.project.issue_custom_fields ?? [])];
    for (const f of everyField) if (!fields.some((x) => x.id === f.id)) fields.push({ id: f.id, name: f.name });
    this.vocabulary = {
      trackers: p.body.project.trackers ?? [],
      fields,
      statuses: s.body.issue_statuses,
      priorities: pr.body.issue_priorities,
    };
    return this.vocabulary;
  }

  async catalog(): Promise<PmCatalog> {
    const v = await this.words();
    const names = (list: Named[]) => list.map((x) => x.name);
    return { trackers: names(v.trackers), statuses: names(v.statuses), priorities: names(v.priorities), fields: names(v.fields) };
  }

  /** The platform's clock (its HTTP Date), so a first cursor never depends on ours. */
  async now(): Promise<number> {
    const { date } = await this.call<unknown>('GET', '/users/current.json');
    return date ?? Date.now();
  }

  async self(): Promise<PmPerson> {
    const { body } = await this.call<{ user: { id: number; firstname: string; lastname: string; login: string } }>('GET', '/users/current.json');
    return { id: String(body.user.id), name: `${body.user.firstname} ${body.user.lastname}`.trim() || body.user.login };
  }

  async listChanged(cursor: PmCursor | null, limit: number): Promise<PmChanges> {
    const since = typeof cursor?.updatedOn === 'string' ? cursor.updatedOn : null;
    const found: RedmineIssue[] = [];
    let offset = 0;
    let total = 0;
    let more = false;
    // Timestamps have whole seconds and the filter is >=: the last second is read again next time (harmless, since
    // applying a change is keyed), and pages go on while the page is all that same second, so it cannot stall.
    for (;;) {
      const query = new URLSearchParams({
        project_id: this.config.project,
        status_id: '*',
        sort: 'updated_on,id',
        limit: String(PAGE),
        offset: String(offset),
      });
      if (since) query.set('updated_on', `>=${since}`);
      const { body } = await this.call<{ issues: RedmineIssue[]; total_count: number }>('GET', `/issues.json?${query.toString()}`);
      found.push(...body.issues);
      offset += body.issues.length;
      total = body.total_count;
      if (body.issues.length === 0 || offset >= body.total_count) break;
      const last = found[found.length - 1].updated_on;
      if (found.length >= limit && last !== since) {
        more = true;
        break;
      }
    }
    const items: PmItem[] = [];
    for (const issue of found) items.push(await this.get(String(issue.id)));
    const newest = found.reduce<string | null>((max, i) => (max === null || Date.parse(i.updated_on) > Date.parse(max) ? i.updated_on : max), since);
    return { items, cursor: { updatedOn: newest }, more, waiting: Math.max(0, total - offset) };
  }

  async get(externalId: string): Promise<PmItem> {
    const { body } = await this.call<{ issue: RedmineIssue }>('GET', `/issues/${encodeURIComponent(externalId)}.json?include=journals`);
    return this.toItem(body.issue, await this.words());
  }

  async comment(externalId: string, progress: Omit<PmProgress, 'status'>): Promise<PmDelivery> {
    return this.write(externalId, { ...progress, status: null });
  }

  async setStatus(externalId: string, progress: PmProgress): Promise<PmDelivery> {
    return this.write(externalId, progress);
  }

  async attachLink(externalId: string, link: { key: string; url: string; title: string }): Promise<PmDelivery> {
    return this.write(externalId, { key: link.key, text: `${link.title}：${link.url}`, status: null });
  }

  /** One journal with the note, the status and the fields; a status Redmine's workflow refuses is left out and reported. */
  private async write(externalId: string, progress: PmProgress): Promise<PmDelivery> {
    const marker = progressMarker(progress.key);
    const current = await this.get(externalId);
    if (current.journals.some((j) => j.notes?.includes(marker))) return { outcome: 'already', warnings: [] };
    const v = await this.words();
    const warnings: string[] = [];
    const issue: Record<string, unknown> = { notes: `${progress.text}\n\n${marker}` };
    if (progress.status !== null && progress.status !== current.status) {
      const status = v.statuses.find((s) => s.name === progress.status);
      if (status) issue.status_id = status.id;
      else warnings.push(`no status "${progress.status}" in ${this.where}`);
    }
    const fields = Object.entries(progress.fields ?? {}).flatMap(([name, value]) => {
      const f = v.fields.find((x) => x.name === name);
      if (!f) warnings.push(`no custom field "${name}" in ${this.where}`);
      return f && current.fields[name] !== value ? [{ id: f.id, value }] : [];
    });
    if (fields.length) issue.custom_fields = fields;
    const path = `/issues/${encodeURIComponent(externalId)}.json`;
    try {
      await this.call('PUT', path, { issue });
    } catch (err) {
      if (!(err instanceof PmPlatformError) || err.kind !== 'rejected' || !('status_id' in issue)) throw err;
      // Redmine's workflow may forbid this transition for the account's role: the comment still goes, the refusal is shown.
      warnings.push(`${err.message} (status "${progress.status}" not allowed from "${current.status}")`);
      delete issue.status_id;
      await this.call('PUT', path, { issue });
    }
    return { outcome: 'sent', warnings };
  }

  private toItem(issue: RedmineIssue, v: Vocabulary): PmItem {
    const fields: Record<string, string | null> = {};
    for (const f of issue.custom_fields ?? []) fields[f.name] = f.value === null || f.value === undefined || f.value === '' ? null : String(f.value);
    const nameOf = (list: Named[], id: string | null | undefined) => (id === null || id === undefined ? null : (list.find((x) => String(x.id) === id)?.name ?? id));
    const journals: PmJournal[] = (issue.journals ?? []).map((j) => ({
      id: String(j.id),
      author: { id: String(j.user?.id ?? ''), name: j.user?.name ?? '' },
      at: Date.parse(j.created_on),
      notes: j.notes ? j.notes : null,
      changes: (j.details ?? []).map((d): PmChange => {
        if (d.property === 'attr' && ATTRIBUTES[d.name]) {
          const field = ATTRIBUTES[d.name];
          const list = field === 'status' ? v.statuses : field === 'priority' ? v.priorities : field === 'tracker' ? v.trackers : [];
          return { field, from: nameOf(list, d.old_value), to: nameOf(list, d.new_value) };
        }
        if (d.property === 'cf') {
          const f = v.fields.find((x) => String(x.id) === d.name);
          return { field: f ? `cf:${f.name}` : `cf:${d.name}`, from: d.old_value ?? null, to: d.new_value ?? null };
        }
        return { field: d.name, from: d.old_value ?? null, to: d.new_value ?? null };
      }),
    }));
    return {
      externalId: String(issue.id),
      url: `${this.base}/issues/${issue.id}`,
      tracker: issue.tracker.name,
      status: issue.status.name,
      priority: issue.priority?.name ?? null,
      title: issue.subject,
      description: issue.description ?? '',
      author: { id: String(issue.author?.id ?? ''), name: issue.author?.name ?? '' },
      createdAt: Date.parse(issue.created_on),
      updatedAt: Date.parse(issue.updated_on),
      fields,
      journals: journals.sort((a, b) => Number(a.id) - Number(b.id)),
    };
  }
}

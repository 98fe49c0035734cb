import type { PmCatalog } from '../../domain/pm-platform/mapping';

/**
 * The port to a hospital's project-management platform (S15): its fault reports (缺陷/报障) and requirements (需求)
 * come in, Wardline's progress goes back. One adapter per kind of platform: Redmine's REST API (polled), and a
 * generic signed webhook for platforms that push (禅道 and home-grown ones).
 */
export interface PmPerson {
  id: string;
  name: string;
}

/** One field change in a journal, with the platform's own names (status and priority by name, not id). */
export interface PmChange {
  field: string;
  from: string | null;
  to: string | null;
}

/** What someone did to an item at one moment: a comment, field changes, or both. Ids increase with time. */
export interface PmJournal {
  id: string;
  author: PmPerson;
  at: number;
  notes: string | null;
  changes: PmChange[];
}

export interface PmItem {
  externalId: string;
  /** Where people open it on the platform. */
  url: string | null;
  tracker: string;
  status: string;
  priority: string | null;
  title: string;
  description: string;
  author: PmPerson;
  createdAt: number;
  updatedAt: number;
  /** Custom fields by name. */
  fields: Record<string, string | null>;
  journals: PmJournal[];
}

/** Where the next poll starts; JSON the adapter alone understands, kept by the integration's workflow. */
export type PmCursor = Record<string, string | number | null>;

export interface PmChanges {
  items: PmItem[];
  cursor: PmCursor;
  /** More changed items wait beyond this page. */
  more: boolean;
  /** How many changed items wait beyond this page, when the platform says (Redmine's total_count). */
  waiting: number | null;
}

/** One piece of progress, delivered at most once per key: a retry after an unclear failure finds the first. */
export interface PmProgress {
  key: string;
  /** zh-CN text, from a template. */
  text: string;
  /** The platform status to set with it, or null to leave it. */
  status: string | null;
  /** Custom fields to set with it (e.g. Wardline's number). */
  fields?: Record<string, string>;
}

export interface PmDelivery {
  /** `sent` now, or `already` there from an earlier attempt. */
  outcome: 'sent' | 'already';
  /** What the platform would not take (a status its workflow forbids), delivered without it. */
  warnings: string[];
}

export interface PmPlatform {
  readonly kind: 'redmine' | 'webhook';
  /** Trackers, statuses, priorities and custom fields, to check a mapping against at setup. */
  catalog(): Promise<PmCatalog>;
  /** The account Wardline acts as: its journals are Wardline's own progress, not the hospital's. */
  self(): Promise<PmPerson | null>;
  /** Items created or changed since the cursor, oldest first, with their journals. */
  listChanged(cursor: PmCursor | null, limit: number): Promise<PmChanges>;
  get(externalId: string): Promise<PmItem>;
  comment(externalId: string, progress: Omit<PmProgress, 'status'>): Promise<PmDelivery>;
  /** Moves the status, with the comment that says why, as one change on the platform. */
  setStatus(externalId: string, progress: PmProgress): Promise<PmDelivery>;
  attachLink(externalId: string, link: { key: string; url: string; title: string }): Promise<PmDelivery>;
}

export type PmErrorKind = 'unavailable' | 'auth' | 'not_found' | 'rejected' | 'config';

/**
 * A failure talking to the platform. `unavailable` (network, timeout, 408, 429, 5xx) may pass and is retried;
 * the others will not fix themselves and are shown to people instead.
 */
export class PmPlatformError extends Error {
  constructor(
    readonly kind: PmErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PmPlatformError';
  }

  get retryable(): boolean {
    return this.kind === 'unavailable';
  }
}

/** The line a delivery carries so a later attempt can find it: `[wl:<key>]`. */
export function progressMarker(key: string): string {
  return `[wl:${key}]`;
}

import type { ChangeDecision, ChangeView } from '../change-process';
import type { IncidentView, TimelineEvent } from '../incident-process';
import type { ModificationEvent, ModificationView } from '../modification';
import type { RecordSourceKind } from './record';

/**
 * The content of a maintenance record (S14): 问题 (problem)、处理过程 (process)、原因 (cause)、结果 (result), who
 * and when, and the SLA outcome. Built from the process's projection at the moment the work finished; a
 * correction replaces the texts and keeps the facts (who, when, the clocks) unless the vendor says otherwise.
 */
export interface SlaOutcome {
  /** Each clock's deadline and whether it was met (incidents); the delivery clock (modifications). */
  clocks: { kind: string; deadline: number | null; metAt: number | null; breached: boolean }[];
  breached: boolean;
}

export interface RecordContent {
  sourceKind: RecordSourceKind;
  sourceId: string;
  sourceNumber: string;
  /** The timeline entry that finished the work: a reopened and resolved-again incident gets a new record. */
  sourceSeq: number;
  systemId: string;
  title: string;
  problem: string;
  process: string;
  cause: string;
  result: string;
  /** Who did the work and who asked for it. */
  performedBy: { id: string; name: string }[];
  requestedBy: { name: string; department: string | null } | null;
  startedAt: number;
  completedAt: number;
  sla: SlaOutcome;
  category: string | null;
  priority: string | null;
  tier: string | null;
  /** Set on a correction: what the vendor says changed. */
  correctionNote?: string;
}

const uniqueActors = (actors: ({ id: string; name: string } | null | undefined)[]) => {
  const seen = new Map<string, { id: string; name: string }>();
  for (const a of actors) if (a && a.id !== 'system' && !seen.has(a.id)) seen.set(a.id, { id: a.id, name: a.name });
  return [...seen.values()];
};

/** A resolved incident (P3, S12): the fault, what was done, the cause and the fix, with its three clocks. */
export function incidentRecordContent(v: IncidentView, e: TimelineEvent, timeline: { type: string; at: number; note: string | null; actor: { id: string; name: string } | null }[] = []): RecordContent {
  const r = v.resolution;
  const steps = timeline
    .filter((t) => ['acknowledged', 'acknowledge', 'arrive', 'on_site', 'escalated', 'reopen', 'assign', 'comment'].includes(t.type) && t.note)
    .map((t) => `${t.type}: ${t.note}`);
  return {
    sourceKind: 'incident',
    sourceId: v.incidentId,
    sourceNumber: v.number,
    sourceSeq: e.seq,
    systemId: v.systemId,
    title: v.title,
    problem: v.description,
    process: [r?.fix ?? '', ...steps].filter(Boolean).join('\n'),
    cause: r?.cause ?? '',
    result: '已修复 / resolved',
    performedBy: uniqueActors([r?.resolvedBy, v.assignee, e.actor]),
    requestedBy: { name: v.reporter.name, department: v.reporter.department },
    startedAt: v.reportedAt,
    completedAt: r?.resolvedAt ?? e.at,
    sla: {
      clocks: Object.values(v.clocks).map((c) => ({ kind: c.kind, deadline: c.deadline ?? null, metAt: c.stoppedAt ?? null, breached: c.breached })),
      breached: Object.values(v.clocks).some((c) => c.breached),
    },
    category: r?.category ?? null,
    priority: v.priority,
    tier: v.tier,
  };
}

/** An implemented change (S4): what the script did, by whom, in which window. */
export function changeRecordContent(v: ChangeView, d: ChangeDecision): RecordContent {
  const submitted = v.history.find((h) => h.action === 'submitted');
  return {
    sourceKind: 'change',
    sourceId: v.changeId,
    sourceNumber: v.number,
    sourceSeq: d.seq,
    systemId: v.systemId,
    title: v.title,
    problem: submitted?.comment ?? v.title,
    process: [`${v.kind} 变更，第 ${v.approvedRevision ?? v.currentRevision} 版脚本，风险 ${v.risk}`, d.comment ?? ''].filter(Boolean).join('\n'),
    cause: v.linkedIncidentId ? `关联故障 ${v.linkedIncidentId}` : '',
    result: '已实施 / implemented',
    performedBy: uniqueActors([d.actor, v.implementer]),
    requestedBy: v.submittedBy ? { name: v.submittedBy.name, department: null } : null,
    startedAt: submitted?.at ?? d.at,
    completedAt: d.at,
    sla: { clocks: [{ kind: 'window', deadline: v.window.end, metAt: d.at, breached: d.at > v.window.end }], breached: d.at > v.window.end },
    category: v.kind,
    priority: null,
    tier: null,
  };
}

/** A delivered modification (S3, S11): what was asked, delivered, against the 7-day delivery clock. */
export function modificationRecordContent(v: ModificationView, e: ModificationEvent): RecordContent {
  return {
    sourceKind: 'modification',
    sourceId: v.modificationId,
    sourceNumber: v.number,
    sourceSeq: e.seq,
    systemId: v.systemId,
    title: v.title,
    problem: v.description ?? v.title,
    process: e.note ?? '',
    cause: v.type,
    result: '已交付上线 / delivered',
    performedBy: uniqueActors([e.actor]),
    requestedBy: v.department ? { name: v.submittedBy?.name ?? '', department: v.department } : null,
    startedAt: v.submittedAt ?? e.at,
    completedAt: e.at,
    sla: { clocks: [{ kind: 'delivery', deadline: v.delivery.deadline, metAt: e.at, breached: v.delivery.breached }], breached: v.delivery.breached },
    category: v.type,
    priority: null,
    tier: null,
  };
}

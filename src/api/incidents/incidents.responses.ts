import { list, nullable, obj, page, strings } from '../common/schemas';

const actor = obj({ id: 'string', name: 'string' });
const clock = obj({
  state: 'string',
  basis: 'string',
  policyVersion: 'integer',
  budgetMinutes: 'number',
  deadline: 'date-time?',
  elapsedMinutes: 'integer',
  remainingMinutes: 'integer',
  breached: 'boolean',
  breachedAt: 'date-time?',
  stoppedAt: 'date-time?',
  pauses: list(obj({ from: 'date-time', to: 'date-time?', reason: 'string' })),
});
const deadlines = obj({ respond: 'date-time?', onSite: 'date-time?', repair: 'date-time?' });

/** What an action on an incident answers: its state now, what may follow, its clocks (P3, S10). */
export const INCIDENT_VIEW = obj(
  {
    id: 'uuid',
    number: 'string',
    systemId: 'uuid',
    systemName: 'string',
    title: 'string',
    state: 'string',
    priority: 'string',
    tier: 'string',
    channel: 'string',
    reportedAt: 'date-time',
    assignee: nullable(actor),
    allowedActions: strings,
    breached: 'boolean',
    deadlines,
    clocks: { type: 'object', additionalProperties: clock },
    resolution: nullable({ type: 'object' }),
    cancelReason: 'string?',
  },
  '工单当前状态 / the incident as its workflow sees it',
);

const row = obj({
  id: 'uuid',
  number: 'string',
  systemId: 'uuid',
  title: 'string',
  description: 'string',
  reporter: obj({ name: 'string', department: 'string', phone: 'string?' }),
  state: 'string',
  priority: 'string',
  tier: 'string',
  channel: 'string',
  reportedAt: 'date-time',
  openedBy: actor,
  assignee: nullable(actor),
  deadlines,
  milestones: { type: 'object', additionalProperties: { type: 'string', format: 'date-time', nullable: true } },
  breached: 'boolean',
  breachedClocks: strings,
  resolution: nullable({ type: 'object' }),
  cancelReason: 'string?',
  policyVersion: 'integer',
});

export const INCIDENT_PAGE = page(row);
export const INCIDENT_DETAIL = {
  ...row,
  properties: {
    ...row.properties,
    affectedSystems: list(obj({ name: 'string', displayName: 'string', path: list({ type: 'object' }) })),
    revenuePerHourAtStake: { type: 'number', nullable: true },
    outage: { type: 'boolean', description: '计为业务停机 / counted as an outage of its system (S9)' },
    clocks: { type: 'object', additionalProperties: clock },
    timeline: list(obj({ seq: 'integer', type: 'string', actor: nullable(actor), at: 'date-time', from: 'string?', to: 'string', text: 'string', textEn: 'string', note: 'string?', data: 'object' })),
    // Issue 16: the console offers exactly the actions the caller may take now (the workflow's own list).
    allowedActions: { ...strings, description: '当前登录者此刻可执行的操作 / what the caller may do now' },
    pauseRequest: nullable(obj({ by: actor, reason: 'string', at: 'date-time' })),
  },
};

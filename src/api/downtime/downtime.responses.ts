import { list, nullable, obj } from '../common/schemas';

const incident = obj({
  incidentId: 'uuid',
  number: 'string',
  title: 'string',
  originSystemCode: 'string',
  shared: 'boolean',
  start: 'date-time',
  end: 'date-time',
  ongoing: 'boolean',
});

/** S9: per business system, merged outage intervals, hours, revenue per hour and at stake, and the incidents behind them. */
export const DOWNTIME_REPORT = obj({
  from: 'date-time',
  to: 'date-time',
  systems: list(
    obj({
      systemId: 'uuid',
      code: 'string',
      name: 'string',
      intervals: list(obj({ start: 'date-time', end: 'date-time', hours: 'number', incidents: list({ type: 'string' }) })),
      hours: 'number',
      revenuePerHour: nullable({ type: 'number' }),
      revenueAtStake: nullable({ type: 'number' }),
      incidents: list(incident),
    }),
  ),
  totals: obj({ systems: 'integer', incidents: 'integer', systemHours: 'number', revenueAtStake: 'number', systemsWithoutRevenue: 'integer' }),
});

export const OUTAGE_FLAG = obj({
  incident: 'string',
  outage: 'boolean',
  startedAt: 'date-time?',
  note: nullable({ type: 'string' }),
  setBy: nullable(obj({ id: 'string', name: 'string' })),
  setAt: 'date-time?',
});

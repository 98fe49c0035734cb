import { RequestHandler, json } from 'express';
import { MetricsService } from '../monitoring/metrics.service';
import { sourceOfPath } from './alert-intake.controller';

/** A monitoring source never needs more for one message; a bigger body is a 413, counted as rejected. */
export const ALERT_BODY_LIMIT = '1mb';

/**
 * The alert routes' own JSON parser, mounted before the general one (10 MB for CMDB imports): it reads at most 1 MB,
 * and the general parser then leaves the parsed body alone.
 */
export function alertBodyParser(metrics: MetricsService): RequestHandler {
  const parse = json({ limit: ALERT_BODY_LIMIT });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (err) metrics.alertsReceived.inc({ source: sourceOfPath(req.path), outcome: 'rejected' });
      next(err);
    });
}

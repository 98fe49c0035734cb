import type { AlertIncidentGateway } from '../persistence/alerts/alert-intake';
import { ALERT_GROUP_SIGNAL_NAME } from '../shared/alert-messages';
import { IntakeDeps, openIncident } from './incidents';
import { enqueue } from './outbox';

/**
 * The alert intake's way to open incidents and tell them (P3, issue 11): the same intake as POST /incidents, inside the
 * alert group's transaction, so the group's rows, the incident and its outbox entry commit together; a change of the
 * group is one signal entry in the outbox, carried out in order per workflow by the dispatcher.
 */
export function alertIncidentGateway(deps: IntakeDeps): AlertIncidentGateway {
  return {
    async open(tx, report) {
      const opened = await openIncident(deps, report, { tx });
      return { incidentId: opened.incidentId, number: opened.number };
    },
    async signal(tx, workflowId, change) {
      await enqueue(tx, { operation: 'signal', workflowId, name: ALERT_GROUP_SIGNAL_NAME, args: [change] });
    },
  };
}

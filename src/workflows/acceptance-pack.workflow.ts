import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createEvidenceActivities } from '../activities/evidence/evidence.activities';
import { PackDecision, PackState, validatePackDecision } from '../domain/evidence/acceptance';
import { AcceptancePackInput, acceptancePackDecisionUpdate, acceptancePackStateQuery } from '../shared/evidence-messages';
import { PROJECTION_ACTIVITY_OPTIONS, asFailure } from './domain-failure';

type Acts = ReturnType<typeof createEvidenceActivities>;
const { failAcceptancePack, decideAcceptancePack } = proxyActivities<Acts>(PROJECTION_ACTIVITY_OPTIONS);
// Chromium renders the summary; a stuck browser is retried, a pack that cannot be built is marked failed.
const { buildAcceptancePack } = proxyActivities<Acts>({ startToCloseTimeout: '10 minutes', retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 } });

/**
 * One acceptance pack (S17): built once (its bytes are stored with their SHA-256), then it waits for the hospital's
 * IT manager to accept or reject it; the decision is an Update whose validator refuses anyone else and any second
 * decision, and is stored before the Update answers. An accepted pack of the contract's period makes the 60 %
 * milestone due (S18).
 */
export async function acceptancePackWorkflow(input: AcceptancePackInput): Promise<PackState> {
  let state: PackState = 'building';
  let decided: PackDecision['decision'] | null = null;
  setHandler(acceptancePackStateQuery, () => state);
  setHandler(
    acceptancePackDecisionUpdate,
    async (d) => {
      decided = d.decision;
      await decideAcceptancePack({ packId: input.packId, decision: d.decision, note: d.note, actor: { id: d.actor.id, name: d.actor.name }, at: Date.now() });
      state = d.decision === 'accept' ? 'accepted' : 'rejected';
      return state;
    },
    { validator: (d) => asFailure(() => validatePackDecision(decided === null ? state : decided === 'accept' ? 'accepted' : 'rejected', d)) },
  );
  try {
    await buildAcceptancePack({ packId: input.packId });
  } catch (err) {
    state = 'failed';
    await failAcceptancePack({ packId: input.packId, error: (err as Error).message });
    return state;
  }
  state = 'submitted';
  await condition(() => decided !== null && state !== 'submitted' && allHandlersFinished());
  return state;
}

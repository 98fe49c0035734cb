import { ApplicationFailure } from '@temporalio/common';
import { DataSource } from 'typeorm';
import type { PdfRenderer, ReportHtmlRenderer } from '../../adapters/reports';
import { markPackFailed, packScopeOf, storeBuiltPack, storePackDecision } from '../../persistence/evidence/acceptance-store';
import { renderAcceptancePack } from './acceptance-pack';

export interface EvidenceActivityDeps {
  dataSource: DataSource;
  utcOffsetMinutes: number;
  /** The shared renderers (one Chromium per process, started on the first PDF). */
  renderers: () => { html: ReportHtmlRenderer; pdf: PdfRenderer };
}

/** S17 (and S8): the activities of the evidence processes; thin, over persistence and the report renderer. */
export function createEvidenceActivities(deps: EvidenceActivityDeps) {
  const { dataSource: ds } = deps;
  return {
    async buildAcceptancePack(input: { packId: string }): Promise<{ zipSha256: string }> {
      const scope = await packScopeOf(ds, input.packId);
      if (!scope) throw ApplicationFailure.nonRetryable(`acceptance pack ${input.packId} has no row`, 'PACK_MISSING');
      const built = await renderAcceptancePack(ds, { ...scope }, deps.renderers(), deps.utcOffsetMinutes);
      await storeBuiltPack(ds, input.packId, built);
      return { zipSha256: built.zipSha256 };
    },

    async failAcceptancePack(input: { packId: string; error: string }): Promise<void> {
      await markPackFailed(ds, input.packId, input.error);
    },

    async decideAcceptancePack(input: { packId: string; decision: 'accept' | 'reject'; note: string | null; actor: { id: string; name: string }; at: number }): Promise<void> {
      await storePackDecision(ds, input.packId, input);
    },
  };
}

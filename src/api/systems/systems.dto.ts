import { BusinessSystemEntity } from '../../persistence/entities';

export function mapSystem(s: BusinessSystemEntity) {
  return { id: s.id, code: s.code, seq: s.seq, displayName: s.displayName, sourceName: s.sourceName, entryKind: s.entryKind, vendorName: s.vendorName, active: s.active };
}

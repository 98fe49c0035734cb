import { FieldProblem, ItemType, isItemType } from '../cmdb';
import { ALERT_SOURCES, AlertSource, NormalizedAlert } from './alert';

/**
 * Which configuration item an alert is about (P1, P3), by rules kept as data (`alert_mapping_rules`, edited through
 * the API) and tried in order; the first rule whose lookup finds an item wins. A rule may look the item up:
 * - `label_ref`: a label holds a CMDB reference (`server:his-db-01`, a system code `SYS-11`, or an item id);
 * - `label_ip`: a label holds a host (Prometheus `instance` 10.20.1.11:9100, Zabbix `host_ip`) matched against the
 *   items' `ip` attribute;
 * - `label_name`: a label holds an item's name (Zabbix `host`, a `job`), optionally of one item type;
 * - `item`: a fixed item, for alerts a rule's `match` singles out.
 * `match` narrows a rule to alerts whose labels fully match its regular expressions.
 */
export const LOOKUP_KINDS = ['label_ref', 'label_ip', 'label_name', 'item'] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

export interface MappingRule {
  id: string;
  position: number;
  enabled: boolean;
  /** Sources the rule applies to; empty means all. */
  sources: AlertSource[];
  /** label → regular expression the whole value must match. */
  match: Record<string, string>;
  kind: LookupKind;
  /** The label the lookup reads (all kinds but `item`). */
  label: string | null;
  /** `label_name`: only items of this type. */
  itemType: ItemType | null;
  /** `item`: the fixed item's reference. */
  itemRef: string | null;
}

export type Lookup =
  | { ruleId: string; by: 'ref'; ref: string }
  | { ruleId: string; by: 'ip'; ip: string }
  | { ruleId: string; by: 'name'; name: string; itemType: ItemType | null };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The host of `10.1.2.3:9100`, `http://10.1.2.3:8080/metrics` or `10.1.2.3`, when it is an IPv4 address. */
export function ipOf(value: string): string | null {
  let host = value.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(host);
  if (scheme) host = host.slice(scheme[0].length).split('/')[0];
  host = host.replace(/:\d+$/, '');
  return IPV4.test(host) ? host : null;
}

function matches(rule: MappingRule, alert: Pick<NormalizedAlert, 'source' | 'labels'>): boolean {
  if (!rule.enabled) return false;
  if (rule.sources.length && !rule.sources.includes(alert.source)) return false;
  for (const [label, pattern] of Object.entries(rule.match)) {
    const value = alert.labels[label];
    if (value === undefined || !new RegExp(`^(?:${pattern})$`).test(value)) return false;
  }
  return true;
}

/** The lookups to try for an alert (or a forecast's series), in rule order; each a question the CMDB answers with an item or nothing. */
export function lookupsFor(alert: Pick<NormalizedAlert, 'source' | 'labels'>, rules: readonly MappingRule[]): Lookup[] {
  const out: Lookup[] = [];
  for (const rule of [...rules].sort((a, b) => a.position - b.position)) {
    if (!matches(rule, alert)) continue;
    if (rule.kind === 'item') {
      if (rule.itemRef) out.push({ ruleId: rule.id, by: 'ref', ref: rule.itemRef });
      continue;
    }
    const value = rule.label ? alert.labels[rule.label] : undefined;
    if (value === undefined || value.trim() === '') continue;
    if (rule.kind === 'label_ref') out.push({ ruleId: rule.id, by: 'ref', ref: value.trim() });
    else if (rule.kind === 'label_ip') {
      const ip = ipOf(value);
      if (ip) out.push({ ruleId: rule.id, by: 'ip', ip });
    } else out.push({ ruleId: rule.id, by: 'name', name: value.trim(), itemType: rule.itemType });
  }
  return out;
}

export interface MappingRuleInput {
  position?: number;
  enabled?: boolean;
  sources?: string[];
  match?: Record<string, string>;
  kind: string;
  label?: string | null;
  itemType?: string | null;
  itemRef?: string | null;
}

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every problem with a rule, each naming its field; a rule the engine could misread is refused, not guessed at. */
export function mappingRuleProblems(input: MappingRuleInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!(LOOKUP_KINDS as readonly string[]).includes(input.kind)) problems.push({ field: 'kind', reason: `kind must be one of: ${LOOKUP_KINDS.join(', ')}` });
  for (const s of input.sources ?? []) {
    if (!(ALERT_SOURCES as readonly string[]).includes(s)) problems.push({ field: 'sources', reason: `unknown source ${s}; known: ${ALERT_SOURCES.join(', ')}` });
  }
  for (const [label, pattern] of Object.entries(input.match ?? {})) {
    if (!LABEL_NAME.test(label)) problems.push({ field: `match.${label}`, reason: 'a label name is letters, digits and underscores' });
    try {
      new RegExp(`^(?:${pattern})$`);
    } catch (err) {
      problems.push({ field: `match.${label}`, reason: `not a regular expression: ${(err as Error).message}` });
    }
  }
  if (input.kind === 'item') {
    if (!input.itemRef) problems.push({ field: 'itemRef', reason: 'an `item` rule names its item (an id, type:name or system code)' });
    if (input.label) problems.push({ field: 'label', reason: 'an `item` rule reads no label' });
  } else if ((LOOKUP_KINDS as readonly string[]).includes(input.kind)) {
    if (!input.label) problems.push({ field: 'label', reason: `a ${input.kind} rule names the label it reads` });
    else if (!LABEL_NAME.test(input.label)) problems.push({ field: 'label', reason: 'a label name is letters, digits and underscores' });
    if (input.itemRef) problems.push({ field: 'itemRef', reason: 'only an `item` rule names a fixed item' });
  }
  if (input.itemType !== undefined && input.itemType !== null) {
    if (input.kind !== 'label_name') problems.push({ field: 'itemType', reason: 'only a label_name rule narrows by item type' });
    else if (!isItemType(input.itemType)) problems.push({ field: 'itemType', reason: `unknown item type ${input.itemType}` });
  }
  return problems;
}

/**
 * CMDB model (P1): configuration item types with their attribute schemas as data, relation types with the item
 * types each may join, and the checks the API runs before anything reaches PostgreSQL.
 * "made_by" (vendor) and "owned_by" (department) are item columns, not relations: an item has at most one of each.
 */

export type AttributeKind = 'string' | 'integer' | 'number' | 'boolean' | 'ipv4' | 'enum';

export interface AttributeSpec {
  kind: AttributeKind;
  label: string;
  required?: boolean;
  values?: readonly string[];
}

export interface ItemTypeSpec {
  label: string;
  attributes: Record<string, AttributeSpec>;
}

const str = (label: string, required = false): AttributeSpec => ({ kind: 'string', label, required });
const int = (label: string): AttributeSpec => ({ kind: 'integer', label });
const num = (label: string): AttributeSpec => ({ kind: 'number', label });
const bool = (label: string): AttributeSpec => ({ kind: 'boolean', label });
const ip = (label: string): AttributeSpec => ({ kind: 'ipv4', label });
const oneOf = (label: string, values: readonly string[], required = false): AttributeSpec => ({ kind: 'enum', label, values, required });

export const ITEM_TYPES = {
  business_system: {
    label: '业务系统',
    attributes: { entryKind: oneOf('台账类别', ['system', 'service_fee', 'project']), url: str('访问地址'), users: int('用户数'), description: str('说明') },
  },
  application_module: {
    label: '应用模块',
    attributes: { language: str('开发语言'), version: str('版本'), port: int('端口'), url: str('访问地址') },
  },
  server: {
    label: '服务器',
    attributes: {
      os: str('操作系统', true),
      osVersion: str('系统版本'),
      ip: ip('IP 地址'),
      cpuCores: int('CPU 核数'),
      memoryGb: num('内存 (GB)'),
      virtual: bool('虚拟机'),
      rack: str('机柜位置'),
      // P5: how jobs and patching reach the server over SSH; unset environment counts as production (S4).
      osFamily: oneOf('系统家族', ['debian', 'rhel', 'windows']),
      environment: oneOf('环境', ['production', 'staging', 'test', 'development']),
      sshPort: int('SSH 端口'),
      sshCredential: str('SSH 凭据 (名称或 id)'),
      jumpHost: str('跳板机 (server:名称 或 id)'),
    },
  },
  database: {
    label: '数据库',
    attributes: {
      engine: oneOf('数据库类型', ['oracle', 'sqlserver', 'mysql', 'postgresql', 'dm', 'kingbase', 'db2', 'mongodb', 'other'], true),
      version: str('版本'),
      instance: str('实例名'),
      schema: str('模式 (schema)'),
      port: int('端口'),
      // P4/S16: how an inspection reaches the database, read-only; the host defaults to the server it runs on.
      host: ip('主机地址'),
      dbName: str('库名'),
      dbCredential: str('数据库凭据 (名称或 id)'),
    },
  },
  middleware: {
    label: '中间件',
    attributes: { product: str('产品', true), version: str('版本'), port: int('端口') },
  },
  network_device: {
    label: '网络设备',
    attributes: { kind: oneOf('设备类别', ['switch', 'router', 'firewall', 'load_balancer', 'wireless', 'other'], true), model: str('型号'), ip: ip('管理 IP'), ports: int('端口数') },
  },
  storage: {
    label: '存储',
    attributes: { kind: oneOf('存储类别', ['san', 'nas', 'das', 'object', 'other'], true), capacityTb: num('容量 (TB)'), model: str('型号') },
  },
  interface: {
    label: '系统接口',
    attributes: { protocol: oneOf('协议', ['hl7', 'fhir', 'webservice', 'rest', 'database_view', 'file', 'mq', 'other'], true), endpoint: str('地址'), direction: oneOf('方向', ['inbound', 'outbound', 'both']) },
  },
  backup_job: {
    label: '备份作业',
    attributes: {
      schedule: str('计划 (cron)', true),
      retentionDays: int('保留天数'),
      tool: str('备份工具'),
      target: str('备份目标'),
      // S5: written by the backup tool's hook or by hand; the inspection measures its age.
      lastSuccessAt: str('最近成功时间 (ISO 8601)'),
      realtime: bool('实时备份'),
    },
  },
} as const satisfies Record<string, ItemTypeSpec>;

export type ItemType = keyof typeof ITEM_TYPES;
export const ITEM_TYPE_NAMES = Object.keys(ITEM_TYPES) as ItemType[];
export const isItemType = (t: unknown): t is ItemType => typeof t === 'string' && Object.prototype.hasOwnProperty.call(ITEM_TYPES, t);

export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export const LIFECYCLE_STATUSES = ['planned', 'active', 'maintenance', 'retired'] as const;
export type Criticality = (typeof CRITICALITIES)[number];
export type LifecycleStatus = (typeof LIFECYCLE_STATUSES)[number];
export const CRITICALITY_LABELS: Record<Criticality, string> = { low: '低', medium: '中', high: '高', critical: '关键' };
export const STATUS_LABELS: Record<LifecycleStatus, string> = { planned: '规划中', active: '运行中', maintenance: '维护中', retired: '已退役' };

export interface FieldProblem {
  field: string;
  reason: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function checkValue(spec: AttributeSpec, value: unknown): string | null {
  switch (spec.kind) {
    case 'string':
      return typeof value === 'string' && value.length <= 1000 ? null : 'must be a string (at most 1000 characters)';
    case 'integer':
      return Number.isInteger(value) ? null : 'must be an integer';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'ipv4':
      return typeof value === 'string' && IPV4.test(value) ? null : 'must be an IPv4 address such as 10.1.2.3';
    case 'enum':
      return typeof value === 'string' && (spec.values ?? []).includes(value) ? null : `must be one of: ${(spec.values ?? []).join(', ')}`;
    default: {
      const unreachable: never = spec.kind;
      return `unknown attribute kind ${String(unreachable)}`;
    }
  }
}

/** Every problem with an item's attributes, each naming its field (`attributes.os`): unknown, wrong type, missing. */
export function validateAttributes(type: ItemType, attributes: unknown): FieldProblem[] {
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
    return [{ field: 'attributes', reason: 'attributes must be an object' }];
  }
  const schema: Record<string, AttributeSpec> = ITEM_TYPES[type].attributes;
  const given = attributes as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const [name, value] of Object.entries(given)) {
    const spec = schema[name];
    if (!spec) {
      problems.push({ field: `attributes.${name}`, reason: `unknown attribute for ${type}; known: ${Object.keys(schema).join(', ')}` });
      continue;
    }
    const why = checkValue(spec, value);
    if (why) problems.push({ field: `attributes.${name}`, reason: `${name} ${why}` });
  }
  for (const [name, spec] of Object.entries(schema)) {
    if (spec.required && given[name] === undefined) problems.push({ field: `attributes.${name}`, reason: `${name} is required for ${type}` });
  }
  return problems;
}

/** A CSV or query-string text turned into the attribute's JSON value, or a reason it cannot be. */
export function parseAttributeText(type: ItemType, name: string, text: string): { value: unknown } | { reason: string } {
  const spec: AttributeSpec | undefined = (ITEM_TYPES[type].attributes as Record<string, AttributeSpec>)[name];
  if (!spec) return { reason: `unknown attribute for ${type}` };
  const t = text.trim();
  switch (spec.kind) {
    case 'integer':
    case 'number': {
      const n = Number(t);
      return t !== '' && Number.isFinite(n) ? { value: n } : { reason: `${name} must be a number` };
    }
    case 'boolean':
      if (['true', 'yes', '1', '是'].includes(t.toLowerCase())) return { value: true };
      if (['false', 'no', '0', '否'].includes(t.toLowerCase())) return { value: false };
      return { reason: `${name} must be true or false` };
    default:
      return { value: t };
  }
}

export interface RelationTypeSpec {
  label: string;
  /** Source depends on target: walked by impact analysis and kept acyclic. */
  dependency: boolean;
  sources: readonly ItemType[];
  targets: readonly ItemType[];
}

const ALL = ITEM_TYPE_NAMES;

export const RELATION_TYPES = {
  runs_on: {
    label: '运行于',
    dependency: true,
    sources: ['business_system', 'application_module', 'database', 'middleware', 'interface', 'backup_job', 'server'],
    targets: ['server'],
  },
  depends_on: { label: '依赖', dependency: true, sources: ALL, targets: ALL },
  uses_database: { label: '使用数据库', dependency: true, sources: ['business_system', 'application_module', 'interface', 'middleware'], targets: ['database'] },
  backed_up_by: { label: '备份于', dependency: true, sources: ['server', 'database', 'storage', 'business_system', 'application_module'], targets: ['backup_job'] },
  connects_to: { label: '连接', dependency: false, sources: ['server', 'network_device', 'storage'], targets: ['server', 'network_device', 'storage'] },
  interfaces_with: {
    label: '接口对接',
    dependency: false,
    sources: ['business_system', 'application_module', 'interface'],
    targets: ['business_system', 'application_module', 'interface'],
  },
} as const satisfies Record<string, RelationTypeSpec>;

export type RelationType = keyof typeof RELATION_TYPES;
export const RELATION_TYPE_NAMES = Object.keys(RELATION_TYPES) as RelationType[];
export const DEPENDENCY_RELATIONS = RELATION_TYPE_NAMES.filter((t) => RELATION_TYPES[t].dependency);
export const isRelationType = (t: unknown): t is RelationType => typeof t === 'string' && Object.prototype.hasOwnProperty.call(RELATION_TYPES, t);

/** Why a relation of this type may not join these item types, or null when it may. */
export function relationEndsProblem(type: RelationType, sourceType: ItemType, targetType: ItemType): FieldProblem | null {
  const spec: RelationTypeSpec = RELATION_TYPES[type];
  if (!spec.sources.includes(sourceType)) return { field: 'sourceId', reason: `${type} cannot start at a ${sourceType}; allowed sources: ${spec.sources.join(', ')}` };
  if (!spec.targets.includes(targetType)) return { field: 'targetId', reason: `${type} cannot point at a ${targetType}; allowed targets: ${spec.targets.join(', ')}` };
  return null;
}

import { getMetadataStorage } from 'class-validator';

/**
 * zh-CN reasons for class-validator failures, one per constraint name; the English comes from class-validator (or
 * the DTO's own message). `args` are the decorator's constraints (e.g. Length's min and max).
 */
type Zh = (args: unknown[]) => string;

const list = (v: unknown) => (Array.isArray(v) ? v.join('、') : String(v));

const ZH: Record<string, Zh> = {
  isDefined: () => '必填',
  isNotEmpty: () => '不能为空',
  isString: () => '必须是字符串',
  isLength: ([min, max]) =>
    max === undefined
      ? `长度至少为 ${min} 个字符`
      : Number(min) === Number(max)
        ? `长度必须为 ${min} 个字符`
        : Number(min) === 0
          ? `长度不能超过 ${max} 个字符`
          : Number(min) === 1
            ? `长度须为 1–${max} 个字符（不能为空）`
            : `长度须为 ${min}–${max} 个字符`,
  minLength: ([min]) => `长度至少为 ${min} 个字符`,
  maxLength: ([max]) => `长度不能超过 ${max} 个字符`,
  isIn: ([values]) => `必须是以下之一：${list(values)}`,
  isEnum: () => '不是允许的取值',
  isInt: () => '必须是整数',
  isNumber: () => '必须是有限的数字',
  isPositive: () => '必须是正数',
  min: ([n]) => `不能小于 ${n}`,
  max: ([n]) => `不能大于 ${n}`,
  isBoolean: () => '必须是 true 或 false',
  isUuid: () => '必须是 UUID',
  isArray: () => '必须是列表',
  arrayMinSize: ([n]) => `至少需要 ${n} 项`,
  arrayMaxSize: ([n]) => `最多 ${n} 项`,
  arrayUnique: () => '不能有重复项',
  arrayNotEmpty: () => '不能为空列表',
  isEmail: () => '必须是电子邮件地址',
  matches: () => '格式不正确',
  isObject: () => '必须是对象',
  isNotEmptyObject: () => '不能为空对象',
  nestedValidation: () => '必须是对象',
  whitelistValidation: () => '不是可接受的字段（未知字段一律拒绝）',
  unknownValue: () => '取值无法识别',
  isDateString: () => '必须是日期时间',
  isIsoInstant: () => '必须是带时区的 ISO-8601 时间，例如 2026-11-27T09:30:00+08:00',
  isContactPhone: () => '必须是手机、座机（含区号或分机）、400/800 或院内号码',
  isContactEmail: () => '必须是电子邮件地址',
  isWebhookUrl: () => '必须是不含账号密码的 http(s) 地址',
  isRobotKey: () => '必须是由字母、数字、短横线或下划线组成的机器人密钥',
  isClockTime: () => '必须是 HH:MM 格式的时刻',
  isInsteadOfLists: () => '与 holidays + workdays 二选一，不能同时提供',
  noNul: () => '不能包含 NUL（\\u0000）字符',
  isStringMap: () => '必须是字符串键值对象（键名为字母、数字和下划线，条目数与长度受限）',
};

/** The decorator's constraints (e.g. [min, max]) for a failed constraint of `target`'s `property`, if known. */
function constraintArgs(target: unknown, property: string, constraint: string): unknown[] {
  const ctor = (target as { constructor?: unknown } | undefined)?.constructor;
  if (typeof ctor !== 'function' || ctor === Object || ctor === Array) return [];
  const metas = getMetadataStorage().getTargetValidationMetadatas(ctor, '', true, false);
  const found = metas.find((m) => m.propertyName === property && (m.name === constraint || m.type === constraint));
  return found?.constraints ?? [];
}

/** The zh-CN reason for one failed constraint, starting with the field's path. */
export function zhReason(field: string, constraint: string, target: unknown, property: string): string {
  const text = ZH[constraint]?.(constraintArgs(target, property, constraint)) ?? '取值无效';
  return `${field} ${text}`;
}

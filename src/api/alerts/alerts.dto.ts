import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
  ValidationArguments,
  ValidationOptions,
  registerDecorator,
} from 'class-validator';
import { ALERT_SOURCES, SEVERITIES } from '../../domain/alerts/alert';
import { LOOKUP_KINDS } from '../../domain/alerts/mapping';
import { MAP_CRITICALITIES } from '../../domain/alerts/priority';
import { ITEM_TYPE_NAMES } from '../../domain/cmdb';
import { PRIORITIES } from '../../domain/sla-policy';
import { IsIsoInstant } from '../common/validation';

/**
 * The payloads the monitoring sources send, field by field (P3): what is not what the source sends is refused with a
 * 400 naming the field, unknown fields included. Bounds keep one message from holding the intake up.
 */

const NO_NUL = /^[^\u0000]*$/;
const noNul = (field: string) => Matches(NO_NUL, { message: `${field} must not contain NUL characters` });

interface MapRules {
  maxEntries: number;
  maxValue: number;
  /** Prometheus label names; Zabbix tags are freer. */
  keys: RegExp;
  keyWords: string;
}

function mapProblem(value: unknown, rules: MapRules): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'must be an object of strings';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > rules.maxEntries) return `must have at most ${rules.maxEntries} entries`;
  for (const [k, v] of entries) {
    if (!rules.keys.test(k)) return `key ${JSON.stringify(k.slice(0, 60))} is not ${rules.keyWords}`;
    if (typeof v !== 'string') return `${k} must be a string`;
    if (v.length > rules.maxValue) return `${k} must be at most ${rules.maxValue} characters`;
    if (!NO_NUL.test(v)) return `${k} must not contain NUL characters`;
  }
  return null;
}

const LABELS: MapRules = { maxEntries: 64, maxValue: 2048, keys: /^[A-Za-z_][A-Za-z0-9_]{0,127}$/, keyWords: 'a label name (letters, digits, underscores)' };
const ANNOTATIONS: MapRules = { maxEntries: 64, maxValue: 16_384, keys: /^[A-Za-z_][A-Za-z0-9_]{0,127}$/, keyWords: 'an annotation name (letters, digits, underscores)' };

/** An object of string values with bounded keys and values; the message names the key at fault. */
function IsStringMap(rules: MapRules, options?: ValidationOptions): PropertyDecorator {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isStringMap',
      target: object.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => mapProblem(value, rules) === null,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} ${mapProblem(args?.value, rules)}`,
      },
    });
}

const STATUS = ['firing', 'resolved'] as const;

export class AlertmanagerAlertDto {
  @ApiProperty({ enum: STATUS }) @IsIn(STATUS, { message: 'status must be firing or resolved' }) status!: 'firing' | 'resolved';
  @ApiProperty({ example: { alertname: 'FilesystemAlmostFull', instance: '10.20.1.12:9100', severity: 'high' } }) @IsStringMap(LABELS) labels!: Record<string, string>;
  @ApiPropertyOptional() @IsOptional() @IsStringMap(ANNOTATIONS) annotations?: Record<string, string>;
  @ApiProperty({ example: '2026-11-30T02:00:00.123456789Z' }) @IsIsoInstant() startsAt!: string;
  @ApiPropertyOptional({ description: '0001-01-01T00:00:00Z while firing' }) @IsOptional() @IsIsoInstant() endsAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 4096) @noNul('generatorURL') generatorURL?: string;
  @ApiProperty({ example: 'a1b2c3d4e5f60718' }) @IsString() @Length(1, 128) @noNul('fingerprint') fingerprint!: string;
}

/** Alertmanager's webhook, version 4, exactly as it sends it. */
export class AlertmanagerWebhookDto {
  @ApiProperty({ enum: ['4'] }) @IsIn(['4'], { message: 'version must be "4" (Alertmanager webhook version 4)' }) version!: '4';
  @ApiProperty({ example: '{}:{alertname="FilesystemAlmostFull"}' }) @IsString() @Length(1, 8192) @noNul('groupKey') groupKey!: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) truncatedAlerts?: number;
  @ApiProperty({ enum: STATUS }) @IsIn(STATUS, { message: 'status must be firing or resolved' }) status!: 'firing' | 'resolved';
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 256) @noNul('receiver') receiver?: string;
  @ApiPropertyOptional() @IsOptional() @IsStringMap(LABELS) groupLabels?: Record<string, string>;
  @ApiPropertyOptional() @IsOptional() @IsStringMap(LABELS) commonLabels?: Record<string, string>;
  @ApiPropertyOptional() @IsOptional() @IsStringMap(ANNOTATIONS) commonAnnotations?: Record<string, string>;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 4096) @noNul('externalURL') externalURL?: string;
  @ApiProperty({ type: [AlertmanagerAlertDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'alerts must hold at least one alert' })
  @ArrayMaxSize(1000, { message: 'alerts must hold at most 1000 alerts (set max_alerts in alertmanager.yml)' })
  @ValidateNested({ each: true })
  @Type(() => AlertmanagerAlertDto)
  alerts!: AlertmanagerAlertDto[];
}

export class ZabbixTriggerDto {
  @ApiProperty({ example: '20013' }) @IsString() @Matches(/^\d{1,20}$/, { message: 'trigger.id must be a Zabbix id (digits)' }) id!: string;
  @ApiProperty({ example: 'Free disk space is less than 10% on volume /data' }) @IsString() @Length(1, 1024) @noNul('trigger.name') name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 16_384) @noNul('trigger.description') description?: string;
}

export class ZabbixHostDto {
  @ApiProperty({ example: 'his-db-01' }) @IsString() @Length(1, 256) @noNul('host.name') name!: string;
  @ApiPropertyOptional({ example: '10.20.2.11' }) @IsOptional() @IsString() @Length(0, 256) @noNul('host.ip') ip?: string;
}

export class ZabbixTagDto {
  @ApiProperty({ example: 'wardline_ci' }) @IsString() @Length(1, 256) @noNul('tag') tag!: string;
  @ApiProperty({ example: 'database:his-oracle' }) @IsString() @Length(0, 2048) @noNul('value') value!: string;
}

/** What Wardline's Zabbix webhook media type posts (monitoring/zabbix/wardline-media-type.yaml). */
export class ZabbixWebhookDto {
  @ApiProperty({ description: '{EVENT.ID}: the problem event, also in its recovery', example: '3417' })
  @IsString()
  @Matches(/^\d{1,20}$/, { message: 'eventId must be a Zabbix event id (digits)' })
  eventId!: string;
  @ApiProperty({ enum: ['PROBLEM', 'RESOLVED'], description: '{EVENT.STATUS}' })
  @IsIn(['PROBLEM', 'RESOLVED'], { message: 'status must be PROBLEM or RESOLVED ({EVENT.STATUS})' })
  status!: 'PROBLEM' | 'RESOLVED';
  @ApiProperty({ description: '{EVENT.SEVERITY}: Not classified, Information, Warning, Average, High, Disaster (or the site’s names)', example: 'High' })
  @IsString()
  @Length(1, 64)
  @noNul('severity')
  severity!: string;
  @ApiProperty({ type: ZabbixTriggerDto }) @ValidateNested() @Type(() => ZabbixTriggerDto) trigger!: ZabbixTriggerDto;
  @ApiProperty({ type: ZabbixHostDto }) @ValidateNested() @Type(() => ZabbixHostDto) host!: ZabbixHostDto;
  @ApiProperty({ description: 'from {EVENT.TIMESTAMP}', example: '2026-11-30T10:00:00+08:00' }) @IsIsoInstant() eventTime!: string;
  @ApiPropertyOptional({ description: '{EVENT.RECOVERY.ID}' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,20}$/, { message: 'recoveryEventId must be a Zabbix event id (digits)' })
  recoveryEventId?: string;
  @ApiPropertyOptional({ description: 'from {EVENT.RECOVERY.TIMESTAMP}' }) @IsOptional() @IsIsoInstant() recoveryTime?: string;
  @ApiPropertyOptional({ type: [ZabbixTagDto], description: '{EVENT.TAGSJSON}' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ZabbixTagDto)
  tags?: ZabbixTagDto[];
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 4096) @noNul('url') url?: string;
}

export class GenericAlertDto {
  @ApiPropertyOptional({ description: 'the sender’s id for this alert (its problem, not this message)' }) @IsOptional() @IsString() @Length(1, 256) @noNul('id') id?: string;
  @ApiProperty({ example: 'HL7QueueBacklog' }) @IsString() @Length(1, 256) @noNul('alertname') alertname!: string;
  @ApiProperty({ enum: STATUS }) @IsIn(STATUS, { message: 'status must be firing or resolved' }) status!: 'firing' | 'resolved';
  @ApiPropertyOptional({ description: 'critical, high, warning, info (other words are read as well as can be; unknown ones stay unknown)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @noNul('severity')
  severity?: string;
  @ApiPropertyOptional({ example: 'HL7 接口队列积压 / HL7 queue backlog' }) @IsOptional() @IsString() @Length(1, 1000) @noNul('summary') summary?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 16_384) @noNul('description') description?: string;
  @ApiPropertyOptional({ example: { wardline_ci: 'interface:his-lis-hl7', instance: '10.20.5.5:8080' } }) @IsOptional() @IsStringMap(LABELS) labels?: Record<string, string>;
  @ApiPropertyOptional() @IsOptional() @IsStringMap(ANNOTATIONS) annotations?: Record<string, string>;
  @ApiPropertyOptional({ description: 'the sender’s group; default: the mapped system plus alertname' }) @IsOptional() @IsString() @Length(1, 512) @noNul('group') group?: string;
  @ApiProperty({ example: '2026-11-30T10:00:00+08:00' }) @IsIsoInstant() startsAt!: string;
  @ApiPropertyOptional() @IsOptional() @IsIsoInstant() endsAt?: string;
}

/** Any sender that can post JSON: one or more alerts. */
export class GenericAlertsDto {
  @ApiProperty({ type: [GenericAlertDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'alerts must hold at least one alert' })
  @ArrayMaxSize(500, { message: 'alerts must hold at most 500 alerts' })
  @ValidateNested({ each: true })
  @Type(() => GenericAlertDto)
  alerts!: GenericAlertDto[];
}

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListAlertsQuery {
  @ApiPropertyOptional({ enum: STATUS }) @IsOptional() @IsIn(STATUS, { message: 'status must be firing or resolved' }) status?: 'firing' | 'resolved';
  @ApiPropertyOptional({ enum: ALERT_SOURCES }) @IsOptional() @IsIn(ALERT_SOURCES, { message: `source must be one of: ${ALERT_SOURCES.join(', ')}` }) source?: string;
  @ApiPropertyOptional({ description: 'configuration item: id, type:name or system code' }) @IsOptional() @IsString() @Length(1, 300) item?: string;
  @ApiPropertyOptional({ description: 'only alerts of groups that map to no item' }) @IsOptional() @Transform(toBool) @IsBoolean({ message: 'unmapped must be true or false' }) unmapped?: boolean;
  @ApiPropertyOptional() @IsOptional() @Transform(toInt) @IsInt({ message: 'limit must be an integer' }) @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional() @IsOptional() @Transform(toInt) @IsInt({ message: 'offset must be an integer' }) @Min(0) @Max(1_000_000) offset?: number;
}

export class MappingRuleDto {
  @ApiPropertyOptional({ description: 'rules are tried from the lowest position; default: after the last' }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) position?: number;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ enum: ALERT_SOURCES, isArray: true, description: 'empty: every source' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ALERT_SOURCES.length)
  @IsIn(ALERT_SOURCES, { each: true, message: `sources must be among: ${ALERT_SOURCES.join(', ')}` })
  sources?: string[];
  @ApiPropertyOptional({ description: 'label → regular expression the whole value must match', example: { job: 'lis-.*' } })
  @IsOptional()
  @IsStringMap({ maxEntries: 16, maxValue: 500, keys: LABELS.keys, keyWords: LABELS.keyWords })
  match?: Record<string, string>;
  @ApiProperty({ enum: LOOKUP_KINDS }) @IsIn(LOOKUP_KINDS, { message: `kind must be one of: ${LOOKUP_KINDS.join(', ')}` }) kind!: string;
  @ApiPropertyOptional({ example: 'wardline_ci' }) @IsOptional() @IsString() @Length(1, 128) label?: string;
  @ApiPropertyOptional({ enum: ITEM_TYPE_NAMES }) @IsOptional() @IsIn(ITEM_TYPE_NAMES, { message: `itemType must be one of: ${ITEM_TYPE_NAMES.join(', ')}` }) itemType?: string;
  @ApiPropertyOptional({ description: 'the fixed item of a kind=item rule' }) @IsOptional() @IsString() @Length(1, 300) @noNul('itemRef') itemRef?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 1000) @noNul('note') note?: string;
}

/** PATCH: any field of a rule; the merged rule is checked as a whole. */
export class UpdateMappingRuleDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(1_000_000) position?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ enum: ALERT_SOURCES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ALERT_SOURCES.length)
  @IsIn(ALERT_SOURCES, { each: true, message: `sources must be among: ${ALERT_SOURCES.join(', ')}` })
  sources?: string[];
  @ApiPropertyOptional() @IsOptional() @IsStringMap({ maxEntries: 16, maxValue: 500, keys: LABELS.keys, keyWords: LABELS.keyWords }) match?: Record<string, string>;
  @ApiPropertyOptional({ enum: LOOKUP_KINDS }) @IsOptional() @IsIn(LOOKUP_KINDS, { message: `kind must be one of: ${LOOKUP_KINDS.join(', ')}` }) kind?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 128) label?: string | null;
  @ApiPropertyOptional({ enum: ITEM_TYPE_NAMES }) @IsOptional() @IsIn(ITEM_TYPE_NAMES, { message: `itemType must be one of: ${ITEM_TYPE_NAMES.join(', ')}` }) itemType?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 300) @noNul('itemRef') itemRef?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 1000) @noNul('note') note?: string;
}

/** A dry run of the mapping: which item and system an alert with these labels would open its incident on. */
export class MappingProbeDto {
  @ApiProperty({ enum: ALERT_SOURCES }) @IsIn(ALERT_SOURCES, { message: `source must be one of: ${ALERT_SOURCES.join(', ')}` }) source!: string;
  @ApiProperty({ example: { instance: '10.20.1.12:9100', job: 'node' } }) @IsStringMap(LABELS) labels!: Record<string, string>;
}

export class PriorityCellDto {
  @ApiProperty({ enum: SEVERITIES }) @IsIn(SEVERITIES, { message: `severity must be one of: ${SEVERITIES.join(', ')}` }) severity!: string;
  @ApiProperty({ enum: MAP_CRITICALITIES }) @IsIn(MAP_CRITICALITIES, { message: `criticality must be one of: ${MAP_CRITICALITIES.join(', ')}` }) criticality!: string;
  @ApiProperty({ enum: PRIORITIES }) @IsIn(PRIORITIES, { message: `priority must be one of: ${PRIORITIES.join(', ')}` }) priority!: string;
}

/** The whole table, every severity × criticality once. */
export class PriorityMapDto {
  @ApiProperty({ type: [PriorityCellDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SEVERITIES.length * MAP_CRITICALITIES.length)
  @ValidateNested({ each: true })
  @Type(() => PriorityCellDto)
  cells!: PriorityCellDto[];
}

export class RuleIdParam {
  @IsUUID('all', { message: 'id must be a rule id (UUID)' }) id!: string;
}

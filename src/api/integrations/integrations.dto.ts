import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsWebhookUrl } from '../common/validation';

const NO_NUL = /^[^\u0000]*$/;
const noNul = (field: string) => Matches(NO_NUL, { message: `${field} must not contain NUL characters` });

export class RedmineSettingsDto {
  @ApiProperty({ example: 'https://redmine.hospital.example.cn', description: 'Redmine 地址 / where Redmine is reached from the worker' })
  @IsWebhookUrl()
  baseUrl!: string;
  @ApiProperty({ example: 'his', description: '项目标识 / the project identifier (or id) holding fault reports and requirements' })
  @IsString()
  @Length(1, 100)
  @noNul('project')
  project!: string;
  @ApiProperty({ description: 'API 密钥（加密保存，从不返回）/ the API key of the account Wardline acts as; stored sealed, never returned', writeOnly: true })
  @IsString()
  @Length(8, 200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'apiKey must be printable ASCII without spaces' })
  apiKey!: string;
}

export class WebhookSettingsDto {
  @ApiProperty({ example: 'https://pm.hospital.example.cn/wardline/progress', description: 'Wardline 回写进展的地址 / where Wardline POSTs signed progress' })
  @IsWebhookUrl()
  progressUrl!: string;
  @ApiProperty({ description: 'HMAC-SHA256 共享密钥（≥16 字符，加密保存，从不返回）/ shared HMAC-SHA256 secret, both directions; stored sealed, never returned', writeOnly: true })
  @IsString()
  @Length(16, 200)
  @noNul('secret')
  secret!: string;
  @ApiPropertyOptional({ default: 300, description: '事件 sentAt 与当前时间的容差（秒）/ how far sentAt may be from now, in seconds' })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(3600)
  toleranceSeconds?: number;
  @ApiPropertyOptional({ description: '平台记录 Wardline 回写操作时使用的作者 id（若会回推）/ the author id your platform gives changes made through Wardline’s calls, if it pushes them back' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @noNul('platformUserId')
  platformUserId?: string;
}

export class CreateIntegrationDto {
  @ApiProperty({ example: '院内 Redmine' }) @IsString() @Length(1, 100) @noNul('name') name!: string;
  @ApiProperty({ enum: ['redmine', 'webhook'] })
  @IsIn(['redmine', 'webhook'], { message: 'kind must be one of: redmine, webhook' })
  kind!: 'redmine' | 'webhook';
  @ApiPropertyOptional({ type: RedmineSettingsDto, description: 'kind = redmine' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RedmineSettingsDto)
  redmine?: RedmineSettingsDto;
  @ApiPropertyOptional({ type: WebhookSettingsDto, description: 'kind = webhook' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookSettingsDto)
  webhook?: WebhookSettingsDto;
  @ApiProperty({
    description:
      '字段与状态映射（见 README “接入项目管理平台”）/ field and status mapping: trackers, system, department, priorities, modificationType, numberField, outbound, inbound',
    example: {
      trackers: { fault: ['Bug'], requirement: ['Feature'] },
      system: { field: null, default: 'SYS-01' },
      department: { field: null, default: '信息科' },
      priorities: { map: { Immediate: 'P1', Urgent: 'P1', High: 'P2', Normal: 'P3', Low: 'P4' }, default: 'P3' },
      modificationType: 'improvement',
      numberField: 'Wardline No.',
      outbound: { incident: { acknowledged: 'In Progress', resolved: 'Resolved', closed: 'Closed', cancelled: 'Rejected' }, modification: { live: 'Resolved', accepted: 'Closed' } },
      inbound: { incident: { Rejected: 'cancel', Closed: 'confirm' }, modification: { Rejected: 'cancel', Closed: 'accept' } },
    },
  })
  @IsObject({ message: 'mapping must be an object' })
  mapping!: Record<string, unknown>;
  @ApiPropertyOptional({ default: 60, description: '轮询间隔（秒）/ seconds between polls' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  pollIntervalSeconds?: number;
}

class PersonDto {
  @ApiProperty() @IsString() @Length(1, 100) @noNul('id') id!: string;
  @ApiProperty() @IsString() @Length(1, 100) @noNul('name') name!: string;
}

class WebhookItemDto {
  @ApiProperty({ example: 'BUG-42', description: '平台内的编号 / the item’s id on the platform' }) @IsString() @Length(1, 100) @noNul('item.id') id!: string;
  @ApiProperty({ example: '缺陷', description: '类型（映射里的 tracker）/ its type, matched against mapping.trackers' }) @IsString() @Length(1, 100) @noNul('item.type') type!: string;
  @ApiProperty({ example: '检验报告打印乱码' }) @IsString() @Length(1, 500) @noNul('item.title') title!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 20000) @noNul('item.description') description?: string;
  @ApiProperty({ example: '激活' }) @IsString() @Length(1, 100) @noNul('item.status') status!: string;
  @ApiPropertyOptional({ example: '1' }) @IsOptional() @IsString() @Length(1, 100) @noNul('item.priority') priority?: string;
  @ApiPropertyOptional() @IsOptional() @IsWebhookUrl() url?: string;
  @ApiProperty({ type: PersonDto }) @ValidateNested() @Type(() => PersonDto) author!: PersonDto;
  @ApiPropertyOptional({ example: '2026-11-30T10:00:00+08:00' }) @IsOptional() @Matches(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/, { message: 'item.createdAt must be ISO-8601 with a zone' }) createdAt?: string;
  @ApiProperty({ example: '2026-11-30T10:00:00+08:00' }) @Matches(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/, { message: 'item.updatedAt must be ISO-8601 with a zone' }) updatedAt!: string;
  @ApiPropertyOptional({ description: '自定义字段 / custom fields by name', example: { 系统: 'SYS-11' } }) @IsOptional() @IsObject() fields?: Record<string, string | null>;
}

class WebhookCommentDto {
  @ApiProperty({ example: '急诊也出现了' }) @IsString() @Length(1, 20000) @noNul('comment.text') text!: string;
}

class WebhookChangeDto {
  @ApiProperty({ example: 'status', description: 'status、priority 有含义，其它字段只记录 / status and priority mean something; other fields are kept only' }) @IsString() @Length(1, 100) field!: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @Length(0, 500) from?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @Length(0, 500) to?: string | null;
}

/**
 * What a pushing platform POSTs to /integrations/:id/webhook: the item as it is now, and what just happened to it.
 * Signed: X-Wardline-Signature = "sha256=" + hex HMAC-SHA256(secret, raw body).
 */
export class PmWebhookEventDto {
  @ApiProperty({ example: 'zentao-20261130-000123', description: '事件唯一编号；重复即拒绝（重放）/ unique per event; a repeat is refused as a replay' })
  @IsString()
  @Length(1, 200)
  @noNul('eventId')
  eventId!: string;
  @ApiProperty({ example: '2026-11-30T10:00:00+08:00', description: '发送时间，须在容差内 / when sent; must be within the tolerance of Wardline’s clock' })
  @IsString()
  sentAt!: string;
  @ApiProperty({ type: WebhookItemDto }) @ValidateNested() @Type(() => WebhookItemDto) item!: WebhookItemDto;
  @ApiPropertyOptional({ type: PersonDto, description: '本次操作人；缺省为提出人 / who did what this event reports; default the item’s author' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PersonDto)
  actor?: PersonDto;
  @ApiPropertyOptional({ type: WebhookCommentDto }) @IsOptional() @ValidateNested() @Type(() => WebhookCommentDto) comment?: WebhookCommentDto;
  @ApiPropertyOptional({ type: [WebhookChangeDto] }) @IsOptional() @ValidateNested({ each: true }) @Type(() => WebhookChangeDto) changes?: WebhookChangeDto[];
}

/** What Wardline POSTs to a webhook platform's progressUrl, signed the same way and with an Idempotency-Key header. */
export class PmProgressCallDto {
  @ApiProperty({ example: 'INC-20261130-0001:2', description: '每条进展唯一；与 Idempotency-Key 相同，重复到达请回 2xx 或 409 / unique per piece of progress, equal to the Idempotency-Key header; answer 2xx or 409 to a repeat' })
  eventId!: string;
  @ApiProperty({ example: '2026-11-30T02:05:00.000Z' }) sentAt!: string;
  @ApiProperty({ example: 'BUG-42' }) itemId!: string;
  @ApiProperty({ enum: ['comment', 'status', 'link'] }) action!: 'comment' | 'status' | 'link';
  @ApiProperty({ description: '中文进展说明 / the progress text, zh-CN' }) comment!: string;
  @ApiProperty({ nullable: true, description: '要设置的平台状态（映射 outbound）/ the platform status to set (mapping.outbound), or null' }) status!: string | null;
  @ApiProperty({ example: { 'Wardline No.': 'INC-20261130-0001' } }) fields!: Record<string, string>;
  @ApiProperty({ nullable: true }) link!: { url: string; title: string } | null;
}

// ---------- answers ----------

class SecretConfiguredDto {
  @ApiProperty({ example: true, description: '已配置；值从不返回 / configured; the value is never returned' }) configured!: boolean;
}

class RedmineViewDto {
  @ApiProperty() baseUrl!: string;
  @ApiProperty() project!: string;
  @ApiProperty({ type: SecretConfiguredDto }) apiKey!: SecretConfiguredDto;
}

class WebhookViewDto {
  @ApiProperty({ description: '平台推送事件的地址 / where the platform POSTs its signed events' }) inboundUrl!: string;
  @ApiProperty() progressUrl!: string;
  @ApiProperty() toleranceSeconds!: number;
  @ApiProperty({ type: SecretConfiguredDto }) secret!: SecretConfiguredDto;
}

class WorkflowRefDto {
  @ApiProperty({ example: 'pm-integration-…' }) id!: string;
  @ApiProperty({ example: 'RUNNING', description: 'RUNNING, TERMINATED, NOT_FOUND, …' }) status!: string;
}

class LastErrorDto {
  @ApiProperty() message!: string;
  @ApiProperty({ nullable: true, example: '2026-11-30T10:05:00+08:00' }) at!: string | null;
}

class InboundBacklogDto {
  @ApiProperty({ description: '上次轮询后平台上还有未读完的变更 / more changes were waiting after the last poll' }) more!: boolean;
  @ApiProperty({ nullable: true, description: '等待处理的变更数：推送式平台为已收到未处理的事件，Redmine 为上次轮询后剩余的事项 / changes waiting: pushed events not yet applied, or Redmine issues left after the last poll’s page' }) waiting!: number | null;
}

class OutboundBacklogDto {
  @ApiProperty({ description: '待回写的进展条数 / progress waiting to be posted' }) pending!: number;
  @ApiProperty({ nullable: true }) oldestPendingSince!: string | null;
}

class BacklogDto {
  @ApiProperty({ type: InboundBacklogDto }) inbound!: InboundBacklogDto;
  @ApiProperty({ type: OutboundBacklogDto }) outbound!: OutboundBacklogDto;
}

export class IntegrationSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['redmine', 'webhook'] }) kind!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ type: RedmineViewDto, nullable: true }) redmine!: RedmineViewDto | null;
  @ApiProperty({ type: WebhookViewDto, nullable: true }) webhook!: WebhookViewDto | null;
  @ApiProperty() pollIntervalSeconds!: number;
  @ApiProperty({ type: WorkflowRefDto }) workflow!: WorkflowRefDto;
  @ApiProperty({ description: '持久化游标（Redmine：updatedOn；推送：seq）/ the durable cursor', example: { updatedOn: '2026-11-30T02:00:00Z' } }) cursor!: Record<string, unknown>;
  @ApiProperty({ nullable: true }) lastPollAt!: string | null;
  @ApiProperty({ nullable: true }) lastSuccessAt!: string | null;
  @ApiProperty({ type: LastErrorDto, nullable: true }) lastError!: LastErrorDto | null;
  @ApiProperty({ type: BacklogDto }) backlog!: BacklogDto;
}

class LinkedRecordDto {
  @ApiProperty({ enum: ['incident', 'modification'] }) kind!: string;
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'INC-20261130-0001' }) number!: string;
  @ApiProperty({ nullable: true }) state!: string | null;
}

class LinkedItemDto {
  @ApiProperty({ example: '42' }) externalId!: string;
  @ApiProperty({ nullable: true }) externalUrl!: string | null;
  @ApiProperty({ type: LinkedRecordDto }) record!: LinkedRecordDto;
  @ApiProperty({ nullable: true }) platformStatus!: string | null;
  @ApiProperty({ enum: ['opening', 'pending', 'failing', 'synced'] }) syncState!: string;
  @ApiProperty() pendingDeliveries!: number;
  @ApiProperty({ nullable: true }) lastDeliveredAt!: string | null;
  @ApiProperty() conflicts!: number;
  @ApiProperty({ nullable: true }) lastError!: string | null;
}

class ConflictDto {
  @ApiProperty() externalId!: string;
  @ApiProperty() recordNumber!: string;
  @ApiProperty() at!: string;
  @ApiProperty() author!: string;
  @ApiProperty() platformStatus!: string;
  @ApiProperty() wardlineState!: string;
  @ApiProperty({ enum: ['unmapped', 'refused'] }) reason!: string;
  @ApiProperty({ nullable: true }) command!: string | null;
  @ApiProperty({ nullable: true }) restoredStatus!: string | null;
  @ApiProperty() rule!: string;
}

export class IntegrationDetailDto extends IntegrationSummaryDto {
  @ApiProperty({ description: 'the mapping as stored' }) mapping!: Record<string, unknown>;
  @ApiProperty() itemsTotal!: number;
  @ApiProperty({ type: [LinkedItemDto], description: '最近 200 个关联事项 / the latest 200 linked items' }) items!: LinkedItemDto[];
  @ApiProperty({ type: [ConflictDto], description: '最近 100 次状态冲突 / the latest 100 status conflicts' }) conflicts!: ConflictDto[];
}

export class AcceptedDto {
  @ApiProperty({ example: true }) accepted!: boolean;
  @ApiPropertyOptional({ description: '收件序号 / the event’s place in the inbox' }) seq?: number;
}

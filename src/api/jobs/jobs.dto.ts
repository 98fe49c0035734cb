import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { PARAM_TYPES, ParamType } from '../../domain/jobs/parameters';
import { MAX_TARGETS } from '../../persistence/jobs/targets';
import { NestedObject, NestedObjects, OptionalNestedObject } from '../common/validation';

const NO_NUL = /^[^\0]*$/;

export class ParamSpecDto {
  @ApiProperty({ example: 'service' }) @IsString() @Length(1, 40) name!: string;
  @ApiProperty({ enum: PARAM_TYPES }) @IsIn(PARAM_TYPES, { message: `type must be one of: ${PARAM_TYPES.join(', ')}` }) type!: ParamType;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) label?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() required?: boolean;
  @ApiPropertyOptional({ description: 'string, integer or boolean matching the type' }) @IsOptional() default?: string | number | boolean;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @Length(1, 200, { each: true }) values?: string[];
  @ApiPropertyOptional({ example: '[a-z0-9-]+' }) @IsOptional() @IsString() @Length(1, 500) pattern?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(4096) maxLength?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() min?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() max?: number;
}

export class TemplateVersionDto {
  @ApiProperty({ description: 'bash (Linux) or PowerShell (Windows over OpenSSH); parameters arrive as environment variables ("$service" / $env:service)', example: 'systemctl status "$service"' })
  @IsString()
  @Length(1, 65_536)
  @Matches(NO_NUL, { message: 'script must not contain NUL' })
  script!: string;
  @ApiProperty({ type: [ParamSpecDto] }) @ArrayMaxSize(50) @NestedObjects(() => ParamSpecDto) parameters!: ParamSpecDto[];
  @ApiProperty({ description: 'true: changes nothing on the host (no approved change needed on production, S4)' }) @IsBoolean() readOnly!: boolean;
}

export class CreateTemplateDto extends TemplateVersionDto {
  @ApiProperty({ example: 'disk-usage' }) @IsString() @Length(1, 100) @Matches(/^[A-Za-z0-9._-]+$/, { message: 'name may hold letters, digits, dot, dash, underscore' }) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) description?: string;
  @ApiProperty({ enum: ['bash', 'powershell'] }) @IsIn(['bash', 'powershell'], { message: 'shell must be bash or powershell' }) shell!: 'bash' | 'powershell';
}

export class TargetsDto {
  @ApiPropertyOptional({ type: [String], description: 'server items: id or server:name' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TARGETS)
  @IsString({ each: true })
  @Length(1, 300, { each: true })
  itemIds?: string[];
  @ApiPropertyOptional({ description: 'a business system (SYS-11, id or type:name): the servers it depends on' }) @IsOptional() @IsString() @Length(1, 300) system?: string;
  @ApiPropertyOptional({ description: 'server attributes that must all match', example: { osFamily: 'debian', environment: 'production' } })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string | number | boolean>;
}

export class BatchDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(MAX_TARGETS) size?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(100) percent?: number;
}

export class ThresholdDto {
  @ApiPropertyOptional({ description: 'stop once more than this many hosts failed' }) @IsOptional() @IsInt() @Min(0) @Max(MAX_TARGETS) maxFailures?: number;
  @ApiPropertyOptional({ description: 'stop once more than this share of hosts failed' }) @IsOptional() @IsInt() @Min(0) @Max(100) maxFailurePercent?: number;
}

export class RunOptionsDto {
  @ApiPropertyOptional({ type: BatchDto, description: 'size or percent; default all hosts in one batch' }) @IsOptional() @OptionalNestedObject(() => BatchDto) batch?: BatchDto;
  @ApiPropertyOptional({ description: 'hosts that go first, alone' }) @IsOptional() @IsInt() @Min(0) @Max(50) canaries?: number;
  @ApiPropertyOptional({ default: 10 }) @IsOptional() @IsInt() @Min(1) @Max(100) parallelism?: number;
  @ApiPropertyOptional({ type: ThresholdDto }) @IsOptional() @OptionalNestedObject(() => ThresholdDto) failureThreshold?: ThresholdDto;
  @ApiPropertyOptional({ default: 10 }) @IsOptional() @IsInt() @Min(1) @Max(120) connectTimeoutSeconds?: number;
  @ApiPropertyOptional({ default: 300 }) @IsOptional() @IsInt() @Min(1) @Max(86_400) commandTimeoutSeconds?: number;
}

export class CreateRunDto extends RunOptionsDto {
  @ApiProperty({ description: 'template id or name' }) @IsString() @Length(1, 100) templateId!: string;
  @ApiPropertyOptional({ description: 'default: the current version' }) @IsOptional() @IsInt() @Min(1) templateVersion?: number;
  @ApiPropertyOptional({ description: 'values of the template\'s typed parameters' }) @IsOptional() @IsObject() parameters?: Record<string, unknown>;
  @ApiProperty({ type: TargetsDto }) @NestedObject(() => TargetsDto) targets!: TargetsDto;
  @ApiPropertyOptional({ description: 'S4: an approved change (id or CHG-number) whose window is open; required for a non-read-only run on production' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  changeId?: string;
}

export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'buffer_all', 'cancel_other', 'terminate_other', 'allow_all'] as const;

export class CreateScheduleDto extends CreateRunDto {
  @ApiProperty({ example: 'daily-disk-check' }) @IsString() @Length(1, 100) @Matches(/^[A-Za-z0-9._-]+$/, { message: 'name may hold letters, digits, dot, dash, underscore' }) name!: string;
  @ApiProperty({ example: '0 8 * * *', description: 'cron in the contract\'s zone (Asia/Shanghai)' }) @IsString() @Length(9, 100) @Matches(/^[0-9*/,\- A-Za-z?#LW]+$/, { message: 'cron must be a cron expression' }) cron!: string;
  @ApiPropertyOptional({ enum: OVERLAP_POLICIES, default: 'skip' }) @IsOptional() @IsIn(OVERLAP_POLICIES, { message: `overlap must be one of: ${OVERLAP_POLICIES.join(', ')}` }) overlap?: (typeof OVERLAP_POLICIES)[number];
}

export class VerificationDto {
  @ApiProperty({ enum: ['none', 'command', 'http', 'prometheus'] }) @IsIn(['none', 'command', 'http', 'prometheus'], { message: 'kind must be none, command, http or prometheus' }) kind!: 'none' | 'command' | 'http' | 'prometheus';
  @ApiPropertyOptional({ description: 'kind=command: a script run on the host after patching; exit 0 passes' }) @IsOptional() @IsString() @Length(1, 20_000) @Matches(NO_NUL, { message: 'script must not contain NUL' }) script?: string;
  @ApiPropertyOptional({ description: 'kind=http: URL to GET (`{ip}` becomes the host address); kind=prometheus: the Prometheus base URL' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  @Matches(/^https?:\/\/[^\s@]+$/, { message: 'url must be an http(s) URL without credentials' })
  url?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(100) @Max(599) expectStatus?: number;
}

export class CreatePatchRunDto extends RunOptionsDto {
  @ApiProperty({ type: TargetsDto }) @NestedObject(() => TargetsDto) targets!: TargetsDto;
  @ApiProperty({ description: 'S4: the approved change (id or CHG-number); nothing is applied outside its window' }) @IsString() @Length(1, 64) changeId!: string;
  @ApiPropertyOptional({ type: [String], description: 'package names or KBs to apply (globs with *); default: every available update' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9*+._:-]{1,200}$/, { each: true, message: 'include entries are package names or globs' })
  include?: string[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9*+._:-]{1,200}$/, { each: true, message: 'exclude entries are package names or globs' })
  exclude?: string[];
  @ApiPropertyOptional({ type: VerificationDto }) @IsOptional() @OptionalNestedObject(() => VerificationDto) verification?: VerificationDto;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() allowReboot?: boolean;
  @ApiPropertyOptional({ default: 900 }) @IsOptional() @IsInt() @Min(30) @Max(7200) rebootTimeoutSeconds?: number;
}

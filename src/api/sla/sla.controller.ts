import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidationArguments,
  registerDecorator,
} from 'class-validator';
import { PRIORITIES, Priority, SlaPolicy, acceptanceEligibleAt, incidentTargets, modificationTargets } from '../../domain/sla-policy';
import { formatInZone } from '../../domain/time';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { SIGNED_IN, STAFF } from '../auth/roles';
import { IsIsoInstant, NestedObject, NestedObjects } from '../common/validation';
import { SystemsService } from '../systems/systems.service';
import { CalendarService } from './calendar.service';
import { unknownRef } from '../common/errors';
import { ParseBoundedIntPipe } from '../common/pipes';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CALENDAR, CALENDAR_YEAR, SLA_POLICIES, SLA_POLICY, SLA_PREVIEW } from '../misc.responses';

const KINDS = ['incident', 'data_repair', 'modification'] as const;

export class SlaPreviewDto {
  @ApiProperty({ example: '2026-11-27T17:30:00+08:00' }) @IsIsoInstant() reportedAt!: string;
  @ApiPropertyOptional({ example: 'SYS-11' }) @IsOptional() @IsString() @Length(1, 64) systemId?: string;
  @ApiProperty({ enum: KINDS }) @IsIn(KINDS, { message: `kind must be one of: ${KINDS.join(', ')}` }) kind!: (typeof KINDS)[number];
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsIn(PRIORITIES, { message: `priority must be one of: ${PRIORITIES.join(', ')}` }) priority?: Priority;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) policyVersion?: number;
  @ApiPropertyOptional({ description: 'for kind=modification: when it went live, to tell when acceptance may be requested' })
  @IsOptional()
  @IsIsoInstant()
  liveAt?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A year of chinese-days' feed is about 8 KB and its three-year feed 24 KB; the JSON body limit is 100 KB. */
export const ICS_MAX_LENGTH = 65_536;
const LIST_FORM = ['holidays', 'workdays'] as const;
const listForm = (o: CalendarYearDto) => o.ics === undefined || o.ics === null;

/** `ics` is the other form of `holidays` + `workdays`: a body gives one form, never both. */
function IsInsteadOfLists(): PropertyDecorator {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isInsteadOfLists',
      target: object.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} replaces holidays and workdays: send either ics or holidays + workdays, not both` },
      validator: {
        validate: (_: unknown, args: ValidationArguments) => LIST_FORM.every((k) => (args.object as CalendarYearDto)[k] === undefined),
      },
    });
}

/** One year's official schedule, as two lists of dates or as an iCalendar file (chinese-days' holidays.ics form). */
export class CalendarYearDto {
  @ApiPropertyOptional({ example: ['2027-01-01'], description: 'with workdays; or send ics instead' })
  @ValidateIf(listForm)
  @IsArray({ message: 'holidays must be a list of dates (or send the year as ics instead)' })
  @ArrayMaxSize(366)
  @Matches(DATE, { each: true, message: 'holidays must be dates YYYY-MM-DD' })
  holidays?: string[];

  @ApiPropertyOptional({ example: ['2027-02-07'], description: 'adjusted working weekends (调休上班), with holidays; or send ics instead' })
  @ValidateIf(listForm)
  @IsArray({ message: 'workdays must be a list of dates (or send the year as ics instead)' })
  @ArrayMaxSize(366)
  @Matches(DATE, { each: true, message: 'workdays must be dates YYYY-MM-DD' })
  workdays?: string[];

  @ApiPropertyOptional({
    description: 'the year as iCalendar text, e.g. chinese-days dist/years/2027.ics: all-day events marked 休 / 班 (X-APPLE-SPECIAL-DAY)',
    maxLength: ICS_MAX_LENGTH,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ICS_MAX_LENGTH)
  @IsInsteadOfLists()
  ics?: string;

  @ApiPropertyOptional({ example: '国务院办公厅通知' }) @IsOptional() @IsString() @Length(1, 200) source?: string;
}

class TargetsDto {
  @ApiProperty() @IsNumber() respondMinutes!: number;
  @ApiProperty() @IsNumber() onSiteMinutes!: number;
}
class IncidentPolicyDto {
  @ApiProperty() @NestedObject(() => TargetsDto) workingTime!: TargetsDto;
  @ApiProperty() @NestedObject(() => TargetsDto) offHours!: TargetsDto;
  @ApiProperty() @IsNumber() repairWorkingDays!: number;
  @ApiProperty() @IsNumber() dataRepairWorkingDays!: number;
}
class ModificationPolicyDto {
  @ApiProperty() @IsNumber() deliveryCalendarDays!: number;
  @ApiProperty() @IsNumber() acceptanceAfterWorkingDays!: number;
  @ApiProperty() @IsNumber() freeMaintenanceMonths!: number;
}
class OverrideDto {
  @ApiPropertyOptional() @IsOptional() @IsString() systemId?: string;
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsIn(PRIORITIES) priority?: Priority;
  @ApiPropertyOptional() @IsOptional() @IsNumber() respondMinutes?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() onSiteMinutes?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() repairWorkingDays?: number;
}
export class SlaPolicyDto {
  @ApiProperty() @IsString() @Length(1, 200) name!: string;
  @ApiProperty() @NestedObject(() => IncidentPolicyDto) incident!: IncidentPolicyDto;
  @ApiProperty() @NestedObject(() => ModificationPolicyDto) modification!: ModificationPolicyDto;
  @ApiProperty({ example: [0.5, 0.75, 0.9] }) @IsArray() @ArrayMaxSize(10) @IsNumber({}, { each: true }) warningFractions!: number[];
  @ApiProperty({ type: [OverrideDto] }) @ArrayMaxSize(200) @NestedObjects(() => OverrideDto) overrides!: OverrideDto[];
}

@ApiTags('sla')
@Controller()
export class SlaController {
  constructor(
    private readonly calendars: CalendarService,
    private readonly systems: SystemsService,
  ) {}

  /** "When must they be here?": the deadlines and tier for a report, without opening anything (S10, S2, S3, S17). */
  @ApiOp({ summary: '试算时限（不创建工单） / Preview the deadlines of a report', ok: SLA_PREVIEW, errors: [422] })
  @Post('sla/preview')
  @HttpCode(200)
  @Allow(...SIGNED_IN)
  async preview(@Body() dto: SlaPreviewDto) {
    const { calendar, spec } = await this.calendars.current();
    const policy = await this.calendars.policy(dto.policyVersion);
    const t = (ms: number) => formatInZone(ms, spec.utcOffsetMinutes);
    const reportedAt = Date.parse(dto.reportedAt);
    let systemId: string | undefined;
    if (dto.systemId) {
      const system = await this.systems.find(dto.systemId);
      if (!system) throw unknownRef('system', dto.systemId, 'systemId');
      systemId = system.id;
    }
    if (dto.kind === 'modification') {
      const m = modificationTargets(policy, reportedAt);
      const liveAt = dto.liveAt ? Date.parse(dto.liveAt) : null;
      return {
        kind: dto.kind,
        policyVersion: m.policyVersion,
        deadlines: { delivery: t(m.delivery.deadline) },
        acceptanceEligibleAt: liveAt === null ? null : t(acceptanceEligibleAt(policy, calendar, liveAt)),
      };
    }
    const targets = incidentTargets(policy, calendar, { reportedAt, systemId, priority: dto.priority, dataRepair: dto.kind === 'data_repair' });
    return {
      kind: dto.kind,
      tier: targets.tier,
      policyVersion: targets.policyVersion,
      calendarCovered: targets.calendarCovered,
      provisional: targets.calendarProvisional,
      workingTime: calendar.isWorkingTime(reportedAt),
      deadlines: { respond: t(targets.respond.deadline), onSite: t(targets.onSite.deadline), repair: t(targets.repair.deadline) },
    };
  }

  @ApiOp({ summary: '工作日历与覆盖情况 / The working calendar and its coverage', ok: CALENDAR })
  @Get('calendar')
  @Allow(...STAFF)
  async calendar() {
    const { spec } = await this.calendars.current();
    return {
      timeZone: spec.timeZone,
      workingHours: spec.workingHours,
      bundledYears: this.calendars.bundledYears(),
      loadedYears: (await this.calendars.loadedYears()).map((y) => ({ year: y.year, source: y.source, loadedBy: y.loadedBy, loadedAt: y.loadedAt })),
      coverage: await this.calendars.coverage(),
      // S10: each year, official or provisional (statutory holidays only, until the official 调休 is loaded), with
      // every day off and every adjusted working day and its reason, so a dispatcher can see why a deadline moved.
      years: await this.calendars.overview(),
    };
  }

  /** Admins load a further year's official schedule without a release, as date lists or as an ICS file. */
  @ApiOp({ summary: '加载某年法定节假日与调休 / Load a year’s official holidays and adjusted working days', ok: CALENDAR_YEAR })
  @Put('calendar/years/:year')
  @Allow()
  async loadYear(@Auth() auth: Principal, @Param('year', new ParseBoundedIntPipe(2000, 2100)) year: number, @Body() dto: CalendarYearDto) {
    const saved =
      dto.ics !== undefined && dto.ics !== null
        ? await this.calendars.loadYearIcs(year, dto.ics, dto.source ?? 'ics', auth.username)
        : await this.calendars.loadYear({ year, holidays: dto.holidays ?? [], workdays: dto.workdays ?? [] }, dto.source ?? 'api', auth.username);
    return { year: saved.year, holidays: saved.holidays, workdays: saved.workdays, source: saved.source, coverage: await this.calendars.coverage() };
  }

  @ApiOp({ summary: 'SLA 策略版本 / SLA policy versions', ok: SLA_POLICIES })
  @Get('sla/policies')
  @Allow(...STAFF)
  policies() {
    return this.calendars.policies();
  }

  @ApiOp({ summary: '新增 SLA 策略版本（只能收紧） / Add an SLA policy version (may only tighten)', ok: SLA_POLICY, errors: [422] })
  @Post('sla/policies')
  @Idempotent()
  @Allow()
  addPolicy(@Auth() auth: Principal, @Body() dto: SlaPolicyDto): Promise<SlaPolicy> {
    return this.calendars.addPolicy(dto, auth.username);
  }
}


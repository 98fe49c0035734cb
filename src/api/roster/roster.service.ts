import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { formatInZone } from '../../domain/time';
import { fixedOffsetOf } from '../../infra/china-calendar';
import { OnDuty, engineerOnDuty } from '../../persistence/roster-store';
import { CLOCK, CONFIG, Clock, WardlineConfig } from '../common/tokens';
import { CreateShiftDto } from './roster.dto';
import { unprocessable } from '../common/errors';

/** S13: the named onsite team is data. Engineers, the project and quality managers; duty shifts say who is on now. */
const ROSTER_ROLES = ['engineer', 'project_manager', 'quality_manager'];

export type { OnDuty };

@Injectable()
export class RosterService {
  private readonly offset: number;
  constructor(
    private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) config: WardlineConfig,
  ) {
    this.offset = fixedOffsetOf(config.timeZone);
  }

  async members() {
    const rows = await this.ds.query(
      `SELECT id, username, display_name, roles, phone, email FROM users WHERE active AND roles && $1::text[] ORDER BY display_name`,
      [ROSTER_ROLES],
    );
    return rows.map((r: Record<string, unknown>) => ({ id: r.id, username: r.username, displayName: r.display_name, roles: r.roles, phone: r.phone, email: r.email }));
  }

  async addShift(dto: CreateShiftDto) {
    const startsAt = Date.parse(dto.startsAt);
    const endsAt = Date.parse(dto.endsAt);
    if (endsAt <= startsAt) throw unprocessable('INVALID_INPUT', '班次结束时间必须晚于开始时间', 'endsAt must be after startsAt', { field: 'endsAt' });
    const [user] = await this.ds.query(`SELECT id FROM users WHERE id = $1 AND active AND roles && $2::text[]`, [dto.userId, ROSTER_ROLES]);
    if (!user) throw unprocessable('INVALID_INPUT', `userId ${dto.userId} 不是驻场团队的在职成员`, `userId ${dto.userId} is not an active member of the onsite team`, { field: 'userId' });
    const [row] = await this.ds.query(
      `INSERT INTO duty_shifts (user_id, starts_at, ends_at, note) VALUES ($1, $2, $3, $4) RETURNING id`,
      [dto.userId, new Date(startsAt), new Date(endsAt), dto.note ?? null],
    );
    return { id: row.id, userId: dto.userId, startsAt: formatInZone(startsAt, this.offset), endsAt: formatInZone(endsAt, this.offset), note: dto.note ?? null };
  }

  /** The engineer on duty at `at`: the default assignee of a new incident (S12: someone is dispatched at once). */
  onDuty(at: number = this.clock.now()): Promise<OnDuty | null> {
    return engineerOnDuty(this.ds, at);
  }
}

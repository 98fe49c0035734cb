import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The 37 entries of the seed's attachment (REQUIREMENTS.md). `source_name` keeps the seed's exact wording;
 * `display_name` is the cleaner name people see. Entries that name a fee or a project keep that kind.
 */
export const SEEDED_SYSTEMS: { source: string; display: string; kind: 'system' | 'service_fee' | 'project'; vendor?: string }[] = [
  { source: 'ICU重症医学信息平台系统维护（米健）', display: 'ICU重症医学信息平台', kind: 'system', vendor: '米健' },
  { source: '重症监护管理系统维护（麦迪斯顿）', display: '重症监护管理系统', kind: 'system', vendor: '麦迪斯顿' },
  { source: '超声管理系统维护', display: '超声管理系统', kind: 'system' },
  { source: '不良事件上报系统', display: '不良事件上报系统', kind: 'system' },
  { source: '病理诊断信息系统', display: '病理诊断信息系统', kind: 'system' },
  { source: '病理流程管理系统', display: '病理流程管理系统', kind: 'system' },
  { source: '数字切片扫描系统', display: '数字切片扫描系统', kind: 'system' },
  { source: '医院医院感染实时监控系统', display: '医院感染实时监控系统', kind: 'system' },
  { source: '辅助生殖信息系统', display: '辅助生殖信息系统', kind: 'system' },
  { source: '放射叫号系统', display: '放射叫号系统', kind: 'system' },
  { source: '放射科PACS/RIS系统', display: '放射科PACS/RIS系统', kind: 'system' },
  { source: '康复科治疗信息采集系统', display: '康复科治疗信息采集系统', kind: 'system' },
  { source: '产前诊断信息管理系统', display: '产前诊断信息管理系统', kind: 'system' },
  { source: '医疗输送信息管理系统', display: '医疗输送信息管理系统', kind: 'system' },
  { source: '“三基”考试软件维护费', display: '“三基”考试软件', kind: 'service_fee' },
  { source: '医保公医病人申报服务流程管理软件', display: '医保公医病人申报服务流程管理软件', kind: 'system' },
  { source: '医学伦理委员会系统', display: '医学伦理委员会系统', kind: 'system' },
  { source: '儿童保健临床信息系统', display: '儿童保健临床信息系统', kind: 'system' },
  { source: '进修生管理系统（子项目1）', display: '进修生管理系统', kind: 'system' },
  { source: '医保智能审核系统', display: '医保智能审核系统', kind: 'system' },
  { source: '中国疾病预防控制信息系统客户端KEY年审费用', display: '中国疾病预防控制信息系统客户端KEY', kind: 'service_fee' },
  { source: '临床用血管理系统', display: '临床用血管理系统', kind: 'system' },
  { source: '输血系统优化项目', display: '输血系统优化', kind: 'project' },
  { source: '内镜系统病理标本申请单接口', display: '内镜系统病理标本申请单接口', kind: 'system' },
  { source: '传染病监测预警管理系统', display: '传染病监测预警管理系统', kind: 'system' },
  { source: '单病种系统', display: '单病种系统', kind: 'system' },
  { source: '传染病流感监测', display: '传染病流感监测', kind: 'system' },
  { source: '医学在线考试系统西医、护理版维护服务', display: '医学在线考试系统（西医、护理版）', kind: 'service_fee' },
  { source: '传染病报告推送信息系统', display: '传染病报告推送信息系统', kind: 'system' },
  { source: '全业务预约平台建设项目', display: '全业务预约平台', kind: 'project' },
  { source: '影像信息软件（智能呼叫系统）', display: '影像信息软件（智能呼叫系统）', kind: 'system' },
  { source: '中国医院药物警戒系统', display: '中国医院药物警戒系统', kind: 'system' },
  { source: '影像中心维护', display: '影像中心', kind: 'system' },
  { source: '临床用血管理系统优化（二期）', display: '临床用血管理系统优化（二期）', kind: 'project' },
  { source: '计财处微信公众号二期项目', display: '计财处微信公众号（二期）', kind: 'project' },
  { source: '办公自动化系统', display: '办公自动化系统', kind: 'system' },
  { source: '中英文网站', display: '中英文网站', kind: 'system' },
];

export class SeedBusinessSystems1764200000001 implements MigrationInterface {
  name = 'SeedBusinessSystems1764200000001';

  async up(q: QueryRunner): Promise<void> {
    for (const [i, s] of SEEDED_SYSTEMS.entries()) {
      const seq = i + 1;
      await q.query(
        `INSERT INTO business_systems (seq, code, source_name, display_name, entry_kind, vendor_name) VALUES ($1, $2, $3, $4, $5, $6)`,
        [seq, `SYS-${String(seq).padStart(2, '0')}`, s.source, s.display, s.kind, s.vendor ?? null],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM business_systems WHERE seq BETWEEN 1 AND $1`, [SEEDED_SYSTEMS.length]);
  }
}

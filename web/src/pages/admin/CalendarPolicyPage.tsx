import { Alert, Card, Col, Descriptions, Row, Table, Tag } from 'antd';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { dateTime } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/**
 * The working calendar (S10: statutory holidays and adjusted working days, working hours) and the SLA policy versions
 * the clocks run on. Loading a year and adding a tighter policy stay with the administrator's API calls.
 */
export default function CalendarPolicyPage() {
  const t = useT();
  const calendar = useLoad(() => must(api.GET('/calendar')), []);
  const policies = useLoad(() => must(api.GET('/sla/policies')), []);
  const c = calendar.data;
  type Policy = NonNullable<typeof policies.data>[number];
  return (
    <div data-testid="calendar-policy">
      <PageTitle title={t('工作日历与 SLA 策略', 'Working calendar and SLA policy')} onReload={() => void Promise.all([calendar.reload(), policies.reload()])} loading={calendar.loading} />
      <ErrorAlert error={calendar.error ?? policies.error} />
      {c ? (
        <Alert
          style={{ marginBottom: 12 }}
          showIcon
          type={c.coverage.ok ? 'success' : 'error'}
          data-testid="coverage"
          title={c.coverage.ok ? t(`未来 ${c.coverage.horizonDays} 天的节假日均已加载`, `Holidays are loaded for the next ${c.coverage.horizonDays} days`) : t(`缺少 ${c.coverage.firstUncoveredDate} 起的法定节假日安排：时限按暂定日历计算`, `Holidays from ${c.coverage.firstUncoveredDate} are not loaded: deadlines are provisional`)}
        />
      ) : null}
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('工作日历', 'Calendar')} loading={!c}>
            {c ? (
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t('时区', 'Time zone')}>{c.timeZone}</Descriptions.Item>
                <Descriptions.Item label={t('工作时间', 'Working hours')}>{c.workingHours.map((w) => Object.values(w as Record<string, unknown>).join('–')).join('，')}</Descriptions.Item>
                <Descriptions.Item label={t('内置年份', 'Bundled years')}>{c.bundledYears.join('、')}</Descriptions.Item>
                <Descriptions.Item label={t('已加载年份', 'Loaded years')}>{c.loadedYears.map((y) => `${y.year}（${y.source}，${y.loadedBy}，${dateTime(y.loadedAt)}）`).join('；') || '—'}</Descriptions.Item>
                <Descriptions.Item label={t('覆盖年份', 'Covered years')}>{c.coverage.coveredYears.join('、')}</Descriptions.Item>
              </Descriptions>
            ) : null}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('SLA 策略版本（只能收紧）', 'SLA policy versions (may only tighten)')}>
            <Table<Policy>
              rowKey="version"
              size="small"
              pagination={false}
              scroll={{ x: 500 }}
              dataSource={policies.data ?? []}
              expandable={{ expandedRowRender: (p) => <pre style={{ fontSize: 12, margin: 0 }}>{JSON.stringify({ incident: p.incident, modification: p.modification, overrides: p.overrides }, null, 2)}</pre> }}
              columns={[
                { title: t('版本', 'Version'), dataIndex: 'version', render: (v: number, _r, i) => <span>v{v} {i === (policies.data?.length ?? 0) - 1 ? <Tag color="blue">{t('当前', 'current')}</Tag> : null}</span> },
                { title: t('名称', 'Name'), dataIndex: 'name' },
                { title: t('预警比例', 'Warnings at'), dataIndex: 'warningFractions', render: (f: number[]) => f.map((x) => `${Math.round(x * 100)}%`).join(' / ') },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

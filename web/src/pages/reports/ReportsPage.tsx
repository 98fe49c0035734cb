import { Button, Card, Col, Descriptions, Empty, Row, Space, Statistic, Table, Tag } from 'antd';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { dateTime } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { SatisfactionChart } from './SatisfactionChart';

/**
 * The contract's evidence (S8, S17, S18): the contract in force with its payment milestones and what acceptance still
 * lacks, the monthly service reports and acceptance packs to download, and the reporters' satisfaction this year.
 */
export default function ReportsPage() {
  const t = useT();
  const contract = useLoad(async () => {
    const { data, response } = await api.GET('/contracts/{ref}', { params: { path: { ref: 'current' } } });
    if (response.status === 404) return null;
    if (!response.ok || !data) throw new Error(`HTTP ${response.status}`);
    return data;
  }, []);
  const reports = useLoad(() => must(api.GET('/monthly-reports')), []);
  const packs = useLoad(() => must(api.GET('/acceptance-packs')), []);
  const year = new Date().getUTCFullYear();
  const satisfaction = useLoad(() => must(api.GET('/surveys/summary', { params: { query: { from: `${year}-01-01T00:00:00+08:00`, to: `${year + 1}-01-01T00:00:00+08:00` } as never } })), [year]);
  type Report = NonNullable<typeof reports.data>[number];
  type Pack = NonNullable<typeof packs.data>[number];
  const c = contract.data;
  const s = satisfaction.data;
  return (
    <div data-testid="reports">
      <PageTitle title={t('合同、报告与验收', 'Contract, reports and acceptance')} onReload={() => void Promise.all([contract.reload(), reports.reload(), packs.reload(), satisfaction.reload()])} loading={reports.loading} />
      <ErrorAlert error={contract.error ?? reports.error ?? packs.error} />
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('服务合同', 'Service contract')} data-testid="contract">
            {c ? (
              <>
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t('合同', 'Contract')}>
                    {c.number} {c.title}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('期间', 'Period')}>
                    {c.period.startDate} – {c.period.lastDay}（{t(`剩余 ${c.timeLeft.months} 个月 ${c.timeLeft.days} 天`, `${c.timeLeft.months} months ${c.timeLeft.days} days left`)}）
                  </Descriptions.Item>
                  <Descriptions.Item label={t('覆盖系统', 'Systems')}>{c.systemCount}</Descriptions.Item>
                </Descriptions>
                {c.milestones.map((m) => (
                  <div key={m.code} style={{ marginTop: 4 }}>
                    <Tag color={m.state === 'paid' ? 'green' : m.state === 'due' ? 'orange' : undefined}>{m.stateLabel}</Tag>
                    {m.label}（{m.sharePercent}%）{m.waitingFor ? ` · ${m.waitingFor}` : ''}
                  </div>
                ))}
              </>
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('尚未登记服务合同', 'No contract recorded yet')} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t(`${year} 年满意度`, `Satisfaction ${year}`)} data-testid="satisfaction">
            {s ? (
              <>
                <Space size={24} wrap>
                  <Statistic title={t('已发送', 'Sent')} value={s.sent} />
                  <Statistic title={t('已回复', 'Answered')} value={s.responses} />
                  <Statistic title={t('平均分', 'Average')} value={s.average ?? '—'} precision={s.average === null ? undefined : 2} />
                  <Statistic title={t('满意率', 'Satisfied')} value={s.satisfiedPercent ?? '—'} suffix={s.satisfiedPercent === null ? undefined : '%'} />
                </Space>
                <SatisfactionChart distribution={s.distribution as Record<string, number>} label={t('回复数', 'Answers')} />
              </>
            ) : null}
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('月度服务报告', 'Monthly service reports')} style={{ marginTop: 12 }}>
        <Table<Report>
          rowKey="id"
          size="small"
          scroll={{ x: 700 }}
          dataSource={reports.data ?? []}
          columns={[
            { title: t('月份', 'Month'), dataIndex: 'month' },
            { title: t('标题', 'Title'), dataIndex: 'title', ellipsis: true },
            { title: t('状态', 'State'), dataIndex: 'stateLabel', render: (v: string) => <Tag>{v}</Tag> },
            { title: t('版本', 'Version'), dataIndex: 'version' },
            { title: t('下载', 'Download'), key: 'dl', render: (_: unknown, r) => <Space>{r.pdf ? <Button size="small" href={r.pdf.download} target="_blank">PDF</Button> : null}{r.xlsx ? <Button size="small" href={r.xlsx.download}>XLSX</Button> : null}</Space> },
          ]}
        />
      </Card>
      <Card size="small" title={t('验收资料包', 'Acceptance packs')} style={{ marginTop: 12 }}>
        <Table<Pack>
          rowKey="id"
          size="small"
          scroll={{ x: 700 }}
          dataSource={packs.data ?? []}
          columns={[
            { title: t('编号', 'Number'), dataIndex: 'number' },
            { title: t('范围', 'Scope'), key: 'scope', render: (_: unknown, p) => (p.modification ? p.modification : `${p.period.from} – ${p.period.to}`) },
            { title: t('状态', 'State'), dataIndex: 'stateLabel', render: (v: string) => <Tag>{v}</Tag> },
            { title: t('申请人', 'Requested by'), key: 'by', render: (_: unknown, p) => p.requestedBy.name },
            { title: t('决定', 'Decision'), key: 'decision', render: (_: unknown, p) => (p.decision ? `${p.decision.by.name} ${dateTime(p.decision.at)}` : '—') },
            { title: t('下载', 'Download'), key: 'dl', render: (_: unknown, p) => (p.zip ? <Button size="small" href={p.zip.download}>ZIP</Button> : null) },
          ]}
        />
      </Card>
    </div>
  );
}

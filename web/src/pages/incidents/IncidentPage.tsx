import { ArrowLeftOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Descriptions, Empty, Grid, Popconfirm, Row, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { dateTime, duration, shortTime } from '../../app/format';
import { errorText, useLang, useT } from '../../app/i18n';
import { CHANNELS, ESCALATION_STATES, INCIDENT_ACTIONS, INCIDENT_STATES, PRIORITY_COLORS, label } from '../../app/labels';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SlaCountdown, slaLevel, useNow } from '../../components/SlaCountdown';
import { ActionDialog, FieldSpec } from './ActionDialog';
import { RecordCard } from './RecordCard';

interface AttachedAlert {
  id: string;
  alertname: string;
  status: string;
  severity: string;
  summary: string;
  source: string;
  item: { name: string } | null;
  fires: number;
  firstSeen: string;
  lastSeen: string;
}

const CAUSE_CATEGORIES = [
  { value: 'system_error_fix', label: '系统错误修复 / system error fix' },
  { value: 'data_repair', label: '数据修复 / data repair' },
  { value: 'other', label: '其他 / other' },
];

/** Which words each action asks for, and where it goes (every action is one public API call). */
function actionSpec(action: string, roster: { id: string; displayName: string }[]): { fields: FieldSpec[]; path: string; body(v: Record<string, string>): object } {
  const note: FieldSpec = { name: 'note', kind: 'text', label: ['备注（可选）', 'Note (optional)'] };
  const reason: FieldSpec = { name: 'reason', kind: 'text', label: ['原因', 'Reason'], required: true };
  switch (action) {
    case 'resolve':
      return {
        path: 'resolve',
        fields: [
          { name: 'cause', kind: 'text', label: ['故障原因', 'Root cause'], required: true },
          { name: 'fix', kind: 'text', label: ['处理措施', 'What was done'], required: true, rows: 3 },
          { name: 'category', kind: 'select', label: ['分类', 'Category'], required: true, options: CAUSE_CATEGORIES },
          note,
        ],
        body: (v) => v,
      };
    case 'reopen':
    case 'cancel':
      return { path: action, fields: [reason], body: (v) => v };
    case 'pause_repair_clock':
    case 'request_repair_clock_pause':
      return { path: 'repair-clock/pause', fields: [reason], body: (v) => v };
    case 'confirm_repair_clock_pause':
      return { path: 'repair-clock/pause/confirm', fields: [note], body: (v) => v };
    case 'decline_repair_clock_pause':
      return { path: 'repair-clock/pause/decline', fields: [reason], body: (v) => v };
    case 'resume_repair_clock':
      return { path: 'repair-clock/resume', fields: [note], body: (v) => v };
    case 'assign':
      return {
        path: 'assign',
        fields: [{ name: 'assigneeId', kind: 'select', label: ['工程师', 'Engineer'], required: true, options: roster.map((r) => ({ value: r.id, label: r.displayName })) }, note],
        body: (v) => v,
      };
    case 'change_priority':
      return {
        path: 'priority',
        fields: [{ name: 'priority', kind: 'select', label: ['优先级', 'Priority'], required: true, options: ['P1', 'P2', 'P3', 'P4'].map((p) => ({ value: p, label: p })) }, reason],
        body: (v) => v,
      };
    case 'escalate':
      return { path: 'escalations', fields: [{ name: 'reason', kind: 'text', label: ['升级原因', 'Why the vendor is needed'], required: true }], body: (v) => v };
    case 'confirm_recovery':
      return { path: 'confirm-recovery', fields: [note], body: (v) => v };
    default:
      return { path: action, fields: [note], body: (v) => v };
  }
}

/** Actions done in one tap on a phone (no words needed); the others open a small dialog. */
const ONE_TAP = new Set(['acknowledge', 'arrive', 'confirm', 'close']);

/**
 * An incident (issue 16, P3, S10, S14): its clocks, the actions the workflow allows the person now, the timeline,
 * the alerts that opened or joined it, the original vendor's escalation, and the maintenance record both sides confirm.
 */
export default function IncidentPage() {
  const { id = '' } = useParams();
  const t = useT();
  const lang = useLang();
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  const now = useNow();
  const [dialog, setDialog] = useState<string | null>(null);
  const [acting, setActing] = useState<string | null>(null);

  const incident = useLoad(() => must(api.GET('/incidents/{id}', { params: { path: { id } } })), [id], 20_000);
  const alerts = useLoad(() => must(api.GET('/incidents/{id}/alerts', { params: { path: { id } } })) as Promise<{ alerts?: AttachedAlert[] }>, [id]);
  const escalations = useLoad(() => must(api.GET('/incidents/{id}/escalations', { params: { path: { id } } })), [id], 20_000);
  const roster = useLoad(() => must(api.GET('/roster')), []);
  const inc = incident.data;
  const record = useLoad(async () => (inc ? (await must(api.GET('/records', { params: { query: { source: inc.number } as never } }))).items[0] ?? null : null), [inc?.number, inc?.state]);

  const reloadAll = async () => {
    await Promise.all([incident.reload(), escalations.reload(), record.reload()]);
  };
  const run = async (action: string, values: Record<string, string>) => {
    const spec = actionSpec(action, []);
    const path = `/incidents/{id}/${spec.path}` as '/incidents/{id}/acknowledge';
    await must(api.POST(path, { params: { path: { id } }, body: spec.body(values) as never }));
    message.success(`${label(INCIDENT_ACTIONS, action, lang)} ✓`);
    await reloadAll();
  };
  const oneTap = async (action: string) => {
    setActing(action);
    try {
      await run(action, {});
    } catch (err) {
      message.error(errorText(lang, err));
      await incident.reload();
    } finally {
      setActing(null);
    }
  };

  if (incident.error && !inc) return <ErrorAlert error={incident.error} />;
  if (!inc) return <Card loading />;

  const engineers = (roster.data ?? []).filter((r) => r.roles.includes('engineer') || r.roles.includes('project_manager'));
  const clockRows = (['respond', 'on_site', 'repair'] as const).map((k) => {
    const c = inc.clocks[k];
    const met = k === 'respond' ? inc.milestones.acknowledgedAt : k === 'on_site' ? inc.milestones.onSiteAt : inc.milestones.resolvedAt;
    // A stopped clock has no deadline of its own any more; the incident keeps the one it had.
    const due = c?.deadline ?? (k === 'respond' ? inc.deadlines.respond : k === 'on_site' ? inc.deadlines.onSite : inc.deadlines.repair);
    return { key: k, c, met, due, name: label({ respond: ['响应', 'Respond'], on_site: ['到场', 'On site'], repair: ['修复', 'Repair'] }, k, lang) };
  });

  const actions = inc.allowedActions.filter((a) => a !== 'comment');
  return (
    <div data-testid="incident-page" data-state={inc.state}>
      <Space style={{ marginBottom: 8 }} wrap>
        <Link to="/board">
          <ArrowLeftOutlined /> {t('调度台', 'Board')}
        </Link>
      </Space>
      <Card
        size={screens.md ? 'medium' : 'small'}
        title={
          <Space wrap>
            <Tag color={PRIORITY_COLORS[inc.priority]}>{inc.priority}</Tag>
            <span data-testid="incident-number">{inc.number}</span>
            <Tag color={inc.breached ? 'red' : 'blue'} data-testid="incident-state">
              {label(INCIDENT_STATES, inc.state, lang)}
            </Tag>
          </Space>
        }
      >
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {inc.title}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{inc.description}</Typography.Paragraph>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
          <Descriptions.Item label={t('报障人', 'Reporter')}>
            {inc.reporter.name}（{inc.reporter.department}）{inc.reporter.phone ?? ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('渠道', 'Channel')}>{label(CHANNELS, inc.channel, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('报障时间', 'Reported')}>{dateTime(inc.reportedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('处理人', 'Assignee')}>{inc.assignee?.name ?? t('未指派', 'Unassigned')}</Descriptions.Item>
          <Descriptions.Item label={t('时限类别', 'Tier')}>{inc.tier === 'off_hours' ? t('非工作时间', 'Outside working hours') : inc.tier === 'working_time' ? t('工作时间', 'Working hours') : inc.tier}</Descriptions.Item>
          {inc.affectedSystems.length ? (
            <Descriptions.Item label={t('受影响业务系统', 'Affected systems')}>{inc.affectedSystems.map((s) => s.displayName).join('、')}</Descriptions.Item>
          ) : null}
        </Descriptions>
        {inc.pauseRequest ? (
          <Tag color="orange" style={{ marginTop: 8 }}>
            {t(`${inc.pauseRequest.by.name} 申请暂停修复计时：${inc.pauseRequest.reason}`, `${inc.pauseRequest.by.name} asks to pause the repair clock: ${inc.pauseRequest.reason}`)}
          </Tag>
        ) : null}
        <div style={{ marginTop: 12 }} data-testid="actions">
          {actions.length === 0 ? (
            <Typography.Text type="secondary">{t('您当前没有可执行的操作', 'Nothing for you to do now')}</Typography.Text>
          ) : (
            <Space wrap>
              {actions.map((a) =>
                ONE_TAP.has(a) ? (
                  <Popconfirm key={a} title={`${label(INCIDENT_ACTIONS, a, lang)}？`} onConfirm={() => void oneTap(a)} okText={t('确定', 'Yes')} cancelText={t('取消', 'No')} okButtonProps={{ 'data-testid': `confirm-${a}` } as never}>
                    <Button type={a === 'acknowledge' || a === 'confirm' ? 'primary' : 'default'} loading={acting === a} data-testid={`action-${a}`} size={screens.md ? 'middle' : 'large'}>
                      {label(INCIDENT_ACTIONS, a, lang)}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Button key={a} onClick={() => setDialog(a)} data-testid={`action-${a}`} danger={a === 'cancel'} type={a === 'resolve' ? 'primary' : 'default'} size={screens.md ? 'middle' : 'large'}>
                    {label(INCIDENT_ACTIONS, a, lang)}
                  </Button>
                ),
              )}
            </Space>
          )}
        </div>
      </Card>

      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('SLA 时限', 'SLA clocks')} data-testid="clocks">
            {clockRows.map(({ key, c, met, due, name }) => {
              const used = c ? c.elapsedMinutes / Math.max(1, c.budgetMinutes) : 0;
              return (
                <div key={key} style={{ display: 'flex', justifyContent: 'space-between', padding: '6px 0', borderBottom: '1px solid #f0f0f0', gap: 8 }}>
                  <div>
                    <strong>{name}</strong>
                    <div style={{ fontSize: 12, color: '#888' }}>
                      {t('时限', 'Due')} {shortTime(due)} · {t('预算', 'budget')} {c ? duration(c.budgetMinutes * 60_000) : '—'}
                      {c?.pauses.length ? ` · ${t('暂停', 'paused')} ${c.pauses.length}` : ''}
                    </div>
                  </div>
                  <div style={{ textAlign: 'right' }}>
                    <SlaCountdown name={name} deadline={due} startedAt={inc.reportedAt} metAt={met} now={now} breached={c?.breached} />
                    <div style={{ fontSize: 12, color: slaLevel(used).color }}>{c && !met ? `${Math.round(used * 100)}% ${t('已用（工作时间）', 'used (working time)')}` : ''}</div>
                  </div>
                </div>
              );
            })}
          </Card>
          <Card size="small" title={t('原厂升级', 'Vendor escalation')} style={{ marginTop: 12 }} data-testid="escalations">
            {(escalations.data ?? []).length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('未升级原厂', 'Not escalated')} />
            ) : (
              (escalations.data ?? []).map((e) => (
                <div key={e.id} style={{ marginBottom: 8 }}>
                  <Tag color={e.status === 'acknowledged' || e.status === 'resolved' ? 'green' : e.status === 'exhausted' ? 'red' : 'orange'}>{label(ESCALATION_STATES, e.status, lang)}</Tag>
                  {t(`第 ${e.level} 级`, `level ${e.level}`)} · {shortTime(e.startedAt)} · {e.reason}
                  {e.acknowledgedAt ? (
                    <div style={{ fontSize: 12, color: '#888' }}>
                      {t('响应', 'Acknowledged')} {shortTime(e.acknowledgedAt)} {e.acknowledgedBy ?? ''} {e.promisedOnSiteAt ? `· ${t('承诺到场', 'promised on site')} ${shortTime(e.promisedOnSiteAt)}` : ''}
                    </div>
                  ) : null}
                </div>
              ))
            )}
          </Card>
          <RecordCard record={record.data ?? null} onChanged={() => void reloadAll()} />
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('时间线', 'Timeline')} data-testid="timeline">
            <Timeline
              items={inc.timeline.map((e) => ({
                key: e.seq,
                color: e.type.includes('breach') ? 'red' : 'blue',
                content: (
                  <div>
                    <div>
                      <strong>{lang === 'en' ? e.textEn : e.text}</strong> <span style={{ color: '#888', fontSize: 12 }}>{dateTime(e.at)}</span>
                    </div>
                    {e.actor ? <div style={{ fontSize: 12, color: '#666' }}>{e.actor.name}</div> : null}
                    {e.note ? <div style={{ fontSize: 13 }}>{e.note}</div> : null}
                  </div>
                ),
              }))}
            />
          </Card>
          <Card size="small" title={t('关联告警', 'Alerts attached')} style={{ marginTop: 12 }} data-testid="alerts">
            <Table<AttachedAlert>
              size="small"
              rowKey="id"
              pagination={false}
              scroll={{ x: 500 }}
              locale={{ emptyText: t('无告警', 'No alerts') }}
              dataSource={alerts.data?.alerts ?? []}
              columns={[
                { title: t('告警', 'Alert'), dataIndex: 'alertname' },
                { title: t('级别', 'Severity'), dataIndex: 'severity', render: (v: string) => <Tag color={v === 'critical' ? 'red' : 'orange'}>{v}</Tag> },
                { title: t('状态', 'Status'), dataIndex: 'status' },
                { title: t('配置项', 'Item'), render: (_: unknown, a) => a.item?.name ?? '—' },
                { title: t('次数', 'Fires'), dataIndex: 'fires' },
                { title: t('最近', 'Last seen'), dataIndex: 'lastSeen', render: (v: string) => shortTime(v) },
              ]}
            />
          </Card>
        </Col>
      </Row>

      {dialog ? (
        <ActionDialog
          testId={`dialog-${dialog}`}
          title={`${inc.number} · ${label(INCIDENT_ACTIONS, dialog, lang)}`}
          fields={actionSpec(dialog, engineers).fields}
          onSubmit={(v) => run(dialog, v)}
          onClose={() => setDialog(null)}
        />
      ) : null}
    </div>
  );
}

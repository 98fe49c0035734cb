import { PhoneOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Checkbox, Grid, List, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { shortTime } from '../../app/format';
import { errorText, useLang, useT } from '../../app/i18n';
import { CHANNELS, INCIDENT_STATES, PRIORITY_COLORS, label } from '../../app/labels';
import { holds, useSession } from '../../app/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SlaCountdown, useNow } from '../../components/SlaCountdown';
import { OpenIncidentForm } from './OpenIncidentForm';

type Row = Awaited<ReturnType<typeof loadOpen>>['items'][number];

async function loadOpen(q: { priority?: string; systemId?: string; assigneeId?: string; breached?: boolean; state?: string }) {
  return must(api.GET('/incidents', { params: { query: { open: true, pageSize: 200, ...q } as never } }));
}

/**
 * The dispatcher's board (issue 16, P3): every open incident with its three SLA clocks counting down live
 * (respond, on site, repair; yellow at 50 %, orange at 75 %, red at 90 % of the time used), filters, the phone-call
 * form, and assignment to the engineer on duty in one click.
 */
export default function BoardPage() {
  const t = useT();
  const lang = useLang();
  const { session } = useSession();
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  const now = useNow();
  const [priority, setPriority] = useState<string | undefined>();
  const [systemId, setSystemId] = useState<string | undefined>();
  const [state, setState] = useState<string | undefined>();
  const [mine, setMine] = useState(false);
  const [breached, setBreached] = useState(false);
  const [opening, setOpening] = useState(false);
  const dispatcher = holds(session, 'dispatcher');
  const canAssign = holds(session, 'dispatcher', 'project_manager');

  const systems = useLoad(() => must(api.GET('/systems')), []);
  const onDuty = useLoad(() => must(api.GET('/roster/on-duty')), [], 60_000);
  const board = useLoad(
    () => loadOpen({ priority, systemId, state, assigneeId: mine ? session?.user.id : undefined, breached: breached || undefined }),
    [priority, systemId, state, mine, breached, session?.user.id],
    15_000,
  );
  const systemName = (id: string) => systems.data?.find((s) => s.id === id)?.displayName ?? '';
  const duty = onDuty.data?.onDuty ?? null;

  const assignOnDuty = async (row: Row) => {
    if (!duty) return;
    try {
      await must(api.POST('/incidents/{id}/assign', { params: { path: { id: row.id } }, body: { assigneeId: duty.userId, note: '值班指派 / on-duty assignment' } }));
      message.success(t(`已指派给 ${duty.displayName}`, `Assigned to ${duty.displayName}`));
      await board.reload();
    } catch (err) {
      message.error(errorText(lang, err));
    }
  };

  const clocks = (r: Row) => ({
    respond: <SlaCountdown name={t('响应', 'Respond')} deadline={r.deadlines.respond} startedAt={r.reportedAt} metAt={r.milestones.acknowledgedAt} now={now} breached={r.breachedClocks.includes('respond')} />,
    onSite: <SlaCountdown name={t('到场', 'On site')} deadline={r.deadlines.onSite} startedAt={r.reportedAt} metAt={r.milestones.onSiteAt} now={now} breached={r.breachedClocks.includes('on_site')} />,
    repair: <SlaCountdown name={t('修复', 'Repair')} deadline={r.deadlines.repair} startedAt={r.reportedAt} metAt={r.milestones.resolvedAt} now={now} breached={r.breachedClocks.includes('repair')} />,
  });
  const assignCell = (r: Row) =>
    r.assignee ? (
      <span>{r.assignee.name}</span>
    ) : canAssign && duty ? (
      <Button size="small" onClick={() => void assignOnDuty(r)} data-testid={`assign-${r.number}`}>
        {t(`指派值班：${duty.displayName}`, `Assign on duty: ${duty.displayName}`)}
      </Button>
    ) : (
      <Tag>{t('未指派', 'Unassigned')}</Tag>
    );

  const items = board.data?.items ?? [];
  const filters = (
    <Space wrap style={{ marginBottom: 12 }}>
      <Select allowClear placeholder={t('优先级', 'Priority')} style={{ width: 110 }} value={priority} onChange={setPriority} options={['P1', 'P2', 'P3', 'P4'].map((p) => ({ value: p, label: p }))} />
      <Select
        allowClear
        showSearch
        optionFilterProp="label"
        placeholder={t('业务系统', 'System')}
        style={{ width: 200 }}
        value={systemId}
        onChange={setSystemId}
        options={(systems.data ?? []).map((s) => ({ value: s.code, label: `${s.code} ${s.displayName}` }))}
      />
      <Select
        allowClear
        placeholder={t('状态', 'State')}
        style={{ width: 140 }}
        value={state}
        onChange={setState}
        options={['reported', 'acknowledged', 'on_site', 'reopened', 'resolved', 'recovered', 'confirmed'].map((s) => ({ value: s, label: label(INCIDENT_STATES, s, lang) }))}
      />
      <Checkbox checked={mine} onChange={(e) => setMine(e.target.checked)}>
        {t('指派给我', 'Mine')}
      </Checkbox>
      <Checkbox checked={breached} onChange={(e) => setBreached(e.target.checked)}>
        {t('已超时', 'Breached')}
      </Checkbox>
      <Button icon={<ReloadOutlined />} onClick={() => void board.reload()} loading={board.loading} />
    </Space>
  );

  return (
    <div data-testid="board">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('调度台：未结束工单', 'Dispatch board: open incidents')} <Tag>{board.data?.total ?? 0}</Tag>
        </Typography.Title>
        <Space wrap>
          <Typography.Text type="secondary" data-testid="on-duty">
            {t('当前值班', 'On duty')}: {duty?.displayName ?? t('无人值班', 'nobody')}
          </Typography.Text>
          {dispatcher ? (
            <Button type="primary" icon={<PhoneOutlined />} onClick={() => setOpening(true)} data-testid="open-incident">
              {t('电话报障', 'Phone call: open incident')}
            </Button>
          ) : null}
        </Space>
      </Space>
      {filters}
      <ErrorAlert error={board.error} />
      {screens.md ? (
        <Table<Row>
          rowKey="id"
          size="middle"
          loading={board.loading && !board.data}
          dataSource={items}
          pagination={false}
          scroll={{ x: 1100 }}
          rowClassName={(r) => (r.breached ? 'row-breached' : '')}
          columns={[
            { title: t('工单号', 'Number'), dataIndex: 'number', width: 150, render: (v: string, r) => <Link to={`/incidents/${r.id}`}>{v}</Link> },
            { title: t('优先级', 'Priority'), dataIndex: 'priority', width: 80, render: (v: string) => <Tag color={PRIORITY_COLORS[v]}>{v}</Tag> },
            { title: t('业务系统', 'System'), dataIndex: 'systemId', width: 170, render: (v: string) => systemName(v) },
            { title: t('标题', 'Title'), dataIndex: 'title', ellipsis: true },
            { title: t('状态', 'State'), dataIndex: 'state', width: 110, render: (v: string) => <Tag>{label(INCIDENT_STATES, v, lang)}</Tag> },
            { title: t('报障', 'Reported'), dataIndex: 'reportedAt', width: 110, render: (v: string, r) => <span title={label(CHANNELS, r.channel, lang)}>{shortTime(v)}</span> },
            { title: t('响应', 'Respond'), key: 'respond', width: 120, render: (_: unknown, r) => clocks(r).respond },
            { title: t('到场', 'On site'), key: 'onSite', width: 120, render: (_: unknown, r) => clocks(r).onSite },
            { title: t('修复', 'Repair'), key: 'repair', width: 130, render: (_: unknown, r) => clocks(r).repair },
            { title: t('处理人', 'Assignee'), key: 'assignee', width: 180, render: (_: unknown, r) => assignCell(r) },
          ]}
        />
      ) : (
        <List
          loading={board.loading && !board.data}
          dataSource={items}
          renderItem={(r) => (
            <Card size="small" style={{ marginBottom: 8, borderColor: r.breached ? '#ff4d4f' : undefined }} data-testid={`card-${r.number}`}>
              <Space style={{ width: '100%', justifyContent: 'space-between' }}>
                <Link to={`/incidents/${r.id}`}>
                  <Tag color={PRIORITY_COLORS[r.priority]}>{r.priority}</Tag>
                  {r.number}
                </Link>
                <Tag>{label(INCIDENT_STATES, r.state, lang)}</Tag>
              </Space>
              <div style={{ margin: '6px 0' }}>
                <Typography.Text strong>{r.title}</Typography.Text>
                <div style={{ color: '#888', fontSize: 12 }}>
                  {systemName(r.systemId)} · {shortTime(r.reportedAt)}
                </div>
              </div>
              <Space size={12} wrap style={{ fontSize: 13 }}>
                <span>
                  {t('响应', 'Respond')} {clocks(r).respond}
                </span>
                <span>
                  {t('到场', 'On site')} {clocks(r).onSite}
                </span>
                <span>
                  {t('修复', 'Repair')} {clocks(r).repair}
                </span>
              </Space>
              <div style={{ marginTop: 6 }}>{assignCell(r)}</div>
            </Card>
          )}
        />
      )}
      {opening ? (
        <OpenIncidentForm
          systems={systems.data ?? []}
          onDuty={duty}
          onClose={() => setOpening(false)}
          onOpened={() => {
            setOpening(false);
            void board.reload();
          }}
        />
      ) : null}
    </div>
  );
}

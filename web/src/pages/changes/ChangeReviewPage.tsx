import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Input, Row, Segmented, Space, Tabs, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { paths } from '../../api/schema.gen';
import { dateTime } from '../../app/format';
import { errorText, useLang, useT } from '../../app/i18n';
import { CHANGE_ACTIONS, CHANGE_KINDS, CHANGE_STATES, RISKS, RISK_COLORS, STATEMENT_KINDS, label } from '../../app/labels';
import { holds, useSession } from '../../app/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ActionDialog, FieldSpec } from '../incidents/ActionDialog';

type Change = paths['/changes/{id}']['get']['responses']['200']['content']['application/json'];
type Statement = Change['revisions'][number]['forwardStatements'][number];

/** How a statement is marked: destructive red, unparsed orange (fail closed: treated as high risk), DDL blue, DML gold. */
function statementTone(s: Statement): { color: string; tag: string } {
  if (!s.parsed) return { color: '#fa8c16', tag: 'orange' };
  if (s.destructive) return { color: '#f5222d', tag: 'red' };
  if (s.kind === 'ddl') return { color: '#1677ff', tag: 'blue' };
  if (s.kind === 'dml') return { color: '#d4b106', tag: 'gold' };
  return { color: '#bfbfbf', tag: 'default' };
}

function Statements({ items }: { items: Statement[] }) {
  const t = useT();
  const lang = useLang();
  if (!items.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('无语句', 'No statements')} />;
  return (
    <div data-testid="statements">
      {items.map((s) => {
        const tone = statementTone(s);
        return (
          <div key={s.index} data-testid={`statement-${s.index}`} data-kind={s.kind} data-destructive={s.destructive} data-parsed={s.parsed} style={{ borderLeft: `4px solid ${tone.color}`, background: '#fafafa', padding: '6px 10px', marginBottom: 8 }}>
            <Space size={4} wrap style={{ marginBottom: 4 }}>
              <Typography.Text type="secondary">#{s.index}</Typography.Text>
              <Tag color={tone.tag}>{label(STATEMENT_KINDS, s.kind, lang)}</Tag>
              {s.destructive ? <Tag color="red">{t('破坏性', 'Destructive')}</Tag> : null}
              {!s.parsed ? <Tag color="orange">{t('无法解析（按高风险处理）', 'Not understood (treated as high risk)')}</Tag> : null}
              {s.objects.map((o, i) => (
                <Tag key={i}>
                  {o.action} {o.type} {o.name}
                </Tag>
              ))}
            </Space>
            <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 }}>{s.text}</pre>
            {s.reasons.length || s.parseError ? <div style={{ fontSize: 12, color: tone.color }}>{[...s.reasons, s.parseError].filter(Boolean).join('；')}</div> : null}
          </div>
        );
      })}
    </div>
  );
}

function Diff({ lines }: { lines: string[] | undefined }) {
  const t = useT();
  if (!lines) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('第一版，无差异', 'First revision: nothing to compare')} />;
  return (
    <pre data-testid="diff" style={{ fontSize: 12, margin: 0, overflowX: 'auto' }}>
      {lines.map((l, i) => (
        <div key={i} style={{ background: l.startsWith('+ ') ? '#f6ffed' : l.startsWith('- ') ? '#fff1f0' : l.startsWith('!') ? '#fffbe6' : undefined, color: l.startsWith('+ ') ? '#237804' : l.startsWith('- ') ? '#a8071a' : undefined }}>
          {l || ' '}
        </div>
      ))}
    </pre>
  );
}

/**
 * Change review (S4): each statement of the SQL with what the classifier made of it, the diff between revisions, the
 * window, approvals and the decision. Separation of duties is the workflow's rule: whoever wrote, submitted or carries
 * out the change is never offered the review, and the page says why.
 */
export default function ChangeReviewPage() {
  const { id = '' } = useParams();
  const t = useT();
  const lang = useLang();
  const { session } = useSession();
  const { message } = App.useApp();
  const change = useLoad(() => must(api.GET('/changes/{id}', { params: { path: { id } } })), [id]);
  const [shown, setShown] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [acting, setActing] = useState<string | null>(null);
  const c = change.data;
  if (change.error && !c) return <ErrorAlert error={change.error} />;
  if (!c) return <Card loading />;

  const revision = c.revisions.find((r) => r.number === (shown ?? c.currentRevision)) ?? c.revisions[c.revisions.length - 1];
  const canReview = c.allowedActions.includes('review');
  const reviewerRole = holds(session, 'reviewer', 'it_manager');
  const review = async (decision: 'approve' | 'reject' | 'send_back') => {
    if (decision !== 'approve' && !comment.trim()) {
      setError({ body: { messageZh: '退回或驳回须写明意见', messageEn: 'say why when sending back or rejecting' } });
      return;
    }
    setBusy(decision);
    setError(null);
    try {
      await must(api.POST('/changes/{id}/review', { params: { path: { id: c.id } }, body: { decision, ...(comment.trim() ? { comment: comment.trim() } : {}) } }));
      message.success(`${label(CHANGE_ACTIONS, decision, lang)} ✓`);
      setComment('');
      await change.reload();
    } catch (err) {
      setError(err);
      message.error(errorText(lang, err));
    } finally {
      setBusy(null);
    }
  };

  // What follows the review (S4): carry out the approved revision in its window, verify, close; or cancel.
  const followUps: Record<string, { label: [string, string]; fields: FieldSpec[]; body(v: Record<string, string>): object }> = {
    implement: { label: ['记录实施', 'Record implementation'], fields: [{ name: 'evidence', kind: 'text', label: ['执行内容与输出', 'What was run, by whom, the output'], required: true, rows: 4 }], body: (v) => ({ revision: c.approvedRevision ?? c.currentRevision, evidence: v.evidence }) },
    verify: {
      label: ['验证结果', 'Verify'],
      fields: [
        { name: 'outcome', kind: 'select', label: ['结果', 'Outcome'], required: true, options: [{ value: 'succeeded', label: t('成功', 'Succeeded') }, { value: 'rolled_back', label: t('已回滚', 'Rolled back') }] },
        { name: 'evidence', kind: 'text', label: ['验证依据', 'Evidence'], required: true },
      ],
      body: (v) => v,
    },
    close: { label: ['关闭变更', 'Close'], fields: [{ name: 'note', kind: 'text', label: ['备注（可选）', 'Note (optional)'] }], body: (v) => v },
    cancel: { label: ['取消变更', 'Cancel the change'], fields: [{ name: 'reason', kind: 'text', label: ['原因', 'Reason'], required: true }], body: (v) => v },
  };
  const actions = c.allowedActions.filter((a) => a in followUps);

  return (
    <div data-testid="change-page" data-state={c.state}>
      <Link to="/changes">
        <ArrowLeftOutlined /> {t('数据库变更', 'Schema changes')}
      </Link>
      <Card
        style={{ marginTop: 8 }}
        title={
          <Space wrap>
            <span>{c.number}</span>
            <Tag color="blue" data-testid="change-state">
              {label(CHANGE_STATES, c.state, lang)}
            </Tag>
            <Tag color={RISK_COLORS[c.risk]}>
              {t('风险', 'risk')} {label(RISKS, c.risk, lang)}
            </Tag>
            {c.destructive ? <Tag color="red">{t('含破坏性语句', 'destructive')}</Tag> : null}
          </Space>
        }
      >
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {c.title}
        </Typography.Title>
        {actions.length ? (
          <Space wrap style={{ marginBottom: 8 }} data-testid="change-actions">
            {actions.map((a) => (
              <Button key={a} danger={a === 'cancel'} type={a === 'implement' ? 'primary' : 'default'} onClick={() => setActing(a)} data-testid={`change-${a}`}>
                {t(followUps[a].label[0], followUps[a].label[1])}
              </Button>
            ))}
          </Space>
        ) : null}
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
          <Descriptions.Item label={t('类别', 'Kind')}>{label(CHANGE_KINDS, c.kind, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('窗口', 'Window')}>
            {dateTime(c.window.start)} – {dateTime(c.window.end)}
          </Descriptions.Item>
          <Descriptions.Item label={t('审核期限', 'Review due')}>{dateTime(c.reviewDueAt)}</Descriptions.Item>
          <Descriptions.Item label={t('原因', 'Reason')}>{c.reason}</Descriptions.Item>
          <Descriptions.Item label={t('已批准修订', 'Approved revision')}>{c.approvedRevision ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('批准', 'Approvals')}>
            <span data-testid="approvals">{c.approvals.length ? c.approvals.map((a) => `${a.by}（r${a.revision}，${dateTime(a.at)}）`).join('；') : '—'}</span>
          </Descriptions.Item>
        </Descriptions>
      </Card>

      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={16}>
          <Card
            size="small"
            title={
              <Space wrap>
                {t('修订版', 'Revision')}
                <Segmented value={revision.number} onChange={(v) => setShown(Number(v))} options={c.revisions.map((r) => ({ value: r.number, label: `r${r.number}` }))} />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {revision.submittedBy} · {dateTime(revision.submittedAt)} · {revision.dialect ?? ''}
                </Typography.Text>
              </Space>
            }
          >
            <Tabs
              items={[
                { key: 'forward', label: t(`执行脚本（${revision.forwardStatements.length} 条语句）`, `Forward (${revision.forwardStatements.length} statements)`), children: <Statements items={revision.forwardStatements} /> },
                { key: 'rollback', label: t(`回滚脚本（${revision.rollbackStatements.length}）`, `Rollback (${revision.rollbackStatements.length})`), children: <Statements items={revision.rollbackStatements} /> },
                {
                  key: 'diff',
                  label: <span data-testid="diff-tab">{t('与上一版差异', 'Diff from previous')}</span>,
                  children: (
                    <>
                      <Typography.Text strong>{t('执行脚本', 'Forward')}</Typography.Text>
                      <Diff lines={revision.diffFromPrevious?.forward} />
                      <Typography.Text strong>{t('回滚脚本', 'Rollback')}</Typography.Text>
                      <Diff lines={revision.diffFromPrevious?.rollback} />
                    </>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('审核', 'Review')} data-testid="review">
            <ErrorAlert error={error} onClose={() => setError(null)} />
            {canReview ? (
              <>
                <Input.TextArea rows={3} placeholder={t('审核意见（退回、驳回时必填）', 'Comment (required to send back or reject)')} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="review-comment" />
                <Space wrap style={{ marginTop: 8 }}>
                  <Button type="primary" loading={busy === 'approve'} onClick={() => void review('approve')} data-testid="review-approve">
                    {t('批准', 'Approve')}
                  </Button>
                  <Button loading={busy === 'send_back'} onClick={() => void review('send_back')} data-testid="review-send-back">
                    {t('退回修改', 'Send back')}
                  </Button>
                  <Button danger loading={busy === 'reject'} onClick={() => void review('reject')} data-testid="review-reject">
                    {t('驳回', 'Reject')}
                  </Button>
                </Space>
              </>
            ) : reviewerRole && c.state === 'in_review' ? (
              <Alert
                type="warning"
                showIcon
                data-testid="separation-of-duties"
                title={t('您不能审核此变更', 'You may not review this change')}
                description={t('职责分离（S4）：变更的提交人、修订人和实施人不能审核自己的变更，或您已批准过此修订。', 'Separation of duties (S4): whoever submitted, revised or carries out a change may not review it, or you have already approved this revision.')}
              />
            ) : (
              <Typography.Text type="secondary">{c.state === 'in_review' ? t('等待院方审核', 'Awaiting the hospital’s review') : label(CHANGE_STATES, c.state, lang)}</Typography.Text>
            )}
          </Card>
          <Card size="small" title={t('审核记录', 'History')} style={{ marginTop: 12 }}>
            <Timeline
              items={c.history.map((h) => ({
                key: h.seq,
                content: (
                  <div>
                    <strong>{label(CHANGE_ACTIONS, h.action, lang)}</strong>
                    {h.action === 'review' ? ` → ${label(CHANGE_STATES, h.to, lang)}` : ''} {h.revision ? `r${h.revision}` : ''} · {h.by ?? ''}
                    <div style={{ fontSize: 12, color: '#888' }}>{dateTime(h.at)}</div>
                    {h.comment ? <div>{h.comment}</div> : null}
                  </div>
                ),
              }))}
            />
          </Card>
        </Col>
      </Row>
      {acting && followUps[acting] ? (
        <ActionDialog
          testId={`dialog-change-${acting}`}
          title={`${c.number} · ${t(followUps[acting].label[0], followUps[acting].label[1])}`}
          fields={followUps[acting].fields}
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            const path = `/changes/{id}/${acting}` as '/changes/{id}/close';
            await must(api.POST(path, { params: { path: { id: c.id } }, body: followUps[acting].body(v) as never }));
            message.success(t('已提交', 'Done'));
            await change.reload();
          }}
        />
      ) : null}
    </div>
  );
}

import { Badge, Card, Empty, List, Typography } from 'antd';
import { Link } from 'react-router';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { dateTime } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** My in-app messages (S12): what was assigned to me, clocks about to breach, escalations. */
export default function InboxPage() {
  const t = useT();
  const inbox = useLoad(() => must(api.GET('/me/notifications')), [], 30_000);
  return (
    <div data-testid="inbox">
      <PageTitle title={t('我的消息', 'My messages')} onReload={() => void inbox.reload()} loading={inbox.loading} />
      <ErrorAlert error={inbox.error} />
      {(inbox.data ?? []).length === 0 && !inbox.loading ? <Empty description={t('暂无消息', 'No messages')} /> : null}
      <List
        dataSource={inbox.data ?? []}
        renderItem={(n) => (
          <Card size="small" style={{ marginBottom: 8 }}>
            <Badge status={n.readAt ? 'default' : 'processing'} />
            <Typography.Text strong>{n.title}</Typography.Text>
            <div style={{ fontSize: 12, color: '#888' }}>
              {dateTime(n.createdAt)}
              {n.incidentId ? (
                <>
                  {' · '}
                  <Link to={`/incidents/${n.incidentId}`}>{t('查看工单', 'Open incident')}</Link>
                </>
              ) : null}
            </div>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{n.body}</Typography.Paragraph>
          </Card>
        )}
      />
    </div>
  );
}

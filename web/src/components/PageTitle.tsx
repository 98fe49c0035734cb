import { ReloadOutlined } from '@ant-design/icons';
import { Button, Space, Typography } from 'antd';
import type { ReactNode } from 'react';

/** A page's heading with its filters and a reload button, wrapping on a phone. */
export function PageTitle({ title, extra, onReload, loading }: { title: string; extra?: ReactNode; onReload?: () => void; loading?: boolean }) {
  return (
    <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }} wrap>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      <Space wrap>
        {extra}
        {onReload ? <Button icon={<ReloadOutlined />} onClick={onReload} loading={loading} /> : null}
      </Space>
    </Space>
  );
}

import { Empty } from 'antd';
import { useT } from '../../app/i18n';

export default function ChangeReviewPage() {
  const t = useT();
  return <Empty description={t('此页面即将上线', 'This page is coming')} />;
}

import { App, Col, DatePicker, Drawer, Form, Grid, Input, Radio, Row, Select, Button } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, must } from '../../api/client';
import { beijingIso } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';

interface Values {
  systemId: string;
  title: string;
  description: string;
  reporterName: string;
  reporterDepartment: string;
  reporterPhone?: string;
  priority: 'P1' | 'P2' | 'P3' | 'P4';
  reportedAt?: Dayjs;
}

/**
 * A phone call becomes an incident in one form (P3): who called, from which department, which system, what is wrong,
 * how urgent. It goes to the engineer on duty unless the dispatcher reassigns it; the clocks start at the call.
 */
export function OpenIncidentForm(props: { systems: { code: string; displayName: string }[]; onDuty: { displayName: string } | null; onClose(): void; onOpened(id: string): void }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm<Values>();

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const opened = await must(
        api.POST('/incidents', {
          body: {
            systemId: v.systemId,
            title: v.title,
            description: v.description,
            reporter: { name: v.reporterName, department: v.reporterDepartment, ...(v.reporterPhone ? { phone: v.reporterPhone } : {}) },
            priority: v.priority,
            channel: 'phone',
            ...(v.reportedAt ? { reportedAt: beijingIso(v.reportedAt.format('YYYY-MM-DDTHH:mm')) } : {}),
          } as never,
        }),
      );
      message.success(t(`已创建工单 ${opened.number}`, `Opened ${opened.number}`));
      props.onOpened(opened.id);
      navigate(`/incidents/${opened.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      open
      title={t('电话报障', 'Phone call: open an incident')}
      size={screens.md ? 560 : '100%'}
      onClose={props.onClose}
      extra={
        <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="open-submit">
          {t('创建工单', 'Open incident')}
        </Button>
      }
    >
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ priority: 'P3' }} data-testid="open-form">
        <Form.Item name="systemId" label={t('业务系统', 'Business system')} rules={[{ required: true, message: t('请选择业务系统', 'Choose the system') }]}>
          <Select showSearch optionFilterProp="label" options={props.systems.map((s) => ({ value: s.code, label: `${s.code} ${s.displayName}` }))} data-testid="open-system" />
        </Form.Item>
        <Form.Item name="title" label={t('故障现象', 'What is wrong')} rules={[{ required: true, max: 200 }]}>
          <Input placeholder={t('如：PACS 影像无法调阅', 'e.g. PACS images do not open')} data-testid="open-title" />
        </Form.Item>
        <Form.Item name="description" label={t('详细描述', 'Details')} rules={[{ required: true }]}>
          <Input.TextArea rows={3} data-testid="open-description" />
        </Form.Item>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="reporterName" label={t('报障人', 'Caller')} rules={[{ required: true }]}>
              <Input data-testid="open-reporter" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="reporterDepartment" label={t('科室', 'Department')} rules={[{ required: true }]}>
              <Input data-testid="open-department" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="reporterPhone" label={t('回拨电话', 'Call-back number')}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="reportedAt" label={t('来电时间（默认现在，北京时间）', 'Call time (default now, Beijing)')}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="priority" label={t('优先级', 'Priority')} rules={[{ required: true }]}>
          <Radio.Group optionType="button" options={['P1', 'P2', 'P3', 'P4'].map((p) => ({ value: p, label: p }))} />
        </Form.Item>
        <div style={{ color: '#888' }}>
          {t('将指派给当前值班工程师：', 'Goes to the engineer on duty: ')}
          {props.onDuty?.displayName ?? t('（暂无值班，稍后指派）', '(nobody on duty: assign later)')}
        </div>
      </Form>
    </Drawer>
  );
}

import { Tag, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { duration, shortTime } from '../app/format';
import { useT } from '../app/i18n';

/** One clock ticking for every countdown on the page (a re-render a second, not a timer per cell). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(id);
  }, [everyMs]);
  return now;
}

/** The colour of a clock by how much of its time is used: 50 %, 75 %, 90 % (issue 16), red past the deadline. */
export function slaLevel(fraction: number): { color: string; level: 'ok' | 'half' | 'three-quarters' | 'critical' | 'breached' } {
  if (fraction >= 1) return { color: '#cf1322', level: 'breached' };
  if (fraction >= 0.9) return { color: '#f5222d', level: 'critical' };
  if (fraction >= 0.75) return { color: '#fa8c16', level: 'three-quarters' };
  if (fraction >= 0.5) return { color: '#d4b106', level: 'half' };
  return { color: '#389e0d', level: 'ok' };
}

/**
 * A live SLA countdown: time left to the deadline (the API computed it on the working calendar), coloured by the
 * share of the clock's time already used. `startedAt` is when the clock started (the report); `metAt` stops it.
 */
export function SlaCountdown(props: { name: string; deadline: string | null | undefined; startedAt: string | null | undefined; metAt?: string | null; now: number; breached?: boolean }) {
  const t = useT();
  const { deadline, startedAt, metAt, now } = props;
  if (metAt) {
    // A stopped clock keeps no deadline; whether it was met in time is its `breached` flag.
    const late = props.breached === true || (!!deadline && new Date(metAt).getTime() > new Date(deadline).getTime());
    return (
      <Tooltip title={`${props.name} ${t('完成于', 'met at')} ${shortTime(metAt)}${deadline ? ` · ${t('时限', 'due')} ${shortTime(deadline)}` : ''}`}>
        <Tag color={late ? 'red' : 'green'} data-sla={late ? 'late' : 'met'} data-clock={props.name}>
          {late ? t('超时完成', 'Met late') : t('已达成', 'Met')}
        </Tag>
      </Tooltip>
    );
  }
  if (!deadline) return <span style={{ color: '#999' }}>—</span>;
  const due = new Date(deadline).getTime();
  const start = startedAt ? new Date(startedAt).getTime() : due;
  const span = Math.max(1, due - start);
  const fraction = (now - start) / span;
  const { color, level } = slaLevel(props.breached ? Math.max(fraction, 1) : fraction);
  const left = due - now;
  return (
    <Tooltip title={`${props.name} ${t('时限', 'due')} ${shortTime(deadline)} · ${t('已用', 'used')} ${Math.min(999, Math.round(fraction * 100))}%`}>
      <span data-sla={level} data-clock={props.name} style={{ color, fontWeight: level === 'ok' ? 400 : 600, fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
        {left < 0 ? `${t('超时', 'over')} ${duration(-left)}` : duration(left)}
      </span>
    </Tooltip>
  );
}

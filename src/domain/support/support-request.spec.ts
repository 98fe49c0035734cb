import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../errors';
import { SupportInput, SupportProcess } from './support-request';

const eng = { id: 'e', name: '李工', roles: ['engineer'] };
const desk = { id: 'd', name: '王调度', roles: ['dispatcher'] };
const input = (touchesData: boolean): SupportInput => ({
  requestId: 'r',
  number: 'SR-1',
  systemId: 's',
  type: touchesData ? 'data_fix' : 'report_export',
  title: 't',
  description: 'd',
  requester: { name: 'n', department: 'dep' },
  submittedAt: 0,
  submittedBy: desk,
  dueAt: 1000,
  policy: { type: touchesData ? 'data_fix' : 'report_export', workingDays: 2, touchesData },
});
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as DomainError).code;
  }
  return null;
};

describe('support request clock and lifecycle (S6)', () => {
  it('breaches once when the clock runs out before fulfilment; fulfilment in time stops it', () => {
    const late = new SupportProcess(input(false));
    expect(late.nextWakeAt()).toBe(1000);
    expect(late.tick(999)).toBeNull();
    expect(late.tick(1200)).toMatchObject({ type: 'breached', at: 1000, seq: 1 });
    expect(late.tick(2000)).toBeNull();
    expect(late.view().breached).toBe(true);

    const onTime = new SupportProcess(input(false));
    onTime.apply({ action: 'accept', actor: eng }, 10);
    expect(onTime.apply({ action: 'fulfil', actor: eng, result: '已导出' }, 900).data).toEqual({ met: true });
    expect(onTime.nextWakeAt()).toBeNull();
    expect(onTime.tick(5000)).toBeNull();
    // Sent back, the clock runs again from where it stood.
    onTime.apply({ action: 'reopen', actor: desk, reason: '缺少字段' }, 950);
    expect(onTime.nextWakeAt()).toBe(1000);
  });

  it('warns once at its warning point while it runs, names the assignee, and wakes for the warning only when asked', () => {
    const req = new SupportProcess({ ...input(false), warnAt: 750 });
    expect(req.nextWakeAt()).toBe(1000);
    expect(req.nextWakeAt(true)).toBe(750);
    expect(req.assignee).toBeNull();
    expect(req.warning(749)).toBeNull();
    req.apply({ action: 'accept', actor: eng }, 100);
    expect(req.assignee).toEqual({ id: 'e', name: '李工' });
    expect(req.warning(760)).toEqual({ at: 750, fraction: 0.75 });
    expect(req.warning(800)).toBeNull();
    expect(req.nextWakeAt(true)).toBe(1000);

    // Breached or fulfilled before the warning point: no warning. Input from before warnings: none either.
    const late = new SupportProcess({ ...input(false), warnAt: 750 });
    late.tick(1100);
    expect(late.warning(1100)).toBeNull();
    const done = new SupportProcess({ ...input(false), warnAt: 750 });
    done.apply({ action: 'accept', actor: eng }, 10);
    done.apply({ action: 'fulfil', actor: eng, result: '已导出' }, 500);
    expect(done.warning(800)).toBeNull();
    expect(done.nextWakeAt(true)).toBeNull();
    const old = new SupportProcess(input(false));
    expect(old.nextWakeAt(true)).toBe(1000);
    expect(old.warning(900)).toBeNull();
  });

  it('a request that touches data needs an implemented change', () => {
    const r = new SupportProcess(input(true));
    r.apply({ action: 'accept', actor: eng }, 1);
    expect(code(() => r.validate({ action: 'fulfil', actor: eng, result: 'x' }))).toBe('ILLEGAL_TRANSITION');
    expect(code(() => r.validate({ action: 'fulfil', actor: eng, result: 'x', change: { id: 'c', number: 'CHG-1', state: 'approved' } }))).toBe('ILLEGAL_TRANSITION');
    r.apply({ action: 'fulfil', actor: eng, result: 'x', change: { id: 'c', number: 'CHG-1', state: 'implemented' } }, 2);
    expect(r.view().change?.number).toBe('CHG-1');
    expect(code(() => r.validate({ action: 'confirm', actor: eng }))).toBe('FORBIDDEN');
    r.apply({ action: 'confirm', actor: desk }, 3);
    expect(r.view()).toMatchObject({ state: 'confirmed', confirmedAt: 3, allowedActions: [] });
  });
});

import * as l10n from '@vscode/l10n';
import { tr } from './l10n';
import { THREAD_STATES } from './states';
import type { ConcurrencyModel, ConnectionView, LabProgress, ProgramView, SyncView, ThreadView } from './views';

// One line that answers "what is it doing?" for a thread, process or primitive (views and CLI).

export function formatSeconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

/**
 * What a thread or process is doing, as its tree row, hover, lane and the CLI say it:
 * `waiting for Lock A (1.2 s, held by T2)`. `now` null: without the time in the state (a
 * timeline lane, which draws the time itself).
 */
export function describeThread(t: ThreadView, now: number | null): string {
  const info = THREAD_STATES[t.state];
  const w = t.waitingFor;
  const serving = t.serving ? l10n.t(' · serving {0}', t.serving.peer) : '';
  if (t.kind === 'process' && !t.alive && t.exitCode !== null) {
    return t.error ? l10n.t('exited {0} · {1}: {2}', t.exitCode, t.error.type, t.error.message) : l10n.t('exited {0}', t.exitCode);
  }
  if (t.state === 'failed' && t.error) return l10n.t('failed · {0}: {1}', t.error.type, t.error.message);
  const since = now === null || !info.timed ? [] : [formatSeconds(now - t.stateSince)];
  if (w) {
    const held = w.holderName && t.state !== 'joining' ? [l10n.t('held by {0}', w.holderName)] : [];
    const paren = [...since, ...held];
    return `${tr(info.verb)} ${w.name}${paren.length ? ` (${paren.join(', ')})` : ''}${serving}`;
  }
  return `${tr(t.state)}${since.length ? ` (${since[0]})` : ''}${serving}`;
}

export function describeSync(s: SyncView): string {
  const parts: string[] = [s.primitive];
  if (s.deadlocked) parts.unshift(l10n.t('DEADLOCK'));
  switch (s.primitive) {
    case 'Lock':
    case 'RLock':
      parts.push(
        s.holderName ? l10n.t('held by {0}', s.holderName) + (s.primitive === 'RLock' ? l10n.t(' (depth {0})', s.depth) : '') + (s.ownerDead ? l10n.t(' — who ended holding it') : '') : l10n.t('free'),
      );
      break;
    case 'Event':
      parts.push(s.value ? l10n.t('set') : l10n.t('clear'));
      break;
    case 'Semaphore':
    case 'BoundedSemaphore':
      parts.push(l10n.t('value {0}', String(s.value)));
      break;
    case 'Barrier':
      parts.push(s.broken ? l10n.t('broken') : l10n.t('{0} arrived', String(s.value)));
      break;
    case 'Value':
    case 'Array':
    case 'dict':
    case 'list':
    case 'Namespace':
    case 'Queue':
      parts.push(s.contents ?? String(s.value));
      break;
    case 'Condition':
      break;
  }
  if (s.waiters.length) parts.push(l10n.t('{0} waiting', s.waiters.length));
  if (s.sharing === 'shared via broker') parts.push(l10n.t('via broker'));
  else if (s.sharing === 'shared between processes') parts.push(l10n.t('between processes'));
  else if (s.sharing === 'in a Manager process') parts.push(l10n.t('in the Manager process'));
  return parts.join(' · ');
}

/** A running lab's progress for a row: `40% · 6 s left` (`40%` until the time left can be told). */
export function describeProgress(p: LabProgress): string {
  const pct = `${Math.min(99, Math.floor(p.fraction * 100))}%`;
  if (p.leftMs === null) return pct;
  return p.leftMs < 1000 ? l10n.t('{0} · finishing', pct) : l10n.t('{0} · {1} s left', pct, Math.ceil(p.leftMs / 1000));
}

/** What serves an iterative server's connection (the dashboard's lanes and stream say it too). */
export const SERVED_ONE_AT_A_TIME = 'the server itself, one client at a time';

/**
 * Who serves a connection, in its model's terms. The iterative and event-loop models both run the
 * handler on Node's one event loop, yet they serve differently: an event-loop server serves every
 * connection as its socket becomes readable, while an iterative one (socketserver.TCPServer) serves
 * one client until it leaves and makes the others wait. "event loop" would suggest the former.
 */
export function describeServedBy(c: Pick<ConnectionView, 'servedBy' | 'servedById'>, model: ConcurrencyModel | undefined): string {
  if (model === 'iterative' && c.servedById === null) return tr(SERVED_ONE_AT_A_TIME);
  return c.servedBy;
}

/** A traced program's row: `pid 4242 · running`, `exited with code 1`, `running · deadlocked`. */
export function describeProgram(p: ProgramView): string {
  const pid = p.pid !== null ? `pid ${p.pid} · ` : '';
  if (p.state === 'starting') return pid + l10n.t('starting');
  if (p.state === 'running') return pid + l10n.t('running') + (p.deadlock ? l10n.t(' · deadlocked') : '');
  if (p.exitCode === null) return pid + l10n.t('ended');
  return pid + (p.exitCode < 0 ? l10n.t('ended by signal {0}', -p.exitCode) : l10n.t('exited with code {0}', p.exitCode));
}

import { parseArgs } from 'node:util';
import * as l10n from '@vscode/l10n';
import { parseTarget, type ClientTransportKind, type Target } from '../../engine/target';
import { negativeNumbersAsArguments } from '../args';
import { UsageError } from '../usage';

/** What ends each typed line on the wire. The tutorials' clients send `input()` bare: `none`. */
export const LINE_ENDINGS = { none: '', lf: '\n', crlf: '\r\n' } as const;
export type LineEnding = keyof typeof LINE_ENDINGS;

export function isLineEnding(value: unknown): value is LineEnding {
  return typeof value === 'string' && Object.hasOwn(LINE_ENDINGS, value);
}

/** Lockstep takes a reply as complete once the server has been silent this long. */
export const DEFAULT_SETTLE_MS = 300;
/** How long lockstep waits for a reply to begin before sending the next line anyway. */
export const REPLY_START_MS = 1000;
/** UDP has no close: after the last datagram, replies are awaited this long (from the last one received). */
export const DATAGRAM_WAIT_MS = 1000;
/** `:quit` / Ctrl+D in a terminal: how long the server gets to close its side before we do. */
export const QUIT_GRACE_MS = 2000;

export interface ClientOptions {
  readonly eol: LineEnding;
  /** Send a line only once the reply to the previous one is over (see DEFAULT_SETTLE_MS). */
  readonly lockstep: boolean;
  readonly settleMs: number;
  /** After the input ends: give up once nothing has arrived for this long; undefined = wait for the server to close. */
  readonly waitMs: number | undefined;
}

const TRANSPORTS: readonly ClientTransportKind[] = ['tcp', 'udp', 'unix'];
const VALUE_OPTIONS = new Set(['eol', 'wait', 'settle']);

/** `client tcp|udp|unix TARGET [--eol …] [--lockstep|--no-lockstep] [--settle MS] [--wait S]`. */
export function parseClientArgs(argv: readonly string[], stdinIsTerminal: boolean): { target: Target; options: ClientOptions } {
  const { values, positionals } = parseArgs({
    args: negativeNumbersAsArguments(argv, (name) => VALUE_OPTIONS.has(name)),
    allowPositionals: true,
    options: {
      eol: { type: 'string', default: 'lf' },
      lockstep: { type: 'boolean' },
      'no-lockstep': { type: 'boolean' },
      settle: { type: 'string' },
      wait: { type: 'string' },
    },
  });
  const [transport, ...rest] = positionals;
  if (!TRANSPORTS.includes(transport as ClientTransportKind)) {
    throw new UsageError(transport === undefined ? l10n.t('client: transport must be tcp, udp or unix; got nothing.') : l10n.t('client: transport must be tcp, udp or unix; got {0}.', transport));
  }
  const target = parseTarget(transport as ClientTransportKind, rest);
  if (typeof target === 'string') throw new UsageError(`client: ${target}`);
  if (!isLineEnding(values.eol)) throw new UsageError(l10n.t('client: --eol must be none, lf or crlf; got "{0}".', values.eol));
  if (values.lockstep && values['no-lockstep']) throw new UsageError(l10n.t('client: --lockstep and --no-lockstep contradict each other; give one.'));
  const settleMs = values.settle === undefined ? DEFAULT_SETTLE_MS : Number(values.settle);
  if (!Number.isInteger(settleMs) || settleMs < 1 || settleMs > 60_000) {
    throw new UsageError(l10n.t('client: --settle must be a whole number of milliseconds from 1 to 60000; got "{0}".', String(values.settle)));
  }
  let waitMs: number | undefined;
  if (values.wait !== undefined) {
    const seconds = Number(values.wait);
    if (values.wait.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
      throw new UsageError(l10n.t('client: --wait must be a number of seconds above 0 (at most 86400), e.g. 2 or 0.5; got "{0}".', values.wait));
    }
    waitMs = Math.round(seconds * 1000);
  }
  // A script has no one to watch the replies: by default it must not run ahead of them.
  const lockstep = values.lockstep ?? (values['no-lockstep'] ? false : !stdinIsTerminal);
  return { target, options: { eol: values.eol, lockstep, settleMs, waitMs } };
}

/** `2 s`, `0.5 s`: how a wait in milliseconds is said back to the user, in the unit they typed. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

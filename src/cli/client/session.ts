import fs from 'node:fs';
import * as l10n from '@vscode/l10n';
import readline from 'node:readline';
import type { SocketLabError } from '../../engine/errors';
import { formatTarget, type Target } from '../../engine/target';
import { unescapeText } from '../../protocol/escape';
import { openConnection, type ClientConnection } from './connection';
import { hexdump, parseHex } from './hexdump';
import { DATAGRAM_WAIT_MS, formatSeconds, isLineEnding, LINE_ENDINGS, QUIT_GRACE_MS, REPLY_START_MS, type ClientOptions, type LineEnding } from './options';
import { ReplyGate } from './replyGate';
import { ReplyText } from './replyText';

/** What `:help` prints: the local commands, each with what it does (in the user's language). */
export function clientHelp(): string {
  const rows: [string, string][] = [
    [':eol none|lf|crlf', l10n.t("what ends each line sent: nothing (like the tutorials' clients), \\n (default), \\r\\n")],
    [':line', l10n.t('send each line with its line end; \\xNN escapes send raw bytes')],
    [':raw', l10n.t('send exactly what you type, no line end (the same as :eol none)')],
    [':hex', l10n.t('toggle hex: type bytes as hex (48 65 6c), see replies as a hex+ASCII dump')],
    [':lockstep', l10n.t('toggle waiting for each reply before the next line is sent')],
    [':send-file P', l10n.t('send the bytes of file P')],
    [':half-close', l10n.t('shut down sending (FIN), keep reading')],
    [':reset', l10n.t('abort the connection with RST')],
    [':reconnect', l10n.t('connect again')],
    [':quit', l10n.t('close and leave (also :q, Ctrl+D)')],
    [':help', l10n.t('this list')],
    ['::text', l10n.t('sends ":text"')],
  ];
  const intro = l10n.t('Type a line and press Enter to send it. Every line goes to the server, "exit" too;\nonly lines starting with ":" are local commands:');
  return [intro, ...rows.map(([command, what]) => `  ${command.padEnd(13)}  ${what}`)].join('\n');
}

/** How a line end is named back to the user. */
function eolShown(eol: LineEnding): string {
  return eol === 'none' ? l10n.t('nothing') : eol === 'lf' ? '\\n' : '\\r\\n';
}

/** A connect slower than this says "connecting to …" (most finish long before: nothing to say). */
const CONNECTING_NOTICE_MS = 500;
/** Erase the screen and the scrollback, cursor home. */
const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';
const CTRL_C = 0x03;
const CTRL_D = 0x04;

const DIM = '\x1b[2m';
const PLAIN = '\x1b[0m';

/**
 * The `>> ` client: a session that outlives its connection (`:reconnect`). Everything received is
 * escaped or hex-dumped before it reaches the terminal. Scripted (stdin not a terminal), it loses
 * nothing: lines wait for replies (lockstep), and the end of input is a FIN after which replies
 * are printed until the server closes.
 */
export class ClientSession {
  private conn: ClientConnection | undefined;
  /** Bumped on every connect: events from a connection that `:reconnect` replaced are ignored. */
  private generation = 0;
  private hex = false;
  private eol: LineEnding;
  /** The line end `:line` restores after `:raw`. */
  private lineEol: Exclude<LineEnding, 'none'>;
  private lockstep: boolean;
  private readonly gate: ReplyGate;
  private reply = new ReplyText();
  private dumpOffset = 0;
  private sentAt: number | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private rl: readline.Interface | undefined;
  private rlClosed = false;
  /** Lines read but not handled yet, and whether stdin ended: what an early close leaves unsent. */
  private linesWaiting = 0;
  private stdinEnded = false;
  /** `:quit` or end of input: the session ends with the connection. */
  private leaving = false;
  private waitTimer: NodeJS.Timeout | undefined;
  /** Whether a byte received restarts the wait (an idle bound) or not (a fixed grace). */
  private waitRestarts = false;
  private datagramsSent = 0;
  private datagramsReceived = 0;
  private finished = false;
  /** stdout (a pipe) is full: reading is paused until it drains. */
  private outputBlocked = false;
  /** Lines are handled one after another (`:send-file` and lockstep are async); end of input waits its turn. */
  private queue: Promise<void> = Promise.resolve();
  private exitCode = 0;
  /** Keys typed while the first connect is under way: kept off the screen, then given to the prompt. */
  private typedAhead: Buffer[] | undefined;
  private cancelConnect: (() => void) | undefined;
  /** Ctrl+C or Ctrl+D while connecting: the user left, so there is nothing to hold on screen. */
  cancelled = false;
  private resolveDone!: (code: number) => void;
  readonly done = new Promise<number>((r) => (this.resolveDone = r));

  constructor(
    private readonly target: Target,
    private readonly interactive: boolean,
    private readonly options: ClientOptions,
  ) {
    this.eol = options.eol;
    this.lineEol = options.eol === 'none' ? 'lf' : options.eol;
    this.lockstep = options.lockstep;
    this.gate = new ReplyGate(options.settleMs, REPLY_START_MS);
  }

  /** Input is read only once connected: piped lines must not be consumed before there is a peer. */
  private startInput(): void {
    if (this.rl) return;
    this.rl = readline.createInterface({ input: process.stdin, output: this.interactive ? process.stdout : undefined, terminal: this.interactive, prompt: '>> ' });
    this.rl.on('line', (line) => {
      this.linesWaiting++;
      this.enqueue(() => this.onLine(line));
    });
    this.rl.on('close', () => {
      this.rlClosed = true;
      this.stdinEnded = true;
      this.enqueue(() => this.onInputClosed());
    });
  }

  private enqueue(task: () => void | Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      this.exitCode = 1;
      this.notice(l10n.t('internal error: {0}', err instanceof Error ? err.message : String(err)));
    });
  }

  /** Connects; resolves false (after printing why) when the connect fails or the user cancels it. */
  async connect(): Promise<boolean> {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const first = this.interactive && !this.rl;
    if (first) this.holdKeys();
    // A connect that takes a while (a host that does not answer) says what it is doing.
    const slow = first ? setTimeout(() => this.notice(l10n.t('connecting to {0} {1}… (Ctrl+C gives up)', this.target.transport, formatTarget(this.target))), CONNECTING_NOTICE_MS) : undefined;
    const opening = openConnection(this.target, {
      data: (d) => void (current() && this.onData(d)),
      end: () => void (current() && this.onPeerEnd()),
      close: () => void (current() && this.onClose()),
      error: (e) => void (current() && this.onError(e)),
    });
    let conn: ClientConnection | 'cancelled';
    try {
      conn = await (first ? Promise.race([opening, new Promise<'cancelled'>((resolve) => (this.cancelConnect = () => resolve('cancelled')))]) : opening);
    } catch (err) {
      clearTimeout(slow);
      // Keys typed meanwhile must not answer the "press any key" that may follow.
      this.releaseKeys(false);
      const e = err as SocketLabError;
      // Scripts get the bare message (README documents it); a person gets the likely cause too.
      this.notice(this.interactive && e.code === 'ECONNREFUSED' ? l10n.t('{0}: nothing accepts connections there (is the server running?)', e.message) : e.message);
      this.exitCode = 1;
      return false;
    }
    clearTimeout(slow);
    if (conn === 'cancelled') {
      this.releaseKeys(false);
      void opening.then(
        (c) => c.destroy(),
        () => undefined,
      );
      this.cancelled = true;
      this.notice(l10n.t('gave up connecting'));
      return false;
    }
    if (this.finished) {
      conn.destroy();
      return false;
    }
    this.conn = conn;
    this.reply = new ReplyText();
    this.dumpOffset = 0;
    if (this.interactive) {
      const where = formatTarget(this.target);
      this.notice(
        conn.local
          ? l10n.t(
              'connected to {0} {1} from {2} — type a line and press Enter to send it (every line goes to the server, "exit" too); :help lists commands; :quit or Ctrl+D closes.',
              this.target.transport,
              where,
              conn.local,
            )
          : l10n.t(
              'connected to {0} {1} — type a line and press Enter to send it (every line goes to the server, "exit" too); :help lists commands; :quit or Ctrl+D closes.',
              this.target.transport,
              where,
            ),
      );
    }
    // A server may greet first (the menu, a welcome banner): in lockstep the first line waits
    // for that too. Input is read meanwhile, so an early close can say what was not sent.
    const greeting = () => this.gate.wait(this.options.settleMs).then(() => undefined);
    if (this.rl) {
      if (this.lockstep) await greeting(); // :reconnect, already inside the line queue
    } else {
      if (this.lockstep) this.enqueue(greeting);
      this.releaseKeys(true);
      this.startInput();
    }
    this.prompt();
    return true;
  }

  /**
   * Until the prompt exists, a terminal in its usual mode echoes what is typed at once, above the
   * banner. Raw mode stops that echo; the keys are kept and handed to the prompt, which shows
   * them after it. Ctrl+C or Ctrl+D (which raw mode no longer turns into a signal) give up.
   */
  private holdKeys(): void {
    if (!this.interactive || !process.stdin.isTTY || this.typedAhead) return;
    this.typedAhead = [];
    process.stdin.setRawMode(true);
    process.stdin.on('data', this.onKeyWhileConnecting);
    process.stdin.resume();
  }

  /**
   * In a terminal just opened for this client, keys typed while the process was still starting
   * were echoed by the terminal before anyone could stop it: take the keyboard (they are kept,
   * and shown again at the prompt) and clear what the echo left on screen.
   */
  takeFreshTerminal(): void {
    if (!this.interactive) return;
    this.holdKeys();
    process.stdout.write(CLEAR_SCREEN);
  }

  private readonly onKeyWhileConnecting = (chunk: Buffer): void => {
    if (chunk.includes(CTRL_C) || chunk.includes(CTRL_D)) this.cancelConnect?.();
    else this.typedAhead?.push(chunk);
  };

  /** Stops holding keys; `keep`: hand them to what reads stdin next (the prompt). */
  private releaseKeys(keep: boolean): void {
    const typed = this.typedAhead;
    if (!typed) return;
    this.typedAhead = undefined;
    this.cancelConnect = undefined;
    process.stdin.off('data', this.onKeyWhileConnecting);
    process.stdin.pause();
    process.stdin.setRawMode(false);
    if (keep && typed.length) process.stdin.unshift(Buffer.concat(typed));
  }

  /** The extension that launched this terminal went away: end now, whatever the state. */
  abandon(reason: string): void {
    this.notice(reason);
    this.cancelConnect?.();
    this.leaving = true;
    this.conn?.reset();
    this.finish();
  }

  private async onLine(line: string): Promise<void> {
    this.linesWaiting--;
    if (this.finished) return;
    const trimmed = line.trim();
    if (trimmed === ':quit' || trimmed === ':q') return this.quit();
    if (trimmed.startsWith(':') && !trimmed.startsWith('::')) return this.command(trimmed);
    if (!this.conn) {
      this.notice(l10n.t('not connected: :reconnect or :quit'));
      return this.prompt();
    }
    let bytes: Uint8Array | string;
    if (this.hex) bytes = parseHex(line);
    else {
      const text = line.startsWith('::') ? line.slice(1) : line; // "::x" sends ":x"
      bytes = Buffer.concat([unescapeText(text), Buffer.from(LINE_ENDINGS[this.eol])]);
    }
    if (typeof bytes === 'string') {
      this.notice(bytes);
      return this.prompt();
    }
    // An empty line with no line end is no bytes: nothing to send, nothing to wait for (UDP
    // still sends it: an empty datagram is a datagram).
    if (bytes.length === 0 && this.conn.stream) {
      if (this.interactive) this.notice(l10n.t('nothing sent: the line is empty and the line end is none'));
      return this.prompt();
    }
    await this.send(bytes);
    this.prompt();
  }

  private async send(bytes: Uint8Array): Promise<void> {
    const conn = this.conn!;
    this.sentAt = performance.now();
    conn.write(bytes);
    if (!conn.stream) this.datagramsSent++;
    if (this.lockstep) await this.gate.wait();
  }

  private async command(text: string): Promise<void> {
    const [name, ...args] = text.split(/\s+/);
    switch (name) {
      case ':help':
        this.notice(clientHelp());
        break;
      case ':eol': {
        const [value] = args;
        if (value === undefined) this.notice(l10n.t('line end: {0} ({1}); :eol none|lf|crlf changes it', this.eol, eolShown(this.eol)));
        else if (!isLineEnding(value)) this.notice(l10n.t(':eol takes none, lf or crlf; got "{0}"', value));
        else {
          this.setEol(value);
          this.notice(value === 'none' ? l10n.t('line end: none (each line is sent followed by nothing)') : l10n.t('line end: {0} (each line is sent followed by {1})', value, eolShown(value)));
        }
        break;
      }
      case ':line':
        this.hex = false;
        this.setEol(this.lineEol);
        this.notice(l10n.t('mode: line (each line is sent followed by {0})', eolShown(this.eol)));
        break;
      case ':raw':
        this.hex = false;
        this.setEol('none');
        this.notice(l10n.t('mode: raw (each line is sent as typed, no line end; the same as :eol none)'));
        break;
      case ':hex':
        this.hex = !this.hex;
        this.notice(this.hex ? l10n.t('mode: hex') : this.eol === 'none' ? l10n.t('mode: raw') : l10n.t('mode: line'));
        break;
      case ':lockstep':
        this.lockstep = !this.lockstep;
        this.notice(
          this.lockstep
            ? l10n.t('lockstep: on (each line waits for the reply to end: {0} ms without a byte, or {1} without a reply)', this.options.settleMs, formatSeconds(REPLY_START_MS))
            : l10n.t('lockstep: off (lines are sent as soon as they are typed)'),
        );
        break;
      case ':send-file': {
        const file = args.join(' ');
        if (!file) this.notice(l10n.t('usage: :send-file PATH'));
        else if (!this.conn) this.notice(l10n.t('not connected: :reconnect first'));
        else {
          let data: Buffer | undefined;
          try {
            data = await fs.promises.readFile(file);
          } catch (err) {
            this.notice(l10n.t('cannot read {0}: {1}', file, (err as Error).message));
          }
          if (data && this.conn) {
            this.notice(l10n.t('sending {0} bytes from {1}', data.length, file));
            await this.send(data);
            this.notice(l10n.t('sent {0} bytes from {1}', data.length, file));
          }
        }
        break;
      }
      case ':half-close':
        if (!this.conn?.stream) this.notice(this.conn ? l10n.t('UDP has no half-close: there is no connection to shut down.') : l10n.t('not connected'));
        else {
          this.conn.halfClose();
          this.notice(l10n.t('sent FIN: no more sending; replies still arrive until the server closes'));
        }
        break;
      case ':reset':
        if (this.conn) {
          this.conn.reset();
          this.notice(l10n.t('sent RST: connection aborted'));
        } else this.notice(l10n.t('not connected'));
        break;
      case ':reconnect':
        this.conn?.reset();
        this.conn = undefined;
        await this.connect();
        return;
      default:
        this.notice(l10n.t('unknown command {0}; :help lists them (start a line with :: to send a literal ":")', String(name)));
    }
    this.prompt();
  }

  private setEol(eol: LineEnding): void {
    this.eol = eol;
    if (eol !== 'none') this.lineEol = eol;
  }

  private onData(chunk: Buffer): void {
    if (!this.conn?.stream) this.datagramsReceived++;
    this.gate.received();
    if (this.waitRestarts) this.waitTimer?.refresh();
    let rtt = '';
    if (this.sentAt !== undefined) {
      rtt = `${(performance.now() - this.sentAt).toFixed(2)} ms`;
      this.sentAt = undefined;
    }
    clearTimeout(this.flushTimer);
    let text: string;
    if (this.hex) {
      text = hexdump(chunk, this.dumpOffset);
      this.dumpOffset += chunk.length;
    } else {
      text = this.reply.write(chunk);
      // A character cut at the end of a read waits briefly for its rest, then is shown escaped.
      if (this.reply.partialCharacter) this.flushTimer = setTimeout(() => this.show(this.reply.flushPartialCharacter(), ''), 50);
    }
    this.show(text, rtt);
  }

  private show(text: string, rtt: string): void {
    if (!text) return;
    if (!this.interactive) {
      // A pipe may take the bytes slower than the server sends them: stop reading until it
      // drains, so a large reply waits in the server's socket, not in our memory.
      if (!process.stdout.write(text) && !this.outputBlocked && this.conn) {
        const conn = this.conn;
        this.outputBlocked = true;
        conn.pause();
        this.gate.hold();
        process.stdout.once('drain', () => {
          this.outputBlocked = false;
          conn.resume();
          this.gate.release();
        });
      }
      return;
    }
    this.clearPromptLine();
    const body = text.endsWith('\n') ? text.slice(0, -1) : text;
    process.stdout.write(`${body}${rtt ? `  ${DIM}(${rtt})${PLAIN}` : ''}\n`);
    if (!this.rlClosed && !this.leaving) this.rl?.prompt(true);
  }

  private onPeerEnd(): void {
    this.show(this.reply.flush(), '');
    if (this.interactive) this.notice(l10n.t('connection closed by {0}', formatTarget(this.target)));
    // Our FIN too (if not sent yet): the socket closes once both sides have ended.
    this.conn?.halfClose();
  }

  private onError(err: SocketLabError): void {
    this.exitCode = 1;
    if (this.conn && !this.conn.stream && err.code === 'ECONNREFUSED') {
      // A connected UDP socket learns of ICMP "port unreachable" as ECONNREFUSED on its next read.
      this.notice(l10n.t('{0}: nothing listens on that UDP port (the host answered "port unreachable")', err.message));
      this.gate.closed();
      // Scripted, the rest would go nowhere too: stop. A terminal stays (the server may start yet).
      if (!this.interactive) this.conn.destroy();
      return;
    }
    this.notice(err.message);
  }

  private onClose(): void {
    this.conn = undefined;
    this.gate.closed();
    clearTimeout(this.waitTimer);
    if (this.finished) return;
    if (!this.interactive && !this.leaving) {
      const unsent = this.unsentInput();
      if (unsent) this.notice(unsent);
    }
    if (this.leaving || !this.interactive) return this.finish();
    // The other side ended it: stay, so the reason can be read and :reconnect used.
    this.notice(l10n.t('not connected: :reconnect, or :quit (Ctrl+D) to close this terminal'));
    this.prompt();
  }

  private onInputClosed(): void {
    if (this.finished) return;
    this.leaving = true;
    const conn = this.conn;
    if (!conn) return this.finish();
    if (this.interactive) {
      // Leaving a terminal: a stream gets a moment to close its side (its last reply still
      // shows); UDP has nothing to close.
      if (!conn.stream) return this.giveUp();
      conn.halfClose();
      this.waitTimer = setTimeout(() => this.giveUp(), this.options.waitMs ?? QUIT_GRACE_MS);
      return;
    }
    if (conn.stream) {
      // FIN: the server reads the end of our input; its replies are printed until it closes.
      conn.halfClose();
      const waitMs = this.options.waitMs;
      if (waitMs === undefined) return;
      this.waitRestarts = true;
      this.waitTimer = setTimeout(() => {
        this.notice(l10n.t('stopped waiting: nothing arrived for {0} after the input ended, and {1} had not closed the connection (--wait {0})', formatSeconds(waitMs), formatTarget(this.target)));
        this.giveUp();
      }, waitMs);
    } else {
      // UDP has no end: replies are awaited until none has come for the wait (each one restarts it).
      const waitMs = this.options.waitMs ?? DATAGRAM_WAIT_MS;
      this.waitRestarts = true;
      this.waitTimer = setTimeout(() => {
        this.reportDatagrams(waitMs);
        this.giveUp();
      }, waitMs);
    }
  }

  private reportDatagrams(waitMs: number): void {
    const waited = formatSeconds(waitMs);
    if (this.datagramsSent > 0 && this.datagramsReceived === 0) {
      this.notice(l10n.t('no reply from {0} (waited {1} after the last datagram; --wait changes it)', formatTarget(this.target), waited));
    } else if (this.datagramsReceived < this.datagramsSent) {
      this.notice(l10n.t('{0} datagrams sent, {1} received (waited {2} after the last datagram; --wait changes it)', this.datagramsSent, this.datagramsReceived, waited));
    }
  }

  /** Scripted, the connection ended first: what of the input was not sent (undefined: nothing). */
  private unsentInput(): string | undefined {
    const n = this.linesWaiting;
    if (this.target.transport === 'udp') {
      if (n === 1) return l10n.t('stopped with 1 line of input not sent');
      if (n > 0) return l10n.t('stopped with {0} lines of input not sent', n);
      return this.stdinEnded ? undefined : l10n.t('stopped before the input ended: the rest of the input was not sent');
    }
    const target = formatTarget(this.target);
    if (n === 1) return l10n.t('the connection to {0} closed with 1 line of input not sent', target);
    if (n > 0) return l10n.t('the connection to {0} closed with {1} lines of input not sent', target, n);
    return this.stdinEnded ? undefined : l10n.t('the connection to {0} closed before the input ended: the rest of the input was not sent', target);
  }

  private giveUp(): void {
    this.conn?.destroy();
    this.finish();
  }

  private quit(): void {
    this.leaving = true;
    if (this.rl && !this.rlClosed) this.rl.close();
    else this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.flushTimer);
    clearTimeout(this.waitTimer);
    this.gate.closed();
    if (!this.hex) this.show(this.reply.flush(), '');
    this.rl?.close();
    process.stdin.pause();
    // The caller exits the process, which drops what a pipe has not taken yet: wait for it.
    const exitCode = this.exitCode;
    if (process.stdout.writableLength > 0) process.stdout.write('', () => this.resolveDone(exitCode));
    else this.resolveDone(exitCode);
  }

  private clearPromptLine(): void {
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
  }

  private notice(text: string): void {
    if (this.interactive) {
      this.clearPromptLine();
      process.stdout.write(`${text}\n`);
    } else process.stderr.write(`${text}\n`);
  }

  private prompt(): void {
    if (this.interactive && !this.leaving && !this.finished) this.rl?.prompt();
  }
}

import fs from 'node:fs';
import readline from 'node:readline';
import type { SocketLabError } from '../../engine/errors';
import { formatTarget, type Target } from '../../engine/target';
import { StreamEscaper, unescapeText } from '../../engine/text/escape';
import { openConnection, type ClientConnection } from './connection';
import { hexdump, parseHex } from './hexdump';

export type InputMode = 'line' | 'raw' | 'hex';

export const CLIENT_HELP = `Type a line and press Enter to send it. Commands:
  :line          send each line with a newline (default); \\xNN escapes send raw bytes
  :raw           send exactly what you type, no newline added
  :hex           toggle hex: type bytes as hex (48 65 6c), see replies as a hex+ASCII dump
  :send-file P   send the bytes of file P
  :half-close    shut down sending (FIN), keep reading
  :reset         abort the connection with RST
  :reconnect     connect again
  :quit          close and leave (also: exit, Ctrl+D)
  :help          this list`;

const DIM = '\x1b[2m';
const PLAIN = '\x1b[0m';

/**
 * The `>> ` client: a session that outlives its connection (`:reconnect`). Everything received is
 * escaped or hex-dumped before it reaches the terminal.
 */
export class ClientSession {
  private conn: ClientConnection | undefined;
  private mode: InputMode = 'line';
  private textMode: Exclude<InputMode, 'hex'> = 'line';
  private escaper = new StreamEscaper({ keepNewlines: true });
  private dumpOffset = 0;
  private sentAt: number | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private rl: readline.Interface | undefined;
  private quitting = false;
  /** Lines are handled one after another (`:send-file` is async); end of input waits its turn. */
  private queue: Promise<void> = Promise.resolve();
  private exitCode = 0;
  private resolveDone!: (code: number) => void;
  readonly done = new Promise<number>((r) => (this.resolveDone = r));

  constructor(
    private readonly target: Target,
    private readonly interactive: boolean,
  ) {
  }

  /** Input is read only once connected: piped lines must not be consumed before there is a peer. */
  private startInput(): void {
    if (this.rl) return;
    this.rl = readline.createInterface({ input: process.stdin, output: this.interactive ? process.stdout : undefined, terminal: this.interactive, prompt: '>> ' });
    this.rl.on('line', (line) => (this.queue = this.queue.then(() => this.onLine(line))));
    this.rl.on('close', () => (this.queue = this.queue.then(() => this.onInputClosed())));
  }

  /** Connects; resolves false (after printing why) when the first connect fails. */
  async connect(): Promise<boolean> {
    try {
      this.conn = await openConnection(this.target, {
        data: (d) => this.onData(d),
        end: () => this.onPeerEnd(),
        close: () => this.onClose(),
        error: (e) => this.onError(e),
      });
    } catch (err) {
      this.notice((err as SocketLabError).message);
      this.exitCode = 1;
      return false;
    }
    this.escaper = new StreamEscaper({ keepNewlines: true });
    this.dumpOffset = 0;
    if (this.interactive) {
      this.notice(`connected to ${this.target.transport} ${formatTarget(this.target)} — type a line and press Enter to send; :help lists commands; "exit" or Ctrl+D closes.`);
    }
    this.startInput();
    this.prompt();
    return true;
  }

  /** The extension that launched this terminal went away: end now, whatever the state. */
  abandon(reason: string): void {
    this.notice(reason);
    this.quitting = true;
    this.conn?.reset();
    this.finish();
  }

  private async onLine(line: string): Promise<void> {
    const trimmed = line.trim();
    if (trimmed === 'exit' || trimmed === ':quit' || trimmed === ':q') return this.quit();
    if (trimmed.startsWith(':') && !trimmed.startsWith('::')) return this.command(trimmed);
    if (!this.conn) {
      this.notice('not connected: :reconnect or :quit');
      return this.prompt();
    }
    let bytes: Uint8Array | string;
    if (this.mode === 'hex') bytes = parseHex(line);
    else {
      const text = line.startsWith('::') ? line.slice(1) : line; // "::x" sends ":x"
      const body = unescapeText(text);
      bytes = this.mode === 'line' ? Buffer.concat([body, Buffer.from('\n')]) : body;
    }
    if (typeof bytes === 'string') {
      this.notice(bytes);
      return this.prompt();
    }
    this.sentAt = performance.now();
    this.conn.write(bytes);
    this.prompt();
  }

  private async command(text: string): Promise<void> {
    const [name, ...args] = text.split(/\s+/);
    switch (name) {
      case ':help':
        this.notice(CLIENT_HELP);
        break;
      case ':line':
      case ':raw':
        this.mode = this.textMode = name.slice(1) as 'line' | 'raw';
        this.notice(`mode: ${this.mode}`);
        break;
      case ':hex':
        this.mode = this.mode === 'hex' ? this.textMode : 'hex';
        this.notice(`mode: ${this.mode}`);
        break;
      case ':send-file': {
        const file = args.join(' ');
        if (!file) this.notice('usage: :send-file PATH');
        else if (!this.conn) this.notice('not connected: :reconnect first');
        else {
          try {
            const data = await fs.promises.readFile(file);
            this.sentAt = performance.now();
            this.conn.write(data);
            this.notice(`sent ${data.length} bytes from ${file}`);
          } catch (err) {
            this.notice(`cannot read ${file}: ${(err as Error).message}`);
          }
        }
        break;
      }
      case ':half-close':
        if (!this.conn?.stream) this.notice(this.conn ? 'UDP has no half-close: there is no connection to shut down.' : 'not connected');
        else {
          this.conn.halfClose();
          this.notice('sent FIN: no more sending; replies still arrive until the server closes');
        }
        break;
      case ':reset':
        if (this.conn) {
          this.conn.reset();
          this.notice('sent RST: connection aborted');
        } else this.notice('not connected');
        break;
      case ':reconnect':
        this.conn?.reset();
        this.conn = undefined;
        await this.connect();
        return;
      default:
        this.notice(`unknown command ${name}; :help lists them (start a line with :: to send a literal ":")`);
    }
    this.prompt();
  }

  private onData(chunk: Buffer): void {
    let rtt = '';
    if (this.sentAt !== undefined) {
      rtt = `${(performance.now() - this.sentAt).toFixed(2)} ms`;
      this.sentAt = undefined;
    }
    clearTimeout(this.flushTimer);
    let text: string;
    if (this.mode === 'hex') {
      text = hexdump(chunk, this.dumpOffset);
      this.dumpOffset += chunk.length;
    } else {
      text = this.escaper.write(chunk);
      // A character cut at the end of a read waits briefly for its rest, then is shown escaped.
      if (this.escaper.pending) this.flushTimer = setTimeout(() => this.show(this.escaper.flush(), ''), 50);
    }
    this.show(text, rtt);
  }

  private show(text: string, rtt: string): void {
    if (!text) return;
    if (!this.interactive) {
      process.stdout.write(text);
      return;
    }
    this.clearPromptLine();
    const body = text.endsWith('\n') ? text.slice(0, -1) : text;
    process.stdout.write(`${body}${rtt ? `  ${DIM}(${rtt})${PLAIN}` : ''}\n`);
    this.rl?.prompt(true);
  }

  private onPeerEnd(): void {
    this.show(this.escaper.flush(), '');
    if (this.interactive) this.notice(`connection closed by ${formatTarget(this.target)}`);
    this.conn?.close();
  }

  private onError(err: SocketLabError): void {
    this.exitCode = 1;
    this.notice(err.message);
  }

  private onClose(): void {
    this.conn = undefined;
    clearTimeout(this.flushTimer);
    if (this.quitting || !this.interactive) return this.finish();
    // The other side ended it: stay, so the reason can be read and :reconnect used.
    this.notice('not connected: :reconnect, or :quit (Ctrl+D) to close this terminal');
    this.prompt();
  }

  private onInputClosed(): void {
    // Ctrl+D / end of input: finish sending, keep reading until the server closes its side.
    this.quitting = true;
    if (this.conn) this.conn.close();
    else this.finish();
  }

  private quit(): void {
    this.quitting = true;
    if (this.rl) this.rl.close();
    else this.finish();
  }

  private finish(): void {
    clearTimeout(this.flushTimer);
    this.rl?.close();
    process.stdin.pause();
    this.resolveDone(this.exitCode);
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
    if (this.interactive && !this.quitting) this.rl?.prompt();
  }
}

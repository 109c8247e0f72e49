import net from 'node:net';
import readline from 'node:readline';
import { validateHost, validatePort } from '../engine/address';
import { describeConnectError, formatHostPort } from '../engine/errors';
import { StreamEscaper, unescapeText } from '../engine/text/escape';
import { UsageError } from './usage';

const PROMPT = '>> ';

/**
 * `socket-lab client tcp HOST PORT`: the tutorials' `>> ` client. Received bytes are always
 * escaped before they reach the terminal, so a peer cannot inject escape sequences.
 */
export async function client(argv: string[]): Promise<number> {
  const [transport, host, portText, ...rest] = argv;
  if (transport !== 'tcp') throw new UsageError(`client: transport must be "tcp"; got ${transport ?? 'nothing'}.`);
  if (!host || !portText || rest.length) throw new UsageError('client: expected HOST PORT.');
  const hostError = validateHost(host);
  if (hostError) throw new UsageError(`client: ${hostError}`);
  const portError = validatePort(portText);
  if (portError || Number(portText) === 0) throw new UsageError(`client: ${portError ?? 'port 0 cannot be connected to.'}`);
  const port = Number(portText);
  const where = formatHostPort(host, port);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

  const socket = net.connect({ host, port, noDelay: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
  } catch (err) {
    process.stderr.write(`${describeConnectError(err, host, port).message}\n`);
    return 1;
  }

  const escaper = new StreamEscaper({ keepNewlines: true });
  const rl = readline.createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive, prompt: PROMPT });
  let exitCode = 0;
  let atLineStart = true;
  let flushTimer: NodeJS.Timeout | undefined;

  const show = (text: string) => {
    if (!text) return;
    if (interactive) {
      readline.clearLine(process.stdout, 0);
      readline.cursorTo(process.stdout, 0);
    }
    process.stdout.write(text);
    atLineStart = text.endsWith('\n');
    if (interactive) {
      if (!atLineStart) process.stdout.write('\n');
      atLineStart = true;
      rl.prompt(true);
    }
  };
  const notice = (text: string) => {
    if (interactive) {
      readline.clearLine(process.stdout, 0);
      readline.cursorTo(process.stdout, 0);
    } else if (!atLineStart) process.stdout.write('\n');
    atLineStart = true;
    (interactive ? process.stdout : process.stderr).write(`${text}\n`);
  };
  let userClosed = false;

  if (interactive) {
    process.stdout.write(`connected to ${where} — type a line and press Enter to send; "exit" or Ctrl+D closes.\n`);
    rl.prompt();
  }

  socket.on('data', (chunk: Buffer) => {
    clearTimeout(flushTimer);
    show(escaper.write(chunk));
    // A character cut at the end of a read waits briefly for its rest, then is shown escaped.
    if (escaper.pending) flushTimer = setTimeout(() => show(escaper.flush()), 50);
  });
  rl.on('line', (line) => {
    if (line.trim() === 'exit') {
      userClosed = true;
      rl.close();
      return;
    }
    socket.write(Buffer.concat([unescapeText(line), Buffer.from('\n')]));
    if (interactive) rl.prompt();
  });
  rl.on('close', () => {
    // Ctrl+D / end of input: half-close, keep reading until the server closes its side.
    if (!socket.destroyed) {
      userClosed = true;
      socket.end();
    }
  });

  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(flushTimer);
      rl.close();
      process.stdin.pause();
      resolve(exitCode);
    };
    holdLifeline(() => {
      // The extension that opened this terminal is gone, whatever this client was doing.
      notice('Socket Lab closed this client (the extension was deactivated).');
      socket.destroy();
      finish();
    });
    socket.on('error', (err) => {
      exitCode = 1;
      notice(describeConnectError(err, host, port).message);
    });
    socket.on('end', () => {
      show(escaper.flush());
      if (interactive) notice(`connection closed by ${where}`);
    });
    socket.on('close', () => {
      if (!interactive || userClosed) {
        finish();
        return;
      }
      // The other side ended it: keep the terminal open so the reason can be read.
      rl.close();
      process.stdout.write('press any key to close this terminal\n');
      process.stdin.setRawMode(true);
      process.stdin.resume();
      process.stdin.once('data', finish);
      process.stdin.once('end', finish);
    });
  });
}

/** When launched by the extension, end together with it (see src/extension/lifeline.ts). */
function holdLifeline(onLost: () => void): void {
  const where = process.env.SOCKET_LAB_LIFELINE;
  if (!where) return;
  const line = net.connect(where);
  line.on('error', () => undefined);
  line.on('close', onLost);
  line.unref();
}

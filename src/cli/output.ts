// One place that decides how the CLI talks: human lines or JSON lines.
import * as l10n from '@vscode/l10n';

export interface Output {
  /** A state change worth a line: human text, or a JSON object with `event`. */
  event(name: string, human: string, fields?: Record<string, unknown>): void;
  warn(text: string): void;
  error(text: string): void;
}

let closedStreams: Set<NodeJS.WriteStream> | undefined;

/**
 * `serve … | head -1`: once the reader goes away, writes fail with EPIPE. The server must go on
 * serving (its clients did nothing wrong), so a closed output is silenced instead of crashing us.
 */
function guard(stream: NodeJS.WriteStream): void {
  closedStreams ??= new Set();
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closedStreams!.add(stream);
    else throw err;
  });
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (!closedStreams?.has(stream)) stream.write(text);
}

export function createOutput(json: boolean, quiet = false): Output {
  guard(process.stdout);
  guard(process.stderr);
  return {
    event(name, human, fields = {}) {
      if (json) write(process.stdout, JSON.stringify({ event: name, ...fields }) + '\n');
      else if (!quiet || name === 'listening') write(process.stdout, human + '\n');
    },
    warn(text) {
      if (json) write(process.stdout, JSON.stringify({ event: 'warning', message: text }) + '\n');
      write(process.stderr, `${l10n.t('warning: {0}', text)}\n`);
    },
    error(text) {
      if (json) write(process.stdout, JSON.stringify({ event: 'error', message: text }) + '\n');
      write(process.stderr, `${l10n.t('error: {0}', text)}\n`);
    },
  };
}

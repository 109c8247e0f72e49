export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `socket-lab — run and talk to classic socket servers

Usage:
  socket-lab serve tcp [--handler echo|upper] [--host 127.0.0.1] [--port 0] [--json] [--quiet]
      Serve until SIGINT/SIGTERM. Prints "listening tcp HOST:PORT" when ready
      (JSON lines with --json). --port 0 picks any free port.
  socket-lab client tcp HOST PORT
      Interactive client with a ">> " prompt: each line is sent (\\xNN escapes allowed),
      replies are printed (non-text bytes escaped). "exit" or Ctrl+D closes.
      With stdin not a terminal, sends stdin's lines and prints the replies.
  socket-lab help

Exit codes: 0 ok, 1 network error, 2 bad arguments.`;

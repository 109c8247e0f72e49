import { tr } from '../protocol/l10n';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `socket-lab — run and talk to classic socket servers, and run concurrency labs

Usage:
  socket-lab serve tcp|udp|unix [--model M] [--handler H] [--host 127.0.0.1] [--port 0] [--path P]
                   [--backlog N] [--recv-size 1024] [--max-connections N] [--idle-timeout MS]
                   [--max-threads 100] [--pool-size 4] [--max-children 40] [--spares 2] [--json] [--quiet]
      Serve until SIGINT/SIGTERM. Prints "listening tcp HOST:PORT" (or the socket path) when
      ready (JSON lines with --json). --port 0 picks any free port.
      Models: iterative, event-loop, thread-per-connection, process-per-connection, thread-pool.
      Handlers: echo, upper, welcome, menu (the 10086 phone menu), discard, crash-on[:WORD].
  socket-lab client tcp|udp HOST:PORT      (or HOST PORT)   [--eol none|lf|crlf] [--lockstep|--no-lockstep]
  socket-lab client unix PATH                               [--settle MS] [--wait SECONDS]
      Interactive client with a ">> " prompt: each line is sent ("exit" too), each reply printed
      with its round-trip time (non-text bytes escaped, \\r\\n shown as a line end). Local commands
      start with ":" (":help" lists them: :eol, :hex, :raw, :lockstep, :send-file, :half-close,
      :reset, :reconnect, :quit). --eol: what ends each line sent (default lf; none for the
      tutorials' servers, which compare recv() with 'exit' exactly).
      With stdin not a terminal, sends stdin's lines and prints the replies, losing none:
      --lockstep (the default then) sends each line once the reply has ended (--settle MS without
      a byte, default 300) or none began within 1 s. At the end of input TCP/Unix send FIN and
      print until the server closes (--wait: give up after SECONDS without a byte); UDP waits
      until --wait SECONDS (default 1) pass without a reply, and says if none came. UDP to a
      port nothing listens on (ICMP port unreachable) exits 1.
  socket-lab probe HOST:PORT [--timeout MS]
      Like connect_ex: prints "open", or the errno name and what it means.
  socket-lab bench tcp|udp|unix TARGET [-c CONNS] [-d SECONDS] [--size BYTES] [--rate MSGS_PER_S]
                   [--warmup SECONDS] [--payload binary|text] [--expect echo|upper|any|none|greeting]
                   [--json] [--hold]
      Load generator: closed loop (one message in flight per connection) or open loop with
      --rate; checks every reply; prints msgs/s and p50/p90/p99/p99.9/max latency.
      --payload text: each message is a line of letters and digits ending in a newline (for
      servers that decode or split lines). --expect: echo (byte-exact, default), upper (the
      ASCII upper case), any (any bytes back answer the messages in flight), none (no reply: a
      message counts once sent; bytes back are corrupt), greeting (tcp/unix, for a server that
      greets and closes: nothing is sent, each connection reads until the server closes it, then
      connects again; measured in connections/s; a close with no greeting fails). Ranges: -c 1-100000, -d and --warmup up to
      86400, --rate up to 10000000, --size up to 64 MiB (UDP 65507).
      --hold waits for a key before exiting (so a terminal keeps the result), then exits 0.
  socket-lab bench tcp|unix TARGET --fault garbage|huge|half-close|reset|slowloris|never-read|connect-storm
      Misbehave on purpose and report what the server did (-c N for connect-storm, -d for
      slowloris/never-read). half-close sends 5 messages and 1 MiB (--payload), then FIN,
      and fails (exit 3) unless the reply read to EOF is the --expect reply of all of it.
  socket-lab lab NAME [--PARAM VALUE…] [--json]
  socket-lab lab --list
      Run a threading / multiprocessing lab (race, deadlock, event-gate, …): prints what happens
      as it happens, then the outcome; --json ends with one JSON object of the outcome's figures.
  socket-lab pool [--kind thread|process] [-n 5] [--task sleep|primes|hash|square|…|FILE#fn]
                  [--count 10] [--seconds 2] [--mode async|apply|map] [--json]
      (-n 1-64, --count 0-100000, --seconds 0-86400)
      Run tasks on a real worker pool (like multiprocessing.Pool) and print a task board:
      which worker ran what, when, and the result. "lab pool" compares apply_async and apply.
  socket-lab python [--python PATH] [--json] FILE [ARGS…]
      Run a Python program (3.8+) under Socket Lab's tracer, as python3 FILE ARGS would: its own
      input, output, exit code and Ctrl+C. --json: the program's output goes to stderr and stdout
      carries JSON lines of its threads, locks, sockets and processes as they change, the last
      line a summary. The interpreter: --python, else $SOCKET_LAB_PYTHON, else python3.
  socket-lab help

Every command: --lang en|zh-cn chooses the language (else LC_ALL, LC_MESSAGES, LANG, in that order).

Exit codes: 0 ok, 1 network error (or probe: not open), 2 bad arguments,
3 bench: replies were corrupt or missing (or half-close came back short);
python: the program's own exit code (127: no interpreter).
In a terminal Socket Lab opened (SOCKET_LAB_TERMINAL=1) an error stays on screen until a key is
pressed, and the exit code is then 0: the terminal has shown the outcome.`;

/** The usage in the CLI's language (the whole text is one entry of the bundle). */
export function usage(): string {
  return tr(USAGE);
}

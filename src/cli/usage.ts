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
  socket-lab client tcp|udp HOST:PORT      (or HOST PORT)
  socket-lab client unix PATH
      Interactive client with a ">> " prompt: each line is sent, each reply printed with its
      round-trip time (non-text bytes escaped). ":help" lists commands (:hex, :raw, :send-file,
      :half-close, :reset, :reconnect, :quit). With stdin not a terminal, sends stdin's lines
      and prints the replies.
  socket-lab probe HOST:PORT [--timeout MS]
      Like connect_ex: prints "open", or the errno name and what it means.
  socket-lab bench tcp|udp|unix TARGET [-c CONNS] [-d SECONDS] [--size BYTES] [--rate MSGS_PER_S]
                   [--warmup SECONDS] [--json] [--hold]
      Load generator: closed loop (one message in flight per connection) or open loop with
      --rate; verifies every echoed byte; prints msgs/s and p50/p90/p99/p99.9/max latency.
      --hold waits for a key before exiting (so a terminal keeps the result).
  socket-lab bench tcp|unix TARGET --fault garbage|huge|half-close|reset|slowloris|never-read|connect-storm
      Misbehave on purpose and report what the server did (-c N for connect-storm, -d for
      slowloris/never-read).
  socket-lab lab NAME [--PARAM VALUE…] [--json]
  socket-lab lab --list
      Run a threading / multiprocessing lab (race, deadlock, event-gate, …): prints what happens
      as it happens, then the outcome; --json ends with one JSON object of the outcome's figures.
  socket-lab pool [--kind thread|process] [-n 5] [--task sleep|primes|hash|square|…|FILE#fn]
                  [--count 10] [--seconds 2] [--mode async|apply|map] [--json]
      Run tasks on a real worker pool (like multiprocessing.Pool) and print a task board:
      which worker ran what, when, and the result. "lab pool" compares apply_async and apply.
  socket-lab help

Exit codes: 0 ok, 1 network error (or probe: not open), 2 bad arguments,
3 bench: echoed bytes were corrupt or missing.`;

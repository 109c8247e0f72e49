// Echo throughput: Socket Lab's CLI `serve` (event-loop model, instrumented) against a plain
// Node `net` pipe echo and a tight C epoll echo (the ceiling), one load generator, alternating
// rounds in one run. Usage: npm run bench [-- --seconds 3 --rounds 3 --conns 1,10,100]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compileC, machine, median, root, runEchoClient, startServer, type RunningServer } from './support';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    conns: { type: 'string', default: '1,10,100' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connCounts = values.conns.split(',').map(Number);

async function main(): Promise<void> {
  const client = compileC('echo_client');
  const servers: RunningServer[] = [
    await startServer('socket-lab serve', process.execPath, [path.join(root, 'dist/cli.js'), 'serve', 'tcp', '--handler', 'echo', '--port', '0', '--quiet']),
    await startServer('node net pipe', process.execPath, [path.join(__dirname, 'ref/node-pipe-echo.js')]),
    await startServer('C epoll', compileC('echo_server'), []),
  ];
  console.log(`# echo, 64-byte messages, closed loop — ${machine()}; ${rounds} rounds × ${seconds} s per server`);
  const rows: string[] = [];
  try {
    for (const conns of connCounts) {
      const rates = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      const p99 = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        // Rotate the order so no server always runs first (warm-up, thermal drift).
        const order = servers.map((_, i) => servers[(i + r) % servers.length]!);
        const round = new Map<string, number>();
        for (const s of order) {
          const res = runEchoClient(client, s.port, conns, seconds);
          rates.get(s.name)!.push(res.msgs_per_s);
          p99.get(s.name)!.push(res.p99_us);
          round.set(s.name, res.msgs_per_s);
        }
        ratios.push(round.get('socket-lab serve')! / round.get('node net pipe')!);
      }
      const m = (n: string) => median(rates.get(n)!);
      const line = `| ${conns} | ${fmt(m('socket-lab serve'))} | ${fmt(m('node net pipe'))} | ${fmt(m('C epoll'))} | **${median(ratios).toFixed(2)}×** (${ratios.map((x) => x.toFixed(2)).join(', ')}) | ${(m('socket-lab serve') / m('C epoll')).toFixed(2)}× | ${median(p99.get('socket-lab serve')!)} / ${median(p99.get('node net pipe')!)} µs |`;
      rows.push(line);
      console.log(`conns=${conns}: serve ${fmt(m('socket-lab serve'))}/s, pipe ${fmt(m('node net pipe'))}/s, C ${fmt(m('C epoll'))}/s, serve/pipe ${median(ratios).toFixed(2)}×`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  console.log('\n| conns | socket-lab serve msgs/s | node pipe msgs/s | C epoll msgs/s | serve / pipe (median; per round) | serve / C | p99 serve / pipe |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

function fmt(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} k` : n.toFixed(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

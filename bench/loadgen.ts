// Is the load generator ever the bottleneck? Against one plain Node `net` pipe echo, compare the
// msgs/s that `socket-lab bench` reaches with what a tight C epoll client reaches, alternating
// rounds in one run. Usage: node --import tsx bench/loadgen.ts [--seconds 3 --rounds 3 --conns 10,100]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compileC, machine, median, root, runEchoClient, startServer } from './support';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '5' }, conns: { type: 'string', default: '10,100' } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

function runNodeLoadgen(port: number, conns: number): { msgsPerS: number; p99: number } {
  const out = execFileSync(process.execPath, [path.join(root, 'dist/cli.js'), 'bench', 'tcp', `127.0.0.1:${port}`, '-c', String(conns), '-d', String(seconds), '--warmup', '0.5', '--json'], {
    encoding: 'utf8',
  });
  const r = JSON.parse(out) as { msgsPerS: number; corruptBytes: number; missingBytes: number; latencyUs: { p99: number } };
  if (r.corruptBytes || r.missingBytes) throw new Error('socket-lab bench saw corrupt or missing bytes');
  return { msgsPerS: r.msgsPerS, p99: r.latencyUs.p99 };
}

async function main(): Promise<void> {
  const client = compileC('echo_client');
  const server = await startServer('node net pipe', process.execPath, [path.join(__dirname, 'ref/node-pipe-echo.js')]);
  console.log(`# load generator vs C epoll client, against a plain Node pipe echo — ${machine()}; ${rounds} rounds × ${seconds} s`);
  const rows: string[] = [];
  try {
    for (const conns of values.conns.split(',').map(Number)) {
      const ours: number[] = [];
      const c: number[] = [];
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const pair = r % 2 === 0 ? ['node', 'c'] : ['c', 'node'];
        let o = 0;
        let k = 0;
        for (const who of pair) {
          if (who === 'node') o = runNodeLoadgen(server.port, conns).msgsPerS;
          else k = runEchoClient(client, server.port, conns, seconds).msgs_per_s;
        }
        ours.push(o);
        c.push(k);
        ratios.push(o / k);
      }
      rows.push(`| ${conns} | ${(median(ours) / 1000).toFixed(1)} k | ${(median(c) / 1000).toFixed(1)} k | **${median(ratios).toFixed(2)}×** (${ratios.map((x) => x.toFixed(2)).join(', ')}) |`);
      console.log(`conns=${conns}: socket-lab bench ${(median(ours) / 1000).toFixed(1)} k/s, C client ${(median(c) / 1000).toFixed(1)} k/s, ratio ${median(ratios).toFixed(2)}×`);
    }
  } finally {
    await server.stop();
  }
  console.log('\n| conns | socket-lab bench msgs/s | C epoll client msgs/s | ours / C (median; per round) |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

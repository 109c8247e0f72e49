// Each timing lab beside its real Python program, alternated round by round in one run: the Node
// lab's figures and Python's own outcome line, and the wall time of each. The point is the
// lesson's numbers (a Node lab must state Python-like numbers or say why not), not speed.
// Usage: node --import tsx bench/labs.ts [--rounds R] [--only threads-join,gil,…]
import { execFile } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/engine';
import { exampleFile, outcomeOf } from '../src/engine/labs/pythonTwin';
import { WORKER_ENTRIES, type WorkerScripts } from '../src/engine/workers/spawn';
import { machine, median, root } from './support';

/** The labs whose lesson is a timing, and the Node figures that state it. */
const LABS: Readonly<Record<string, readonly string[]>> = {
  'threads-join': ['joinAfterLoopMs', 'joinInsideLoopMs', 'warmUpMs'],
  'threading-functions': ['runningMs', 'activeCount', 'warmUpMs'],
  'join-order': ['serialMs', 'parallelMs'],
  pool: ['applyAsyncMs', 'applyMs'],
  gil: ['threadsSpeedup', 'processesSpeedup', 'gilThreadsSpeedup'],
  multiprogramming: ['medianTurnMs', 'wallOverCpu', 'expectedRatio'],
  backlog: ['connectedAtOnce', 'waited', 'waitedMs'],
  'select-server': ['blockedEchoMs', 'handedOffEchoMs'],
};

const { values } = parseArgs({ options: { rounds: { type: 'string' }, only: { type: 'string' } } });
const rounds = Number(values.rounds ?? 2);
const names = values.only ? values.only.split(',') : Object.keys(LABS);
const workers: WorkerScripts = Object.fromEntries(WORKER_ENTRIES.map((e) => [e, path.join(root, 'dist', `${e}.js`)]));
const examples = path.join(root, 'examples');

async function nodeRun(name: string): Promise<{ ms: number; figures: Record<string, unknown> }> {
  const engine = new Engine({ workers });
  const t0 = performance.now();
  try {
    const run = engine.startLab(name);
    const outcome = await run.finished;
    if (!outcome) throw new Error(`${name}: ${run.view().output.slice(-3).join(' / ')}`);
    return { ms: performance.now() - t0, figures: outcome.figures as Record<string, unknown> };
  } finally {
    await engine.dispose();
  }
}

function pythonRun(name: string): Promise<{ ms: number; outcome: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile('python3', [exampleFile(name, examples)], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${name}.py: ${String(err)} ${stderr}`));
      resolve({ ms: performance.now() - t0, outcome: outcomeOf(stdout.split('\n')) ?? '(no outcome line)' });
    }),
  );
}

const show = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

async function main(): Promise<void> {
  console.log(`# Labs beside their Python programs — ${machine()}, ${rounds} round(s), Node lab then Python, alternating\n`);
  console.log('| lab | Node lab figures (last round) | Python outcome (last round) | wall Node / Python (median) |');
  console.log('|---|---|---|---|');
  for (const name of names) {
    const keys = LABS[name];
    if (!keys) throw new Error(`no timing lab "${name}"`);
    const ratios: number[] = [];
    let node: Awaited<ReturnType<typeof nodeRun>> | undefined;
    let py: Awaited<ReturnType<typeof pythonRun>> | undefined;
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first: neither always gets the quieter moment.
      if (r % 2 === 0) {
        node = await nodeRun(name);
        py = await pythonRun(name);
      } else {
        py = await pythonRun(name);
        node = await nodeRun(name);
      }
      ratios.push(node.ms / py.ms);
    }
    const figures = keys.map((k) => `${k} ${show(node!.figures[k])}`).join(', ');
    console.log(`| \`${name}\` | ${figures} | ${py!.outcome} | ${median(ratios).toFixed(2)}× (${ratios.map((x) => x.toFixed(2)).join(', ')}) |`);
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

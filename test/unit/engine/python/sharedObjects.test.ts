import assert from 'node:assert/strict';
import type { SyncView, ThreadView } from '../../../../src/protocol/views';
import { PythonLab } from './support';

// The tutorials' multiprocessing lessons in one program: a Lock the processes contend for, an
// Event, a Value and an Array in shared memory, Queues, and a Manager's dict.
const PROGRAM = `
      import multiprocessing as mp, sys
      def work(i, lock, holding, go, num, arr, results, shared):
          with lock:
              holding.put(i)
              go.wait()
          with num.get_lock():
              num.value += 1
          arr[i] = -arr[i]
          results.put(i * i)
          shared[i] = str(i)

      if __name__ == '__main__':
          mp.set_start_method(sys.argv[1])
          lock = mp.Lock()
          holding = mp.Queue()
          go = mp.Event()
          num = mp.Value('d', 0.0)
          arr = mp.Array('i', range(3))
          results = mp.Queue()
          with mp.Manager() as manager:
              shared = manager.dict()
              ps = [mp.Process(target=work, args=(i, lock, holding, go, num, arr, results, shared)) for i in range(3)]
              for p in ps:
                  p.start()
              print('holding', holding.get(), flush=True)
              sys.stdin.readline()
              go.set()
              print(sorted(results.get() for _ in range(3)))
              for p in ps:
                  p.join()
              print(num.value, arr[:], sorted(shared.items()))
      `;

/** Runs the program with the start method as its argument, its stdin, stdout and stderr piped to the test. */
async function runPiped(lab: PythonLab, file: string, method: string) {
  const run = await lab.engine.runPython({ file, args: [method], launch: { kind: 'spawn', interpreter: 'python3', stdio: ['pipe', 'pipe', 'pipe'] } });
  const child = run.process!;
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { run, child, output: () => ({ out, err }) };
}

const CHILD_MAIN = /^Process-\d+: MainThread$/;

function sync(vs: readonly { kind: string }[], runId: string, name: string): SyncView | undefined {
  return vs.find((v): v is SyncView => v.kind === 'sync' && (v as SyncView).parentId === runId && (v as SyncView).name === name);
}

describe('engine/python: what processes share, one row each across processes', function () {
  this.timeout(90_000);
  let lab: PythonLab;
  beforeEach(() => (lab = new PythonLab()));
  afterEach(() => lab.dispose());

  for (const method of ['fork', 'spawn']) {
    it(`${method}: a Lock held by one child and waited for by two; its Event, Value, Array, Queues and a Manager dict`, async () => {
      const file = lab.file('shared.py', PROGRAM);
      const { run, child, output } = await runPiped(lab, file, method);

      const { lock, waiting, holder } = await lab.until('the lock held by one child, two waiting', (vs) => {
        const lock = sync(vs, run.id, 'lock');
        if (!lock || lock.holderName === null || lock.waiters.length !== 2) return undefined;
        const threads = vs.filter((v): v is ThreadView => v.kind === 'thread' && v.parentId === run.id);
        const waiting = threads.filter((t) => t.state === 'waiting for lock' && t.waitingFor?.name === 'lock');
        const holder = threads.find((t) => t.name === lock.holderName);
        return waiting.length === 2 && holder?.state === 'waiting for event' && { lock, waiting, holder };
      });
      assert.deepEqual([lock.primitive, lock.sharing], ['Lock', 'shared between processes']);
      assert.match(lock.holderName!, CHILD_MAIN);
      assert.equal(lock.holderId, holder.id);
      const waiterNames = lock.waiters.map((w) => w.name).sort();
      assert.ok(
        waiterNames.every((n) => CHILD_MAIN.test(n) && n !== lock.holderName),
        waiterNames.join(', '),
      );
      // Each waiting child's own row says who (in another process) holds what it waits for.
      assert.deepEqual(waiting.map((t) => t.name).sort(), waiterNames);
      for (const t of waiting) assert.deepEqual([t.waitingFor?.id, t.waitingFor?.holderName], [lock.id, lock.holderName]);
      assert.deepEqual([holder.waitingFor?.name, holder.holding], ['go', ['lock']]);
      const go = sync(lab.views(), run.id, 'go')!;
      assert.deepEqual([go.primitive, go.value, go.waiters.map((w) => w.name)], ['Event', 0, [lock.holderName]]);

      child.stdin!.end('\n');
      const end = await run.finished;
      assert.equal(end.exitCode, 0, output().err);
      assert.match(output().out, /^holding \d\n\[0, 1, 4\]\n3\.0 \[0, -1, -2\] \[\(0, '0'\), \(1, '1'\), \(2, '2'\)\]\n$/);

      const rows = await lab.until('the shared objects, final', (vs) => {
        const num = sync(vs, run.id, 'num');
        const results = sync(vs, run.id, 'results');
        const shared = sync(vs, run.id, 'shared');
        return num?.contents === '3.0' && results?.contents?.endsWith('3 put · 3 got') && shared?.contents?.includes("2: '2'") && { num, results, shared };
      });
      assert.deepEqual([rows.num.primitive, rows.num.acquisitions >= 3], ['Value', true]);
      assert.equal(sync(lab.views(), run.id, 'arr')?.contents, '[0, -1, -2]');
      assert.equal(rows.results.contents, '0 queued · 3 put · 3 got');
      assert.deepEqual([rows.shared.primitive, rows.shared.sharing], ['dict', 'in a Manager process']);
      assert.equal(rows.shared.contents, "{0: '0', 1: '1', 2: '2'}");
      assert.equal(sync(lab.views(), run.id, 'go')?.value, 1);
      // multiprocessing's own locks (a Queue's, a Condition's) are not the program's: no rows.
      const names = lab
        .views()
        .filter((v): v is SyncView => v.kind === 'sync' && v.parentId === run.id)
        .map((s) => s.name)
        .sort();
      assert.deepEqual(names, ['arr', 'go', 'holding', 'lock', 'num', 'results', 'shared']);
      const summary = run.summary().locks.find((l) => l.name === 'lock');
      assert.deepEqual(summary, { kind: 'Lock', name: 'lock', acquisitions: 3, maxWaiters: 2 });
    });

    it(`${method}: a Barrier two children wait at until the parent comes, one row; no rows for the Condition and lock it is made of`, async () => {
      const file = lab.file(
        'barrier.py',
        `
      import multiprocessing as mp, sys
      def work(gate):
          n = gate.wait()
          sys.stdout.write('passed %s\\n' % (n >= 0))
          sys.stdout.flush()
      if __name__ == '__main__':
          mp.set_start_method(sys.argv[1])
          gate = mp.Barrier(3)
          ps = [mp.Process(target=work, args=(gate,)) for _ in range(2)]
          for p in ps:
              p.start()
          sys.stdin.readline()
          gate.wait()
          for p in ps:
              p.join()
          print('done', gate.n_waiting, flush=True)
        `,
      );
      const { run, child, output } = await runPiped(lab, file, method);
      const { gate, waiting } = await lab.until('two children at the barrier', (vs) => {
        const gate = sync(vs, run.id, 'gate');
        const waiting = vs.filter((v): v is ThreadView => v.kind === 'thread' && v.parentId === run.id && v.state === 'waiting at barrier');
        return gate && gate.waiters.length === 2 && waiting.length === 2 && { gate, waiting };
      });
      assert.deepEqual([gate.primitive, gate.sharing, gate.value], ['Barrier', 'shared between processes', 2]);
      for (const t of waiting) {
        assert.match(t.name, CHILD_MAIN);
        assert.equal(t.waitingFor?.id, gate.id);
      }
      child.stdin!.end('\n');
      const end = await run.finished;
      assert.equal(end.exitCode, 0, output().err);
      assert.equal(output().out, 'passed True\npassed True\ndone 0\n');
      const after = await lab.until('the barrier passed by all three', (vs) => {
        const g = sync(vs, run.id, 'gate');
        return g && g.waiters.length === 0 && g.acquisitions === 3 && g;
      });
      assert.equal(after.value, 0);
      const names = lab
        .views()
        .filter((v): v is SyncView => v.kind === 'sync' && v.parentId === run.id)
        .map((s) => s.name);
      assert.deepEqual(names, ['gate']);
    });
  }
});

import assert from 'node:assert/strict';
import path from 'node:path';
import { LABS } from '../../../../src/engine/labs/catalog';
import { exampleFile, outcomeOf, PythonTwin, type TwinFailure } from '../../../../src/engine/labs/pythonTwin';
import { root } from '../../support/build';
import { PythonLab } from '../python/support';

const examples = path.join(root, 'examples');
const words = (f: TwinFailure) => (f.kind === 'exit' ? `exit code ${f.code}` : f.kind);

describe("PythonTwin: a lab's real Python program run beside it (real python3, traced)", function () {
  this.timeout(60_000);
  let lab: PythonLab;
  beforeEach(() => (lab = new PythonLab()));
  afterEach(() => lab.dispose());

  it("names each lab's program, and reads the last outcome line", () => {
    assert.equal(exampleFile('threads-join', examples), path.join(examples, 'threads_join.py'));
    for (const l of LABS) assert.ok(exampleFile(l.name, examples).endsWith(`${l.name.replace(/-/g, '_')}.py`));
    assert.equal(outcomeOf(['a', 'outcome: one', 'b', 'outcome: two', 'c']), 'two');
    assert.equal(outcomeOf(['outcome:no space']), null);
  });

  it('race.py: its lines as printed, its outcome line, and the program in the views while it runs', async () => {
    const twin = await PythonTwin.start((o) => lab.engine.runPython(o), exampleFile('race', examples), 'python3', words);
    const seen = await lab.until('the program in the views', (v) => v.find((e) => e.kind === 'program' && e.id === twin.programId));
    assert.ok(seen);
    const end = await twin.finished;
    assert.equal(end.state, 'done', end.lines.join('\n'));
    assert.equal(end.exitCode, 0);
    assert.match(end.outcome ?? '', /without a lock \d+ updates lost; with the lock 0/);
    assert.ok(
      end.lines.some((l) => l.startsWith('without a lock')),
      end.lines.join('\n'),
    );
    assert.ok(end.elapsedMs > 0);
    await twin.dispose();
  });

  it('a failing program: failed, its traceback kept (stderr lines marked), and the reason in words', async () => {
    const file = lab.file('broken.py', "print('starting')\nraise ValueError('bad input')\n");
    const twin = await PythonTwin.start((o) => lab.engine.runPython(o), file, 'python3', words);
    const end = await twin.finished;
    assert.equal(end.state, 'failed');
    assert.equal(end.exitCode, 1);
    assert.equal(end.problem, 'exit code 1');
    assert.ok(end.lines.includes('starting'));
    assert.ok(
      end.lines.some((l) => l.startsWith('! ValueError: bad input')),
      end.lines.join('\n'),
    );
  });

  it('a program that prints no outcome line, and an interpreter that does not exist: failed, nothing left running', async () => {
    let twin = await PythonTwin.start((o) => lab.engine.runPython(o), lab.file('quiet.py', "print('hi')\n"), 'python3', words);
    let end = await twin.finished;
    assert.equal(end.state, 'failed');
    assert.equal(end.problem, 'no outcome');
    twin = await PythonTwin.start((o) => lab.engine.runPython(o), exampleFile('race', examples), '/nonexistent/python3', words);
    end = await twin.finished;
    assert.equal(end.state, 'failed');
    assert.equal(end.problem, 'not started');
    assert.equal(lab.engine.listPrograms().filter((r) => r.isRunning).length, 0);
  });

  it('stopped mid-run (the panel closed): the program and its threads end', async () => {
    const twin = await PythonTwin.start((o) => lab.engine.runPython(o), lab.file('long.py', 'import time\nprint("up", flush=True)\ntime.sleep(30)\nprint("outcome: never")\n'), 'python3', words);
    await new Promise<void>((resolve) => {
      const sub = twin.onDidChange(() => {
        if (twin.view().lines.includes('up')) {
          sub.dispose();
          resolve();
        }
      });
    });
    await twin.dispose();
    const end = await twin.finished;
    assert.equal(end.state, 'failed');
    assert.equal(lab.engine.listPrograms().filter((r) => r.isRunning).length, 0);
  });
});

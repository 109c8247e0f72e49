import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../../../src/engine/engine';
import { useBundle } from '../../../../src/protocol/l10n';
import { root, workers } from '../../support/build';

const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

describe('a lab in the display language: its own lines and outcome, and what its real threads and child processes say (translated in the main thread)', function () {
  this.timeout(30_000);
  let engine: Engine;
  before(() => useBundle(zh));
  after(() => useBundle({}));
  beforeEach(() => (engine = new Engine({ workers, retentionMs: 60_000 })));
  afterEach(() => engine.dispose());

  it('rlock: a worker thread says "acquired RLock#1 twice (depth 2)" in Chinese; the outcome is Chinese with Lock and RLock as written', async () => {
    const run = engine.startLab('rlock');
    await run.finished;
    const v = run.view();
    assert.equal(v.title, 'RLock 重入与 Lock 自死锁');
    assert.ok(v.output.includes('[RLock user] 第二次获取 RLock#1（深度 2）'), v.output.join('\n'));
    assert.match(v.summary ?? '', /RLock.*Lock/);
    assert.match(v.summary ?? '', /[\u4e00-\u9fff]/);
  });

  it('memory-isolation: a child process says its lines in Chinese too', async () => {
    const run = engine.startLab('memory-isolation', { children: 2 });
    await run.finished;
    const out = run.view().output.join('\n');
    assert.match(out, /子进程看到 count = 100，把它设为 0/);
    assert.match(out, /父进程：count = 100/);
  });

  it('English without a bundle: the same lines as the worker formats them', async () => {
    useBundle({});
    try {
      const run = engine.startLab('rlock');
      await run.finished;
      assert.ok(run.view().output.includes('[RLock user] acquired RLock#1 twice (depth 2)'), run.view().output.join('\n'));
    } finally {
      useBundle(zh);
    }
  });
});

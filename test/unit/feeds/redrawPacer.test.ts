import assert from 'node:assert/strict';
import { RedrawPacer } from '../../../src/feeds/redrawPacer';

describe('feeds: RedrawPacer (when a tree draws its changed rows)', function () {
  this.timeout(10_000);

  it('draws at once while quiet; once it drew more than its busy rows in a second, the next rows wait for the pace and come with the latest set', async () => {
    const draws: { at: number; rows: string[] | undefined }[] = [];
    let drew: () => void = () => undefined;
    const pacer = new RedrawPacer<string>(
      (rows) => {
        draws.push({ at: Date.now(), rows });
        drew();
      },
      10,
      300,
    );
    try {
      pacer.rows(['a']);
      assert.deepEqual(
        draws.map((d) => d.rows),
        [['a']],
        'a quiet change is drawn at once',
      );
      const busy = Array.from({ length: 11 }, (_, i) => `t${i}`);
      pacer.rows(busy);
      assert.equal(draws.length, 2, 'still under the busy mark before this draw: at once');
      const busyAt = draws[1]!.at;
      pacer.rows(['t1', 't2']);
      pacer.rows(['t2', 't3']);
      assert.equal(draws.length, 2, 'now busy: the rows wait');
      await new Promise<void>((resolve) => (drew = resolve));
      assert.deepEqual(draws[2]!.rows, ['t1', 't2', 't3'], 'one draw of every row that waited, each once');
      assert.ok(draws[2]!.at - busyAt >= 290, `waited ${draws[2]!.at - busyAt} ms`);
      // A new picture takes what waited with it.
      pacer.rows(['x']);
      pacer.all();
      assert.equal(draws[draws.length - 1]!.rows, undefined);
      const before = draws.length;
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(draws.length, before, 'nothing drawn after the whole picture');
    } finally {
      pacer.cancel();
    }
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WELCOME_TEXT } from '../../../../src/engine/server/handlers';
import { useBundle } from '../../../../src/protocol/l10n';
import { MODELS } from '../../../../src/protocol/views';
import { root } from '../../support/build';
import { TestClient, udpExchange } from '../../../support/testClient';
import { useEngine } from './support';

const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

describe('the welcome handler greets in the display language, on every model and transport (its text travels to the threads and children that serve)', function () {
  this.timeout(30_000);
  const fx = useEngine(true);
  before(() => useBundle(zh));
  after(() => useBundle({}));

  it('the Chinese greeting is a translation of the English one', () => {
    assert.ok(zh[WELCOME_TEXT]);
    assert.match(zh[WELCOME_TEXT]!, /[\u4e00-\u9fff]+\n$/);
  });

  for (const model of MODELS) {
    it(`${model}: TCP greets in Chinese (UTF-8, whole), then closes; UDP answers a datagram with it`, async () => {
      const server = await fx.start(model, { handler: 'welcome' });
      const c = await TestClient.connect({ port: server.port });
      await c.whenClosed();
      assert.equal(c.text, zh[WELCOME_TEXT]);
      const udp = await fx.engine.startServer({ transport: 'udp', model, handler: 'welcome', host: '127.0.0.1', port: 0 });
      assert.equal((await udpExchange(udp.port, 'hi')).toString('utf8'), zh[WELCOME_TEXT]);
      await Promise.all([fx.engine.stopServer(server.id), fx.engine.stopServer(udp.id)]);
    });
  }
});

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MENU_GREETING, MENU_OPERATOR, MENU_RETRY, WELCOME_TEXT, type HandlerName } from '../../../../src/engine/server/handlers';
import type { Server } from '../../../../src/engine/server/server';
import { MODELS } from '../../../../src/protocol/views';
import type { Where } from '../../../support/testClient';
import { useEngine } from './support';

/** Sends `payload`, then FIN (shutdown(SHUT_WR)), and reads until the server closes. */
function exchange(where: Where, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = 'path' in where ? net.connect({ path: where.path, allowHalfOpen: true }) : net.connect({ host: '127.0.0.1', port: where.port, allowHalfOpen: true });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('connect', () => s.end(payload));
  });
}

function where(server: Server): Where {
  return server.options.transport === 'unix' ? { path: server.address } : { port: server.port };
}

let unixCount = 0;
const unixPath = (): string => path.join(os.tmpdir(), `sl-half-${process.pid}-${++unixCount}.sock`);

describe('servers: every byte sent before a FIN is answered (half-close)', function () {
  this.timeout(120_000);
  const fixture = useEngine(true);

  for (const transport of ['tcp', 'unix'] as const) {
    for (const model of MODELS) {
      it(`${transport} × ${model}: 20 exchanges of send + shutdown(SHUT_WR) + read to EOF, and 1 MiB + FIN 10 of 10 byte-exact`, async () => {
        const server = await fixture.engine.startServer({
          transport,
          model,
          handler: 'echo',
          host: '127.0.0.1',
          port: 0,
          path: transport === 'unix' ? unixPath() : undefined,
          spares: 2,
          poolSize: 4,
        });
        try {
          const small = await Promise.all(Array.from({ length: 20 }, (_, i) => exchange(where(server), Buffer.from(`hello ${i}\n`))));
          const answered = small.filter((b, i) => b.toString() === `hello ${i}\n`).length;
          assert.equal(answered, 20, `small exchanges answered in full: ${answered} of 20`);
          let exact = 0;
          const sizes: number[] = [];
          for (let i = 0; i < 10; i++) {
            const big = crypto.randomBytes(1024 * 1024);
            const back = await exchange(where(server), big);
            sizes.push(back.length);
            if (back.equals(big)) exact++;
          }
          assert.equal(exact, 10, `1 MiB echoed byte-exact ${exact} of 10 times (sizes back: ${sizes.join(', ')})`);
        } finally {
          await fixture.engine.stopServer(server.id);
        }
      });
    }
  }

  /** Every other handler that replies: what it must answer to a request followed at once by FIN. */
  const REPLIES: [HandlerName, string, string][] = [
    ['upper', 'hello ß\n', 'HELLO ß\n'],
    ['menu', '0', MENU_GREETING + MENU_OPERATOR],
    ['menu', '1234', MENU_GREETING + MENU_RETRY],
    ['welcome', 'hi', WELCOME_TEXT],
  ];
  for (const transport of ['tcp', 'unix'] as const) {
    it(`${transport} × every model: upper, menu and welcome answer a request sent with its FIN, 10 of 10`, async () => {
      const misses: string[] = [];
      for (const model of MODELS) {
        for (const [handler, request, reply] of REPLIES) {
          const server = await fixture.engine.startServer({ transport, model, handler, host: '127.0.0.1', port: 0, path: transport === 'unix' ? unixPath() : undefined, spares: 2, poolSize: 4 });
          try {
            const back = await Promise.all(Array.from({ length: 10 }, () => exchange(where(server), Buffer.from(request))));
            const ok = back.filter((b) => b.toString() === reply).length;
            if (ok !== 10) misses.push(`${model} ${handler} ${JSON.stringify(request)}: ${ok} of 10 (e.g. ${JSON.stringify(back.find((b) => b.toString() !== reply)?.toString())})`);
          } finally {
            await fixture.engine.stopServer(server.id);
          }
        }
      }
      assert.deepEqual(misses, []);
    });
  }

  it("a tutorial-style Python client (sendall, shutdown(SHUT_WR), recv until b'') gets its whole reply from every model", async function () {
    const program = [
      'import socket, sys',
      "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
      "s.sendall('你好, half-close\\n'.encode('utf-8') * 1000)",
      's.shutdown(socket.SHUT_WR)',
      "data = b''",
      'while True:',
      '    chunk = s.recv(1024)',
      '    if not chunk:',
      '        break',
      '    data += chunk',
      's.close()',
      "print(len(data), data == '你好, half-close\\n'.encode('utf-8') * 1000)",
    ].join('\n');
    for (const model of MODELS) {
      const server = await fixture.engine.startServer({ transport: 'tcp', model, handler: 'echo', host: '127.0.0.1', port: 0, spares: 1, poolSize: 2 });
      try {
        const out = await new Promise<string>((resolve, reject) =>
          execFile('python3', ['-c', program, String(server.port)], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
        );
        assert.equal(out.trim(), `${Buffer.byteLength('你好, half-close\n') * 1000} True`, `${model}: ${out.trim()}`);
      } finally {
        await fixture.engine.stopServer(server.id);
      }
    }
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import readline from 'node:readline';
import { MODELS, type ConcurrencyModel } from '../../../../src/protocol/views';
import { CLI } from '../../../support/cli';
import { eventually } from '../../../support/testClient';

interface Client {
  readonly socket: net.Socket;
  replies: number;
  closed: boolean;
}

/** A headless server in its own process, limited to 256 descriptors (ulimit -n 256). */
async function serveLimited(model: ConcurrencyModel): Promise<{ port: number; stop: () => Promise<string> }> {
  const child = spawn('bash', ['-c', `ulimit -n 256 && exec "$0" "$@"`, process.execPath, CLI, 'serve', 'tcp', '--model', model, '--max-threads', '400', '--max-children', '256'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (l) => {
      const m = /^listening tcp 127\.0\.0\.1:(\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error(`serve exited: ${stderr}`)));
  });
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return stderr;
    },
  };
}

function connect(port: number, clients: Client[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const c: Client = { socket, replies: 0, closed: false };
    clients.push(c);
    socket.on('data', () => c.replies++);
    socket.on('error', () => {});
    socket.on('close', () => {
      c.closed = true;
      resolve();
    });
    socket.on('connect', () => {
      socket.write('x');
      resolve();
    });
  });
}

/** Resolves once no client was answered or closed for 1.5 s (bounded: 60 s). */
async function settled(clients: readonly Client[]): Promise<void> {
  const sample = (): string => `${clients.filter((c) => c.replies > 0).length}/${clients.filter((c) => c.closed).length}`;
  let last = sample();
  let since = Date.now();
  await eventually(
    () => {
      const now = sample();
      if (now !== last) {
        last = now;
        since = Date.now();
      }
      return Date.now() - since >= 1500;
    },
    'the clients to settle',
    60_000,
  );
}

describe('servers: out of descriptors (ulimit -n 256, 400 clients), accepted connections survive', function () {
  this.timeout(120_000);

  for (const model of MODELS) {
    it(`${model}: served connections stay served, the rest wait or are refused (newest), and waiting ones are served once descriptors free up`, async () => {
      const server = await serveLimited(model);
      const clients: Client[] = [];
      try {
        for (let i = 0; i < 400; i++) await connect(server.port, clients);
        // Settled: every client answered, refused (closed) or waiting, and nothing moved for 1.5 s.
        await settled(clients);
        const served = clients.filter((c) => c.replies > 0 && !c.closed);
        const refused = clients.filter((c) => c.closed && c.replies === 0);
        const waiting = clients.filter((c) => !c.closed && c.replies === 0);
        // Prefork children accept with descriptors of their own: there the parent's limit caps the
        // children it can fork, and the rest wait in the kernel's listen queue instead.
        assert.ok(refused.length + waiting.length > 0, `with 256 descriptors not all of 400 clients can be served at once (served ${served.length})`);
        // A served connection is never closed for lack of descriptors: it answers again.
        const before = served.map((c) => c.replies);
        for (const c of served) c.socket.write('y');
        await eventually(() => served.every((c, i) => c.replies > before[i]! || c.closed), 'every served connection to answer a second message', 20_000);
        assert.deepEqual(served.filter((c) => c.closed).length, 0, `served connections closed by the server: ${served.filter((c) => c.closed).length} of ${served.length}`);
        // Free descriptors: the served ones leave; a waiting one must now be served, none closed.
        if (waiting.length > 0) {
          for (const c of served) c.socket.destroy();
          await eventually(() => waiting.some((c) => c.replies > 0), `a waiting connection (of ${waiting.length}) to be served once descriptors free up`, 30_000);
          assert.equal(waiting.filter((c) => c.closed).length, 0, 'waiting connections are not closed while they wait');
        }
      } finally {
        for (const c of clients) c.socket.destroy();
        const log = await server.stop();
        const reports = log.split('\n').filter((l) => /could not start a (thread|process)/.test(l));
        assert.ok(reports.length <= 1, `the failure is reported once, not per attempt:\n${reports.join('\n')}`);
      }
    });
  }
});

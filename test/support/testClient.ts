import dgram from 'node:dgram';
import net from 'node:net';

export type Where = { readonly port: number; readonly host?: string } | { readonly path: string };

/** A real client socket that collects what it receives and lets a test wait on it (no sleeps). */
export class TestClient {
  private chunks: Buffer[] = [];
  private length = 0;
  ended = false;
  closed = false;
  error: Error | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.length += d.length;
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(where: Where): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = 'path' in where ? net.connect({ path: where.path }) : net.connect({ host: where.host ?? '127.0.0.1', port: where.port });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new TestClient(s));
      });
      s.once('error', reject);
    });
  }

  /** Everything received so far (joined on demand: appending per chunk would be quadratic). */
  get received(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get receivedLength(): number {
    return this.length;
  }

  get text(): string {
    return this.received.toString('utf8');
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves once `ok()` holds; rejects after `ms` with what was received so far. */
  until(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.text.slice(0, 200))}, ended=${this.ended}, closed=${this.closed}`)), ms);
      const check = () => {
        if (ok()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  /** Waits until `n` bytes have arrived in total. */
  bytes(n: number): Promise<void> {
    return this.until(() => this.length >= n, `${n} bytes`);
  }

  textIncludes(s: string): Promise<void> {
    return this.until(() => this.text.includes(s), JSON.stringify(s));
  }

  whenClosed(): Promise<void> {
    return this.until(() => this.closed, 'close');
  }

  close(): void {
    this.socket.end();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Sends one datagram and resolves with the first reply (or rejects after `ms`). */
export function udpExchange(port: number, payload: string | Buffer, ms = 5000, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error(`no UDP reply within ${ms} ms`));
    }, ms);
    s.once('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      s.close();
      reject(e);
    });
    s.send(payload, port, host);
  });
}

/** Polls a condition on the engine's state (state has no event per field); bounded, never a fixed sleep. */
export async function eventually(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

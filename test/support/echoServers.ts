import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Plain reference echo servers (not Socket Lab's): the clients must work against anyone's server.

export async function tcpEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((c) => {
    c.on('error', () => c.destroy());
    c.pipe(c);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

export async function unixEcho(): Promise<{ path: string; close(): Promise<void> }> {
  const where = path.join(os.tmpdir(), `sl-echo-${process.pid}-${Math.random().toString(36).slice(2, 8)}.sock`);
  const conns = new Set<net.Socket>();
  const server = net.createServer((c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
    c.on('error', () => c.destroy());
    c.pipe(c);
  });
  await new Promise<void>((r) => server.listen(where, () => r()));
  return {
    path: where,
    close: () =>
      new Promise((r) => {
        for (const c of conns) c.destroy();
        server.close(() => {
          fs.rmSync(where, { force: true });
          r();
        });
      }),
  };
}

export async function udpEcho(): Promise<{ port: number; received: () => number; close(): Promise<void> }> {
  const s = dgram.createSocket('udp4');
  let count = 0;
  s.on('message', (m, rinfo) => {
    count++;
    s.send(m, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, received: () => count, close: () => new Promise((r) => s.close(() => r())) };
}

export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

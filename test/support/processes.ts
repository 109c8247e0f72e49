import fs from 'node:fs';
import net from 'node:net';

export interface ProcessInfo {
  readonly pid: number;
  readonly cmdline: string;
}

/** Live processes whose command line contains `needle` (read from /proc: no ps parsing). */
export function findProcesses(needle: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && cmdline.includes(needle)) out.push({ pid: Number(entry), cmdline });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Resolves true when something accepts connections on 127.0.0.1:port. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Binds and releases the port: proves it is free for a new listener right now. */
export function canListen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** Sends `payload` and resolves with everything received until `expectedBytes` arrived. */
export function exchange(port: number, payload: Buffer | string, expectedBytes: number, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const s = net.connect({ host, port }, () => s.write(payload));
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= expectedBytes) {
        s.end();
        resolve(Buffer.concat(chunks));
      }
    });
    s.once('error', reject);
    s.once('close', () => {
      if (got < expectedBytes) reject(new Error(`connection closed after ${got} of ${expectedBytes} bytes`));
    });
  });
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Every live descendant of `pid` (children, grandchildren, …). */
export function descendants(pid: number): number[] {
  const all = fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
  const children = new Map<number, number[]>();
  for (const p of all) {
    const parent = parentOf(p);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const out: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

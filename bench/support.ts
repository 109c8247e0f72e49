import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export const benchDir = __dirname;
export const root = path.resolve(__dirname, '..');
const buildDir = path.join(benchDir, '.build');

/** Compiles a C helper from bench/c when its binary is missing or older than the source. */
export function compileC(name: string): string {
  const src = path.join(benchDir, 'c', `${name}.c`);
  const bin = path.join(buildDir, name);
  fs.mkdirSync(buildDir, { recursive: true });
  if (!fs.existsSync(bin) || fs.statSync(bin).mtimeMs < fs.statSync(src).mtimeMs) {
    execFileSync('gcc', ['-O2', '-Wall', '-o', bin, src], { stdio: 'inherit' });
  }
  return bin;
}

export interface RunningServer {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server process that prints "listening tcp HOST:PORT" and waits for that line. */
export async function startServer(name: string, command: string, args: string[]): Promise<RunningServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (l) => {
      const m = /^listening tcp .*:(\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    name,
    port,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface EchoResult {
  readonly conns: number;
  /** From the first connect until every connection had its first reply (the window starts after). */
  readonly ramp_ms: number;
  readonly msgs_per_s: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly errors: number;
  readonly bad_bytes: number;
}

function echoArgs(port: number, conns: number, seconds: number, size: number, warmupS = 0.5): string[] {
  return ['127.0.0.1', String(port), String(conns), String(seconds), String(size), String(warmupS)];
}

function checked(out: string): EchoResult {
  const r = JSON.parse(out) as EchoResult;
  if (r.errors || r.bad_bytes) throw new Error(`echo client saw ${r.errors} errors and ${r.bad_bytes} bad bytes`);
  return r;
}

export function runEchoClient(client: string, port: number, conns: number, seconds: number, size = 64): EchoResult {
  // stderr only carries the client's "window" mark and its errors (which the thrown error keeps).
  return checked(execFileSync(client, echoArgs(port, conns, seconds, size), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

/**
 * The same, asynchronously, telling when the measured window starts (every connection answered,
 * warm-up over), for figures that must cover exactly that window (CPU per process).
 */
export function runEchoClientWindow(client: string, port: number, conns: number, seconds: number, warmupS: number, onWindow: () => void, size = 64): Promise<EchoResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(client, echoArgs(port, conns, seconds, size, warmupS), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (!err.includes('window\n') && (err + d).includes('window\n')) onWindow();
      err += d;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        if (!out.trim()) throw new Error(`echo client exited with ${code}: ${err.replace('window\n', '').trim()}`);
        resolve(checked(out));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function machine(): string {
  const cpus = (execFileSync('nproc', { encoding: 'utf8' }) as string).trim();
  return `${cpus} vCPU, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

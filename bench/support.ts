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
 * One unbroken echo load cut into segments: the caller switches a condition, then closes a
 * segment with `mark()`, and gets that segment's figures. Conditions compared this way share the
 * same connections and sit seconds apart, so neither reconnecting nor the machine's drift over
 * minutes lands in the comparison.
 */
export class EchoLoad {
  private readonly child: ChildProcess;
  private readonly waiting: Array<{ resolve(r: EchoResult): void; reject(e: Error): void }> = [];
  private failure: Error | undefined;
  private stderr = '';
  private rejectWindow: (e: Error) => void = () => undefined;
  /** Settles when every connection has answered and the warm-up is over. */
  readonly window: Promise<void>;

  constructor(client: string, port: number, conns: number, warmupS: number, size = 64) {
    this.child = spawn(client, echoArgs(port, conns, 0, size, warmupS), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.window = new Promise((resolve, reject) => {
      this.rejectWindow = reject;
      this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        if (!this.stderr.includes('window\n') && (this.stderr + d).includes('window\n')) resolve();
        this.stderr += d;
      });
    });
    this.window.catch(() => undefined);
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.waiting.shift()?.resolve(checked(line));
      } catch (e) {
        this.fail(e instanceof Error ? e : new Error(String(e)));
      }
    });
    this.child.once('error', (e) => this.fail(e));
    this.child.once('close', (code) => this.fail(new Error(`echo client exited with ${code}: ${this.stderr.replace('window\n', '').trim()}`)));
  }

  /** Closes the current segment (since the window opened or the last mark) and returns it. */
  mark(): Promise<EchoResult> {
    return this.request('\n');
  }

  /** Ends the load; the result is the segment since the last mark. */
  end(): Promise<EchoResult> {
    const last = this.request(undefined);
    this.child.stdin!.end();
    return last;
  }

  private request(line: string | undefined): Promise<EchoResult> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<EchoResult>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (line) this.child.stdin!.write(line);
    return p;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.rejectWindow(e);
    for (const w of this.waiting.splice(0)) w.reject(e);
  }
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

// A lab's real Python program (examples/), run through the Python runner beside the Node lab:
// the program shows live in the same views, and its output and `outcome:` line are kept here.
import path from 'node:path';
import { Emitter, type AsyncDisposable } from '../lifecycle';
import type { PythonRun, PythonRunOptions } from '../python/pythonRun';

const MAX_LINES = 400;

/** Where a lab's Python program is: `examples/<its name with _ for ->.py`. */
export function exampleFile(labName: string, examplesDir: string): string {
  return path.join(examplesDir, `${labName.replace(/-/g, '_')}.py`);
}

/** The lesson a program states in its last `outcome:` line. */
export function outcomeOf(lines: readonly string[]): string | null {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.startsWith('outcome: ')) return lines[i]!.slice('outcome: '.length);
  return null;
}

export type TwinState = 'running' | 'done' | 'failed';

export interface TwinView {
  readonly file: string;
  readonly state: TwinState;
  /** stdout and stderr as the program printed them (stderr lines start with `! `). */
  readonly lines: readonly string[];
  readonly outcome: string | null;
  readonly exitCode: number | null;
  readonly elapsedMs: number;
  /** Why it failed, in a sentence (no interpreter, a non-zero exit, no outcome line). */
  readonly problem: string | null;
}

type StartPython = (options: Omit<PythonRunOptions, 'tracerDir'>) => Promise<PythonRun>;

/** Why a program did not show its lesson: it did not start, it exited non-zero, or it printed no outcome. */
export type TwinFailure = { readonly kind: 'not started' } | { readonly kind: 'exit'; readonly code: number } | { readonly kind: 'no outcome' };

export class PythonTwin implements AsyncDisposable {
  private readonly lines: string[] = [];
  private state: TwinState = 'running';
  private exitCode: number | null = null;
  private problem: string | null = null;
  private readonly started = performance.now();
  private endedAt: number | null = null;
  private readonly changeEmitter = new Emitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  readonly finished: Promise<TwinView>;

  private constructor(
    readonly file: string,
    private readonly run: PythonRun,
    describeFailure: (f: TwinFailure) => string,
  ) {
    const child = run.process;
    const partial = { out: '', err: '' };
    const take = (which: 'out' | 'err', chunk: string) => {
      const text = partial[which] + chunk;
      const parts = text.split(/\r?\n/);
      partial[which] = parts.pop()!;
      for (const p of parts) this.push(which === 'err' ? `! ${p}` : p);
    };
    child?.stdout?.setEncoding('utf8').on('data', (d: string) => take('out', d));
    child?.stderr?.setEncoding('utf8').on('data', (d: string) => take('err', d));
    this.finished = run.finished.then((end) => {
      for (const which of ['out', 'err'] as const) if (partial[which]) this.push(which === 'err' ? `! ${partial[which]}` : partial[which]);
      this.exitCode = end.exitCode;
      this.endedAt = performance.now();
      const outcome = outcomeOf(this.lines);
      const failure: TwinFailure | null =
        end.exitCode === null && end.signal === null ? { kind: 'not started' } : end.exitCode !== 0 ? { kind: 'exit', code: end.exitCode ?? -1 } : outcome === null ? { kind: 'no outcome' } : null;
      this.state = failure ? 'failed' : 'done';
      this.problem = failure ? describeFailure(failure) : null;
      this.changeEmitter.fire();
      return this.view();
    });
  }

  /**
   * Starts `file` with `interpreter`, traced. `describeFailure` words a failure in the user's language.
   */
  static async start(startPython: StartPython, file: string, interpreter: string, describeFailure: (f: TwinFailure) => string): Promise<PythonTwin> {
    const run = await startPython({
      file,
      cwd: path.dirname(file),
      // Unbuffered, so lines arrive as the program prints them, as in a terminal.
      launch: { kind: 'spawn', interpreter, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' } },
    });
    return new PythonTwin(file, run, describeFailure);
  }

  get programId(): string {
    return this.run.id;
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
    this.changeEmitter.fire();
  }

  view(): TwinView {
    return {
      file: this.file,
      state: this.state,
      lines: [...this.lines],
      outcome: outcomeOf(this.lines),
      exitCode: this.exitCode,
      elapsedMs: Math.round((this.endedAt ?? performance.now()) - this.started),
      problem: this.problem,
    };
  }

  async dispose(): Promise<void> {
    if (this.run.isRunning) await this.run.stop();
    this.changeEmitter.dispose();
  }
}

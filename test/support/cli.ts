import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export const CLI = path.resolve(__dirname, '../../dist/cli.js');

export interface CliRun {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line matching `re`. */
  line(re: RegExp): Promise<string>;
  /** Resolves when the process exits, with its code and all output. */
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  // English unless a test asks otherwise, whatever the machine's locale.
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8', SOCKET_LAB_LANG: '', ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (stdout += d));
  child.stderr.on('data', (d: string) => (stderr += d));
  const lines = readline.createInterface({ input: child.stdout });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    line(re) {
      return new Promise((resolve, reject) => {
        const onLine = (l: string) => {
          if (!re.test(l)) return;
          lines.off('line', onLine);
          resolve(l);
        };
        lines.on('line', onLine);
        void exited.then(() => reject(new Error(`exited before printing ${re}; stdout: ${stdout} stderr: ${stderr}`)));
      });
    },
    async exit() {
      const r = await exited;
      return { ...r, stdout, stderr };
    },
  };
}

/** Starts `serve` and resolves with its port once it printed that it listens. */
export async function serveCli(args: string[]): Promise<{ run: CliRun; port: number }> {
  const run = runCli(['serve', 'tcp', ...args]);
  const line = await run.line(/^listening tcp /);
  return { run, port: Number(/:(\d+)$/.exec(line)![1]) };
}

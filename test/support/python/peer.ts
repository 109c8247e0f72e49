import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

// The tutorials' servers as their authors wrote them: real python3 processes on 127.0.0.1.

export interface PythonPeer {
  readonly port: number;
  readonly process: ChildProcessWithoutNullStreams;
  stop(): Promise<void>;
}

/** Starts `test/support/python/<program>` and resolves once it printed the port it listens on. */
export function startPythonPeer(program: string, args: readonly string[] = []): Promise<PythonPeer> {
  const child = spawn('python3', [path.join(__dirname, program), ...args], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const port = Number(line.trim());
      if (!Number.isInteger(port) || port <= 0) return reject(new Error(`${program} printed "${line}", not a port`));
      resolve({
        port,
        process: child,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error(`${program} exited before printing its port: ${stderr}`)));
  });
}

/** Runs `argv` in a pseudo-terminal through pty_session.py, playing `script` (expect/send steps). */
export function ptySessionArgs(script: ReadonlyArray<readonly ['expect' | 'send', string]>, argv: readonly string[]): string[] {
  return [path.join(__dirname, 'pty_session.py'), JSON.stringify(script), ...argv];
}

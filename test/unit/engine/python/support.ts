// Real python3 programs under the tracer, watched through a state mirror as the views watch them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../../../src/engine/engine';
import type { Disposable } from '../../../../src/engine/lifecycle';
import { StateMirror } from '../../../../src/feeds/stateMirror';
import type { EntityView } from '../../../../src/protocol/views';
import { root, workers } from '../../support/build';

export const tracerDir = path.join(root, 'python');

export class PythonLab {
  readonly engine = new Engine({ workers, tracerDir, tickMs: 50, retentionMs: 60_000 });
  readonly mirror = new StateMirror();
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sl-pyrun-'));
  private readonly watching: Disposable;

  constructor() {
    this.mirror.setEngine(this.engine);
    this.watching = this.mirror.acquire();
  }

  file(name: string, source: string): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, source.replace(/^\n/, '').replace(/^ {6}/gm, ''));
    return file;
  }

  views(): EntityView[] {
    return [...this.mirror.all()];
  }

  /** Resolves with the predicate's first truthy answer, asked again on every published change. */
  until<T>(what: string, predicate: (views: EntityView[]) => T | undefined | false | null, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const r = predicate(this.views());
        if (r) {
          sub.dispose();
          clearTimeout(timer);
          resolve(r);
        }
      };
      const sub = this.mirror.onDidChange(check);
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`timed out waiting for ${what}; saw ${JSON.stringify(this.views().map((v) => [v.kind, v.name, 'state' in v ? v.state : '']))}`));
      }, timeoutMs);
      check();
    });
  }

  async dispose(): Promise<void> {
    this.watching.dispose();
    await this.engine.dispose();
    this.mirror.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** True while a process with that pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

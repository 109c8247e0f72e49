import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type * as vscode from 'vscode';

/**
 * A local socket that client terminals hold open. When the extension host goes away — a clean
 * deactivate, a window reload VS Code does not forward to terminals, or a crash — the kernel
 * closes it and every client ends at once.
 */
export class Lifeline implements vscode.Disposable {
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    /** What clients are given (SOCKET_LAB_LIFELINE); `@name` means the Linux abstract socket `\0name`. */
    readonly path: string,
    private readonly listenPath: string,
    private readonly server: net.Server,
  ) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async create(): Promise<Lifeline> {
    const name = `socket-lab-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    // Linux: an abstract socket has no file, so even a crashed extension host leaves nothing behind.
    const [given, where] =
      process.platform === 'linux'
        ? [`@${name}`, `\0${name}`]
        : process.platform === 'win32'
          ? [`\\\\.\\pipe\\${name}`, `\\\\.\\pipe\\${name}`]
          : [path.join(os.tmpdir(), `${name}.sock`), path.join(os.tmpdir(), `${name}.sock`)];
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where, () => resolve());
    });
    return new Lifeline(given, where, server);
  }

  dispose(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    if (this.listenPath.startsWith('/')) fs.rmSync(this.listenPath, { force: true });
  }
}

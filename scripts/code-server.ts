// Starts code-server (VS Code in the browser) with Socket Lab installed. Used by `npm start`
// and by the real-VS-Code tests. Paths come from scripts/provision.sh (cached outside the tree).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const root = path.resolve(__dirname, '..');

/** Runs provision.sh (idempotent) and returns the paths it prints. */
export interface ToolPaths {
  readonly node: string;
  readonly codeServer: string;
  readonly chromium: string;
}

export function provision(): ToolPaths {
  const out = execFileSync('bash', [path.join(root, 'scripts/provision.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const env: Record<string, string> = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2)),
  );
  const get = (k: string): string => {
    const v = env[k];
    if (!v) throw new Error(`provision.sh did not print ${k}`);
    return v;
  };
  return { node: get('SOCKET_LAB_NODE24'), codeServer: get('SOCKET_LAB_CODE_SERVER'), chromium: get('SOCKET_LAB_CHROMIUM') };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Copies (or links) the built extension where code-server looks for extensions. */
export function installExtension(extensionsDir: string, { link = false }: { link?: boolean } = {}): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const target = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  if (link) {
    fs.symlinkSync(root, target, 'dir');
  } else {
    fs.mkdirSync(target);
    for (const item of ['package.json', 'package.nls.json', 'package.nls.zh-cn.json', 'l10n', 'README.md', 'dist', 'media', 'python']) {
      if (fs.existsSync(path.join(root, item))) fs.cpSync(path.join(root, item), path.join(target, item), { recursive: true });
    }
  }
  return target;
}

/** Builds the production bundles and packs them with vsce, exactly as `npm run package` does. */
export function packageVsix(outFile: string): string {
  execFileSync(process.execPath, [path.join(root, 'esbuild.js'), '--production'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', outFile], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return outFile;
}

/** Packs an extension folder (a test fixture) as a .vsix. */
export function packageFolder(folder: string, outFile: string): string {
  execFileSync(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', outFile], {
    cwd: folder,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return outFile;
}

/** Installs a .vsix the way a user would (`--install-extension`), into a private extensions dir. */
export function installVsix(paths: ToolPaths, vsix: string, extensionsDir: string, userDataDir: string): void {
  execFileSync(paths.node, [paths.codeServer, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(userDataDir, 'config') },
  });
}

/**
 * Starts code-server in its own process group (it leaves a file watcher behind otherwise) and
 * resolves once it listens. `stop()` ends the whole group.
 */
export interface CodeServerOptions {
  readonly paths: ToolPaths;
  readonly port: number;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  readonly settings?: Record<string, unknown>;
  readonly logFile?: string;
  /** VS Code's display language (`--locale`); a language pack for it must be installed. */
  readonly locale?: string;
}

export interface CodeServer {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startCodeServer({ paths, port, userDataDir, extensionsDir, workspace, settings = {}, logFile, locale }: CodeServerOptions): Promise<CodeServer> {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  fs.mkdirSync(workspace, { recursive: true });
  const args = [
    paths.codeServer,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--extensions-dir',
    extensionsDir,
    '--user-data-dir',
    userDataDir,
    ...(locale ? ['--locale', locale] : []),
    workspace,
  ];
  const log = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = spawn(paths.node, args, { detached: true, stdio: ['ignore', log, log], env: { ...process.env, XDG_CONFIG_HOME: path.join(userDataDir, 'config') } });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, exited);
  const pid = child.pid!;
  return {
    url,
    pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
      // The group may still hold stragglers (extension host, pty host): end them too.
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* none left */
      }
    },
  };
}

async function waitForHttp(url: string, timeoutMs: number, exited: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while (Date.now() < deadline) {
    if (done) throw new Error('code-server exited before it listened; see its log');
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms`);
}

export const defaultSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
};

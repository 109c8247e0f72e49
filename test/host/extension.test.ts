// Runs inside the extension host: asserts through the `vscode` API and what `activate` returns,
// with real sockets on loopback. No mocks.
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import * as vscode from 'vscode';
import type { SocketLabApi } from '../../src/extension/api';

interface Manifest {
  readonly publisher: string;
  readonly name: string;
  readonly contributes: { readonly commands: readonly { readonly command: string }[]; readonly configuration: { readonly properties: Record<string, { readonly default?: unknown }> } };
}

async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every row of a tree with its label, depth first, as VS Code would ask for them. */
async function rows(tree: vscode.TreeDataProvider<unknown>, depth = 3): Promise<{ node: unknown; label: string; description: string }[]> {
  const out: { node: unknown; label: string; description: string }[] = [];
  const walk = async (parent: unknown, level: number) => {
    for (const node of (await tree.getChildren(parent)) ?? []) {
      const item = await tree.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      out.push({ node, label, description: String(item.description ?? '') });
      if (level < depth && item.collapsibleState !== vscode.TreeItemCollapsibleState.None) await walk(node, level + 1);
    }
  };
  await walk(undefined, 1);
  return out;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

function reply(s: net.Socket, n: number): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const on = (d: Buffer) => {
      got += d.toString('utf8');
      if (got.length >= n) {
        s.off('data', on);
        resolve(got);
      }
    };
    s.on('data', on);
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('Socket Lab in the extension host', () => {
  let extension: vscode.Extension<SocketLabApi>;
  let api: SocketLabApi;
  let manifest: Manifest;

  before(async () => {
    const found = vscode.extensions.all.find((e) => (e.packageJSON as Manifest).name === 'socket-lab');
    assert.ok(found, 'the extension is installed');
    extension = found as vscode.Extension<SocketLabApi>;
    manifest = extension.packageJSON as Manifest;
    api = await extension.activate();
    // The trees read the state only while their view shows (a hidden view costs nothing).
    await vscode.commands.executeCommand('socketLab.servers.focus');
  });

  it('activates and registers every command its manifest contributes', async () => {
    assert.equal(extension.isActive, true);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.ok(manifest.contributes.commands.length >= 30, `${manifest.contributes.commands.length} commands`);
  });

  it('declares every setting with its default, readable through the configuration API', () => {
    const config = vscode.workspace.getConfiguration();
    for (const [key, spec] of Object.entries(manifest.contributes.configuration.properties)) {
      const inspected = config.inspect(key);
      assert.ok(inspected, key);
      assert.deepEqual(inspected.defaultValue, spec.default, key);
    }
  });

  it('Start Server puts a row with its port in the Servers tree; a real client shows under it and is answered; Stop Server frees the port', async () => {
    assert.deepEqual(await rows(api.trees.servers, 1), [], 'no servers before');
    await vscode.commands.executeCommand('socketLab.startServer', { transport: 'tcp', model: 'thread-per-connection', handler: 'upper', host: '127.0.0.1', port: 0 });
    const server = await eventually('the server row', async () => (await rows(api.trees.servers, 1)).find((r) => /^TCP 127\.0\.0\.1:\d+$/.test(r.label)));
    const port = Number(server.label.split(':')[1]);
    const client = await connect(port);
    try {
      const answer = reply(client, 6);
      client.write('hello\n');
      assert.equal(await answer, 'HELLO\n');
      const peer = `127.0.0.1:${client.localPort}`;
      await eventually(`the connection ${peer} under the server`, async () => (await rows(api.trees.servers)).find((r) => r.label === peer));
    } finally {
      client.destroy();
    }
    await vscode.commands.executeCommand('socketLab.stopServer', server.node);
    await eventually('the port to be free', async () => ((await refused(port)) ? true : undefined));
    await eventually('the row to go', async () => ((await rows(api.trees.servers, 1)).length === 0 ? true : undefined));
  });

  it('Run Lab Fast on "race": the Threads tree lists its threads; the Labs tree tells the outcome', async () => {
    await vscode.commands.executeCommand('socketLab.threads.focus');
    await vscode.commands.executeCommand('socketLab.runLabFast', 'race');
    await eventually("the lab's threads in the Threads tree", async () => {
      const labels = (await rows(api.trees.threads)).map((r) => r.label);
      return labels.includes('Race counter') && labels.includes('MainThread') && labels.length >= 4 ? true : undefined;
    });
    // The outcome is wrapped into several rows under the lab.
    const outcome = await eventually(
      'the race outcome',
      async () => /Without a lock the counter reached \d+ \(\d+ updates lost\)/.exec((await rows(api.trees.labs, 4)).map((r) => r.label).join(' ')) ?? undefined,
      30_000,
    );
    assert.ok(outcome);
  });

  it('deactivating closes its servers and frees their ports', async () => {
    await vscode.commands.executeCommand('socketLab.startServer', { transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    const server = await eventually('the server row', async () => (await rows(api.trees.servers, 1)).find((r) => /^TCP 127\.0\.0\.1:\d+$/.test(r.label)));
    const port = Number(server.label.split(':')[1]);
    assert.equal(await refused(port), false, 'listening before');
    // The module VS Code loaded, as VS Code calls it when the window closes.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const main = require(path.join(extension.extensionPath, 'dist', 'extension.js')) as { deactivate(): Promise<void> };
    await main.deactivate();
    assert.equal(await refused(port), true, 'the port is free at once');
  });
});

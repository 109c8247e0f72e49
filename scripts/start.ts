// `npm start`: VS Code in the browser on 127.0.0.1 with Socket Lab and a demo workspace.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultSettings, installExtension, provision, root, startCodeServer, type CodeServer } from './code-server';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.PORT ?? '8080' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`error: --port must be 1–65535; got ${values.port}`);
    process.exit(2);
  }
  const paths = provision();
  const state = path.join(os.homedir(), '.cache', 'socket-lab', 'product');
  const extensionsDir = path.join(state, 'extensions');
  const userDataDir = path.join(state, 'user-data');
  const logFile = path.join(state, 'code-server.log');
  // Linked, not copied: rebuild (npm run watch) and reload the window to see changes.
  installExtension(extensionsDir, { link: true });
  let server: CodeServer;
  try {
    server = await startCodeServer({
      paths,
      port,
      userDataDir,
      extensionsDir,
      workspace: path.join(root, 'demo'),
      settings: { ...defaultSettings, ...readJson(path.join(userDataDir, 'User', 'settings.json')) },
      logFile,
    });
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : String(err)} (log: ${logFile}; is port ${port} free? try --port N)`);
    process.exit(1);
  }
  console.log(`Socket Lab is running in VS Code at ${server.url}`);
  console.log('Press Ctrl+C to stop.');
  const stop = async (): Promise<void> => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

void main();

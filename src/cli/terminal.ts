import net from 'node:net';

// How CLI commands behave inside terminals the extension opened.

/** When launched by the extension, end together with it (see src/extension/lifeline.ts). */
export function holdLifeline(onLost: () => void): void {
  const where = process.env.SOCKET_LAB_LIFELINE;
  if (!where) return;
  // `@name` stands for the Linux abstract socket `\0name` (environment variables cannot hold NUL).
  const line = net.connect(where.startsWith('@') ? `\0${where.slice(1)}` : where);
  line.on('error', () => undefined);
  line.on('close', onLost);
  line.unref();
}

/**
 * VS Code closes a terminal as soon as its process exits with 0, taking the output with it:
 * wait for a key first (when there is a keyboard), so results can be read.
 */
export function waitForKey(): Promise<void> {
  if (!process.stdin.isTTY) return Promise.resolve();
  process.stdout.write('press any key to close this terminal\n');
  return new Promise((resolve) => {
    const done = () => {
      process.stdin.pause();
      resolve();
    };
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.once('data', done);
    process.stdin.once('end', done);
    holdLifeline(done);
  });
}

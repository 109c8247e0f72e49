// The raw Node reference for process-per-connection: a parent accepts with pauseOnConnect and
// hands each socket to one of 2 pre-forked children with child.send('socket', sock) (round
// robin); the child echoes. Nothing else: no state, no counters, no spares management.
// usage: node node-fork-echo.js [PORT]; prints "listening tcp 127.0.0.1:PORT".
const net = require('node:net');
const path = require('node:path');
const { fork } = require('node:child_process');

if (process.argv[2] === 'child') {
  process.on('message', (m, sock) => {
    if (m !== 'socket' || !sock) return;
    sock.on('error', () => sock.destroy());
    sock.pipe(sock);
  });
  process.on('disconnect', () => process.exit(0));
  process.send('ready');
} else {
  const children = [0, 1].map(() => fork(path.join(__dirname, 'node-fork-echo.js'), ['child'], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  let next = 0;
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (sock) => {
    children[next++ % children.length].send('socket', sock);
  });
  Promise.all(children.map((c) => new Promise((resolve) => c.once('message', resolve)))).then(() => {
    server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
      console.log(`listening tcp 127.0.0.1:${server.address().port}`);
    });
  });
  process.on('SIGTERM', () => {
    for (const c of children) c.kill();
    process.exit(0);
  });
}

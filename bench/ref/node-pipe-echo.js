// The reference: the plainest Node echo server there is.
const net = require('node:net');

const server = net.createServer((c) => {
  c.on('error', () => c.destroy());
  c.pipe(c);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening tcp 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));

// The client side of the memory benchmark, run as a separate process (the fd limit is per
// process): opens N TCP connections to HOST:PORT, at most MAX_CONNECTING connecting at once, sends one
// small message on each and waits for its echo, then keeps them all open and idle. Reports
// { t: 'ready', … } over IPC; on the message 'close' it ends every connection, waits until all
// are closed and reports { t: 'closed', … }.
// usage (fork): conn-holder.js HOST PORT N [MAX_CONNECTING]
const net = require('node:net');

const [host, portText, nText, windowText] = process.argv.slice(2);
const port = Number(portText);
const n = Number(nText);
const maxConnecting = Number(windowText ?? 256);
const message = 'ping\n';
const sockets = [];
const errors = {};
let started = 0;
let inFlight = 0;
let echoed = 0;
let failed = 0;
let closing = false;
let lostWhileIdle = 0;
const t0 = performance.now();

function count(code) {
  errors[code] = (errors[code] ?? 0) + 1;
}

function openOne() {
  started++;
  inFlight++;
  const s = net.connect({ host, port });
  s.setNoDelay(true);
  s.setEncoding('latin1');
  let got = '';
  let state = 'waiting';
  const settle = (ok, code) => {
    if (state !== 'waiting') return;
    state = ok ? 'idle' : 'failed';
    inFlight--;
    if (ok) echoed++;
    else {
      failed++;
      count(code);
    }
    pump();
  };
  s.on('connect', () => s.write(message));
  s.on('data', (d) => {
    got += d;
    if (got.length >= message.length) settle(got === message, 'wrong echo');
  });
  s.on('error', (e) => (state === 'waiting' ? settle(false, e.code ?? e.message) : count(`after echo: ${e.code ?? e.message}`)));
  s.on('close', () => {
    if (state === 'waiting') settle(false, 'closed before the echo');
    else if (state === 'idle' && !closing) lostWhileIdle++;
  });
  sockets.push(s);
}

function pump() {
  while (inFlight < maxConnecting && started < n) openOne();
  if (inFlight === 0 && started === n) process.send({ t: 'ready', echoed, failed, errors, ms: performance.now() - t0 });
}

function closeAll() {
  closing = true;
  const t1 = performance.now();
  let open = 0;
  const done = () => process.send({ t: 'closed', lostWhileIdle, ms: performance.now() - t1 }, () => process.exit(0));
  for (const s of sockets) {
    if (s.destroyed) continue;
    open++;
    s.once('close', () => {
      if (--open === 0) done();
    });
    s.end();
  }
  if (open === 0) done();
}

process.on('message', (m) => {
  if (m === 'close') closeAll();
});
process.on('disconnect', () => process.exit(0));
pump();

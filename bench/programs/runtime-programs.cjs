// Thread and process bodies for bench/runtime.ts, loaded by path as a user's module would be.
const now = () => performance.timeOrigin + performance.now();

exports.first = () => now();

/** Uncontended: one thread, n acquire+release pairs; returns ns per pair. */
exports.lockLoop = (t, lock, n) => {
  // Warm-up long enough for the optimising compiler to settle.
  for (let i = 0; i < 500000; i++) {
    lock.acquire();
    lock.release();
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    lock.acquire();
    lock.release();
  }
  return Number(process.hrtime.bigint() - t0) / n;
};

/**
 * Contended: two of these pass the lock back and forth. Before releasing, the holder waits until
 * the other thread is parked in acquire, so every release is a hand-off; each thread returns when
 * it released and when its acquire returned, and the bench pairs them into hand-off latencies.
 */
exports.handoff = (t, lock, n, go, done) => {
  const released = new Float64Array(n);
  const acquired = new Float64Array(n);
  go.wait();
  for (let i = 0; i < n; i++) {
    lock.acquire();
    acquired[i] = now();
    while (lock.waiting === 0 && done.value === 0);
    released[i] = now();
    lock.release();
  }
  done.value = done.value + 1;
  return { released: Array.from(released), acquired: Array.from(acquired) };
};

exports.idle = (t, seconds) => t.sleep(seconds);

exports.firstProcess = () => now();

exports.sleepProcess = (p, seconds) => p.sleep(seconds);

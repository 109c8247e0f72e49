// Thread bodies for the runtime tests, loaded by path as a user's own module would be.
exports.acquireOnce = (t, lock, order, hold) => {
  lock.acquire();
  order.value = order.value * 10 + Number(t.name.slice(-1));
  if (hold) t.sleep(hold);
  lock.release();
};
exports.tryAcquire = (t, lock, blocking, timeout) => lock.acquire(blocking, timeout);
exports.holdForever = (t, lock) => {
  lock.acquire();
  t.print('holding');
  t.sleep(60);
};
exports.acquireAndExit = (t, lock) => {
  lock.acquire();
  return 'left without releasing';
};
exports.acquireExpectingError = (t, lock) => {
  try {
    lock.acquire();
    return 'acquired';
  } catch (err) {
    return `${err.name}: ${err.message}`;
  }
};
exports.releaseOther = (t, lock) => {
  try {
    lock.release();
    return 'released';
  } catch (err) {
    return `${err.name}: ${err.message}`;
  }
};
exports.waitEvent = (t, event, timeout) => event.wait(timeout);
exports.throwAfter = (t, seconds) => {
  t.sleep(seconds);
  throw new TypeError('boom in a thread');
};
exports.sleep = (t, seconds) => {
  t.sleep(seconds);
  return 'slept';
};
exports.consumer = (t, cond, items) => {
  cond.acquire();
  const ok = cond.wait_for(() => items.value > 0, 10);
  const got = items.value;
  items.value = got - 1;
  cond.release();
  return ok ? got : -1;
};
exports.barrierWait = (t, barrier, timeout) => {
  try {
    return barrier.wait(timeout);
  } catch (err) {
    return `${err.name}`;
  }
};
exports.semaphoreHold = (t, sem, inside, maxInside) => {
  sem.acquire();
  const n = inside.value + 1;
  inside.value = n;
  if (n > maxInside.value) maxInside.value = n;
  t.sleep(0.05);
  inside.value = inside.value - 1;
  sem.release();
};
exports.rlockIncrement = (t, rlock, counter, times, go) => {
  go.wait();
  for (let i = 0; i < times; i++) {
    rlock.acquire();
    rlock.acquire();
    const v = counter.value;
    t.sleep(0);
    counter.value = v + 1;
    rlock.release();
    rlock.release();
  }
};
exports.identity = (t, i) => `thread ${i}`;
exports.raise = () => {
  const e = new Error('bad input');
  e.name = 'ValueError';
  throw e;
};

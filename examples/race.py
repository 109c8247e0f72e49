# Race counter / 竞争条件 —— Socket Lab lab "race"
# counter = counter + 1 is a read, then a write: two threads can read the same value and one
# update is lost. A Lock around the read and the write loses none.
# counter = counter + 1 是先读后写：两个线程可能读到同一个值，于是丢失一次更新。
# 用 Lock 把读和写包起来，就不会丢失。
import threading
import time

THREADS, TIMES = 4, 200
counter = 0
lock = threading.Lock()


def add(use_lock):
    global counter
    for _ in range(TIMES):
        if use_lock:
            with lock:
                value = counter
                time.sleep(0)  # let another thread run here / 在这里让出 CPU
                counter = value + 1
        else:
            value = counter
            time.sleep(0)
            counter = value + 1


for use_lock in (False, True):
    counter = 0
    ts = [threading.Thread(target=add, args=(use_lock,)) for _ in range(THREADS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print('%s: counter = %d (expected %d)' % ('with a lock' if use_lock else 'without a lock', counter, THREADS * TIMES))
    if not use_lock:
        lost = THREADS * TIMES - counter
print('outcome: without a lock %d updates lost; with the lock %d' % (lost, THREADS * TIMES - counter))

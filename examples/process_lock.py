# A Lock between processes / 进程间的锁 —— Socket Lab lab "process-lock"
# Processes adding to one shared Value lose updates without a lock; with a multiprocessing.Lock
# around the read and the write, none is lost.
# 多个进程累加同一个共享 Value，不加锁会丢失更新；用 multiprocessing.Lock 包住读和写就不会。
import multiprocessing
import time


def add(total, lock, times):
    for _ in range(times):
        if lock is None:
            v = total.value
            time.sleep(0)
            total.value = v + 1
        else:
            with lock:
                v = total.value
                time.sleep(0)
                total.value = v + 1


if __name__ == '__main__':
    n, times = 4, 500
    results = []
    for lock in (None, multiprocessing.Lock()):
        total = multiprocessing.Value('i', 0, lock=False)
        ps = [multiprocessing.Process(target=add, args=(total, lock, times)) for _ in range(n)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        results.append(total.value)
    print('outcome: without a lock %d of %d; with the lock %d' % (results[0], n * times, results[1]))

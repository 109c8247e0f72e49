# Processes and join order / 进程与 join 的顺序 —— Socket Lab lab "join-order"
# Started and joined one at a time, the total is the sum of the sleeps; started together and
# joined after, it is about the longest one.
# 一个一个地启动并 join，总时间是所有睡眠之和；全部启动后再 join，约等于最长的那一个。
import multiprocessing
import time


def sleep_for(seconds):
    time.sleep(seconds)


if __name__ == '__main__':
    sleeps = [0.3, 0.6, 0.9]
    t0 = time.time()
    for s in sleeps:
        p = multiprocessing.Process(target=sleep_for, args=(s,))
        p.start()
        p.join()
    one_by_one = time.time() - t0
    t0 = time.time()
    ps = [multiprocessing.Process(target=sleep_for, args=(s,)) for s in sleeps]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    together = time.time() - t0
    print('outcome: one at a time %.2f s, together %.2f s' % (one_by_one, together))

# Multiprogramming: processes taking turns on one CPU / 多道程序：多个进程轮流使用一个 CPU
# —— Socket Lab lab "multiprogramming"
# Four CPU-bound processes pinned to one CPU (os.sched_setaffinity, Linux) all make progress
# together: the operating system gives each a slice of a few milliseconds in turn. Each needs
# about the same CPU time as alone, but its wall-clock time is about four times longer.
# 四个 CPU 密集型进程被绑定到同一个 CPU（os.sched_setaffinity，仅 Linux），它们一起向前推进：
# 操作系统轮流给每个进程几毫秒的时间片。每个进程用的 CPU 时间和单独运行时差不多，
# 但墙上时间大约是四倍。
import multiprocessing
import os
import time

PROCESSES = 4
COUNT = 8000000


def count_down(n):
    while n > 0:
        n -= 1


def work(name, cpu, start, results):
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    t0, c0 = time.time(), time.process_time()
    for part in range(1, 5):
        count_down(COUNT // 4)
        print('%s: %d%% done at %.2f s' % (name, 25 * part, time.time() - start))
    results.put((time.time() - t0, time.process_time() - c0))


if __name__ == '__main__':
    if hasattr(os, 'sched_setaffinity'):
        cpu = min(os.sched_getaffinity(0))
        cpus = 1
        where = 'pinned to CPU %d' % cpu
    else:
        # macOS and Windows have no affinity call: the processes spread over the cores.
        # macOS 和 Windows 没有这个调用：进程分散到各个核上。
        cpu = None
        cpus = os.cpu_count() or 1
        where = 'on %d CPUs (not pinned)' % cpus
    results = multiprocessing.Queue()
    start = time.time()
    ps = [multiprocessing.Process(target=work, args=('P%d' % i, cpu, start, results)) for i in range(1, PROCESSES + 1)]
    for p in ps:
        p.start()
    times = [results.get() for _ in ps]
    for p in ps:
        p.join()
    wall = sum(w for w, _ in times) / PROCESSES
    used = sum(c for _, c in times) / PROCESSES
    expected = PROCESSES / min(PROCESSES, cpus)
    print('outcome: %d processes %s: each used %.2f s of CPU in %.2f s of wall time (wall/CPU %.1f, expected %.1f)'
          % (PROCESSES, where, used, wall, wall / used, expected))

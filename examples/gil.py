# The GIL: CPU-bound threads vs processes / GIL：CPU 密集型任务用线程还是进程 —— Socket Lab lab "gil"
# CPython runs Python code in one thread at a time (the GIL, handed over every
# sys.getswitchinterval() seconds), so two threads counting down take as long as one thread
# counting twice. Two processes each have their own interpreter and GIL: on two cores they take
# half the time.
# CPython 同一时刻只让一个线程执行 Python 代码（GIL，每隔 sys.getswitchinterval() 秒交接一次），
# 所以两个线程各倒数一遍，和一个线程倒数两遍一样慢。两个进程各有自己的解释器和 GIL：
# 在两个核上只用一半的时间。
import multiprocessing
import os
import sys
import threading
import time

COUNT = 10000000
N = 2


def count_down(n):
    while n > 0:
        n -= 1


def one_after_another():
    for _ in range(N):
        count_down(COUNT)


def all_at_once(kind):
    workers = [kind(target=count_down, args=(COUNT,)) for _ in range(N)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def timed(fn, *args):
    t0 = time.time()
    fn(*args)
    return time.time() - t0


if __name__ == '__main__':
    runs = {'serial': [], 'threads': [], 'processes': []}
    # The best of 3 rounds: other programs on the machine can only make a run slower.
    # 取 3 轮中最快的一次：机器上的其他程序只会让某一次变慢。
    for _ in range(3):
        runs['serial'].append(timed(one_after_another))
        runs['threads'].append(timed(all_at_once, threading.Thread))
        runs['processes'].append(timed(all_at_once, multiprocessing.Process))
    serial, threads, processes = min(runs['serial']), min(runs['threads']), min(runs['processes'])
    print('one thread, %d counts one after another: %.2f s' % (N, serial))
    print('%d threads at once: %.2f s' % (N, threads))
    print('%d processes at once: %.2f s' % (N, processes))
    # Python 3.13 can be built without the GIL / Python 3.13 可以不带 GIL 构建
    gil = 'on' if getattr(sys, '_is_gil_enabled', lambda: True)() else 'off'
    print('outcome: serial %.2f s; %d threads %.2f s (%.1fx faster, GIL %s); %d processes %.2f s (%.1fx faster); %d CPUs'
          % (serial, N, threads, serial / threads, gil, N, processes, serial / processes, os.cpu_count()))

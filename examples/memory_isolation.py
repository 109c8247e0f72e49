# Process memory isolation / 进程内存隔离 —— Socket Lab lab "memory-isolation"
# A child process works on a copy of the parent's data; the parent's stays as it was.
# 子进程操作的是父进程数据的副本；父进程中的数据保持不变。
import multiprocessing

count = 100
items = []


def child():
    global count
    count = 0
    items.append('from a child')


if __name__ == '__main__':
    ps = [multiprocessing.Process(target=child) for _ in range(10)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print('outcome: the parent still has count = %d and %d items' % (count, len(items)))

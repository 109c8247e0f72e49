# Shared memory: Array and a Manager dict / 共享内存：Array 与 Manager 字典 —— Socket Lab lab "shared-memory"
# Processes share nothing unless asked: an Array lives in shared memory, a Manager's dict in the
# Manager's process; every child's write is seen by the parent.
# 进程之间默认不共享任何东西：Array 位于共享内存中，Manager 的字典位于 Manager 进程中；
# 每个子进程写入的内容父进程都能看到。
import multiprocessing
import os


def work(i, arr, pids):
    arr[i] = i * i
    pids[i] = os.getpid()


if __name__ == '__main__':
    arr = multiprocessing.Array('i', 4)
    with multiprocessing.Manager() as manager:
        pids = manager.dict()
        ps = [multiprocessing.Process(target=work, args=(i, arr, pids)) for i in range(4)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        print('outcome: arr = %s; %d children recorded their pid' % (list(arr), len(pids)))

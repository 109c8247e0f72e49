# terminate() and exitcode / terminate() 与退出码 —— Socket Lab lab "terminate"
# Right after terminate() the child may still be alive; after join() it is not, and its exitcode
# is minus the signal number (-15 for SIGTERM).
# 刚调用 terminate() 后子进程可能还活着；join() 之后就不再活着，退出码是负的信号编号（SIGTERM 为 -15）。
import multiprocessing
import time


def sleep_long():
    time.sleep(30)


if __name__ == '__main__':
    p = multiprocessing.Process(target=sleep_long)
    p.start()
    time.sleep(0.3)
    p.terminate()
    print('right after terminate(): is_alive() = %s' % p.is_alive())
    p.join()
    print('outcome: after join() is_alive() = %s, exitcode = %d' % (p.is_alive(), p.exitcode))

# Daemon vs non-daemon / 守护线程与非守护线程 —— Socket Lab lab "daemon"
# At exit Python waits for non-daemon threads and ends daemon ones where they stand.
# 程序退出时，Python 会等待非守护线程结束，而守护线程会被直接终止。
import threading
import time


def sleeper(name, seconds):
    time.sleep(seconds)
    print('%s finished' % name)


threading.Thread(target=sleeper, args=('worker', 0.5)).start()
threading.Thread(target=sleeper, args=('daemon worker', 3), daemon=True).start()
print('outcome: main ends now; the worker will finish, the daemon worker will not')

# threading functions, 100 daemon threads / threading 模块函数与 100 个守护线程 —— Socket Lab lab "threading-functions"
# current_thread() is the thread that calls it; enumerate() lists the live threads (MainThread
# first); active_count() counts them. Main ends without join(): daemon threads are ended.
# current_thread() 返回调用它的线程；enumerate() 列出所有存活的线程（MainThread 在最前）；
# active_count() 统计它们的数量。主线程不 join() 就结束：守护线程会被直接终止。
import threading
import time

N = 100
names = []


def sleeper():
    names.append(threading.current_thread().name)
    time.sleep(5)
    print('a daemon thread finished')  # never printed / 永远不会打印


t0 = time.time()
for _ in range(N):
    threading.Thread(target=sleeper, daemon=True).start()
started = time.time() - t0
print('current_thread().name in main: %s' % threading.current_thread().name)
print('active_count() = %d' % threading.active_count())
live = [t.name for t in threading.enumerate()]
print('enumerate(): %s, %s, ..., %s' % (live[0], live[1], live[-1]))
print('outcome: %d daemon threads started in %.3f s; active_count() = %d; enumerate() lists %s first; main ends without join()' % (len(names), started, threading.active_count(), live[0]))

# RLock re-entry vs Lock / 可重入锁 RLock 与 Lock —— Socket Lab lab "rlock"
# A thread that takes an RLock twice gets back in (depth 2); a plain Lock does not know its
# owner, so the second acquire would wait forever. Here it gives up after 1 s to say so.
# 同一个线程两次获取 RLock 可以重入（深度为 2）；普通 Lock 不知道持有者是谁，第二次 acquire 会永远等待。
# 这里等 1 秒后放弃，以便打印结果。
import threading

r = threading.RLock()
with r:
    with r:
        print('RLock: taken twice by the same thread')

lock = threading.Lock()
lock.acquire()
again = lock.acquire(timeout=1)  # without a timeout this line never returns / 不带 timeout 这一行永远不会返回
print('Lock: second acquire by the same thread returned %s after 1 s' % again)
lock.release()
print('outcome: RLock re-entered; Lock second acquire %s' % ('succeeded' if again else 'would wait forever'))

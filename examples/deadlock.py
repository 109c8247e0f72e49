# Deadlock / 死锁 —— Socket Lab lab "deadlock"
# T1 takes A then B, T2 takes B then A: each holds one lock and waits for the other. Without the
# timeouts here they would wait forever (run it under Socket Lab to see the cycle drawn).
# T1 先拿 A 再拿 B，T2 先拿 B 再拿 A：各自持有一把锁并等待另一把。这里如果不设 timeout，
# 它们会永远等下去（在 Socket Lab 中运行可以看到画出的等待环）。
import threading

lock_a = threading.Lock()
lock_b = threading.Lock()
both = threading.Barrier(2)
stuck = []


def take(first, second, name):
    with first:
        both.wait()  # both hold their first lock now / 现在两个线程都拿到了第一把锁
        if second.acquire(timeout=1):
            second.release()
        else:
            stuck.append(name)
        both.wait()  # keep the first lock until both have given up / 两个线程都放弃后才释放第一把锁


t1 = threading.Thread(target=take, args=(lock_a, lock_b, 'T1'), name='T1')
t2 = threading.Thread(target=take, args=(lock_b, lock_a, 'T2'), name='T2')
t1.start()
t2.start()
t1.join()
t2.join()
print('outcome: %s waited for the lock the other held' % ' and '.join(sorted(stuck)))

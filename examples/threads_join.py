# Threads and join / 线程与 join —— Socket Lab lab "threads-join"
# Where join() stands decides everything: after the loop the threads sleep together (about one
# sleep); inside the loop each is waited for before the next starts (N sleeps).
# join() 的位置决定一切：放在循环之后，线程一起睡眠（约一次睡眠的时间）；放在循环之内，
# 每个线程都要等上一个结束才开始（N 次睡眠的时间）。
import threading
import time

N, SLEEP = 20, 0.2


def worker():
    time.sleep(SLEEP)


start = time.time()
threads = [threading.Thread(target=worker) for _ in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join()
after = time.time() - start
print('join after the loop: %.2f s' % after)

start = time.time()
for _ in range(N):
    t = threading.Thread(target=worker)
    t.start()
    t.join()
inside = time.time() - start
print('join inside the loop: %.2f s' % inside)
print('outcome: after the loop %.2f s, inside the loop %.2f s (%.1fx longer)' % (after, inside, inside / after))

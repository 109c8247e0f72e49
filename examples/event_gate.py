# Event gate / 事件（Event）闸门 —— Socket Lab lab "event-gate"
# Even-numbered threads wait() on an Event; odd ones run through. set() lets every waiter pass.
# 偶数号线程在 Event 上 wait()；奇数号线程直接通过。set() 让所有等待者同时通过。
import threading
import time

gate = threading.Event()
passed = []


def worker(i):
    if i % 2 == 0:
        print('T%d waiting for the gate' % i)
        gate.wait()
    passed.append(i)


ts = [threading.Thread(target=worker, args=(i,), name='T%d' % i) for i in range(6)]
for t in ts:
    t.start()
time.sleep(1)
ran_through = len(passed)
print('before set(): %d threads passed' % ran_through)
gate.set()
for t in ts:
    t.join()
print('outcome: %d waited at the gate until it was set; %d ran through' % (len(passed) - ran_through, ran_through))

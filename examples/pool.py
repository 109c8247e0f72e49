# multiprocessing.Pool: apply_async vs apply / 进程池 —— Socket Lab lab "pool"
# apply_async queues every task at once and N workers run them together (about M/N sleeps);
# apply waits for each result before sending the next (M sleeps), however many workers there are.
# apply_async 一次把所有任务放入队列，N 个工作进程同时执行（约 M/N 次睡眠）；
# apply 每次都等结果返回才发送下一个（M 次睡眠），与工作进程数量无关。
import multiprocessing
import time


def task(i):
    time.sleep(0.2)
    return i + 100


if __name__ == '__main__':
    results = []
    with multiprocessing.Pool(4) as pool:
        t0 = time.time()
        for i in range(8):
            pool.apply_async(task, (i,), callback=results.append)
        pool.close()
        pool.join()
        async_s = time.time() - t0
    with multiprocessing.Pool(4) as pool:
        t0 = time.time()
        for i in range(8):
            pool.apply(task, (i,))
        sync_s = time.time() - t0
    print('outcome: apply_async %.2f s (%d results), apply %.2f s' % (async_s, len(results), sync_s))

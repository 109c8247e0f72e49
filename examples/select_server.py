# select, non-blocking sockets, and a handler that blocks / select、非阻塞套接字与阻塞的处理函数 —— Socket Lab lab "select-server"
# One thread serves every socket: select() says which are readable. But while one handler runs,
# nobody else is served: a handler that sleeps makes client B wait as long. Handed to a thread,
# the slow work no longer blocks the loop. A non-blocking recv() with nothing to read raises
# BlockingIOError (EAGAIN) at once instead of waiting.
# 一个线程服务所有套接字：select() 告诉它哪些可读。但一个处理函数运行时，别的都得不到服务：
# 处理函数 sleep 多久，客户端 B 就等多久。把慢的工作交给线程，循环就不再被阻塞。
# 非阻塞的 recv() 没有数据可读时立刻抛出 BlockingIOError（EAGAIN），而不是等待。
import select
import socket
import threading
import time

SLOW = 1.0
busy = threading.Event()


def slow_reply(conn, data):
    time.sleep(SLOW)
    conn.sendall(data)


def serve(server, stop):
    sockets = [server]
    while not stop.is_set():
        readable, _, _ = select.select(sockets, [], [], 0.1)
        for s in readable:
            if s is server:
                conn, addr = server.accept()
                sockets.append(conn)
                continue
            data = s.recv(1024)
            if not data:
                sockets.remove(s)
                s.close()
            elif data == b'slow block':
                busy.set()
                slow_reply(s, data)  # the loop waits here / 循环停在这里
            elif data == b'slow thread':
                busy.set()
                threading.Thread(target=slow_reply, args=(s, data)).start()
            else:
                s.sendall(data)
    for s in sockets:
        s.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 0))
server.listen(5)
stop = threading.Event()
loop = threading.Thread(target=serve, args=(server, stop))
loop.start()
a = socket.create_connection(server.getsockname())
b = socket.create_connection(server.getsockname())

b.setblocking(False)
try:
    b.recv(1024)
    eagain = 'no error'
except BlockingIOError as e:
    eagain = 'BlockingIOError [Errno %d] %s' % (e.errno, e.strerror)
print('b.setblocking(False); b.recv(1024) with nothing to read -> %s' % eagain)
b.setblocking(True)

echo = {}
for how in ('block', 'thread'):
    busy.clear()
    a.sendall(b'slow ' + how.encode())
    busy.wait()
    t0 = time.time()
    b.sendall(b'hello')
    b.recv(1024)
    echo[how] = time.time() - t0
    a.recv(1024)
    print('slow request (%s): B waited %.3f s for its echo' % (how, echo[how]))

a.close()
b.close()
stop.set()
loop.join()
server.close()
print("outcome: non-blocking recv: %s; while A's request took %.1f s, B's echo took %.2f s with a blocking handler "
      "and %.2f s with the work handed to a thread" % (eagain, SLOW, echo['block'], echo['thread']))

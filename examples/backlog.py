# The socket call sequence and listen(backlog) / socket 调用顺序与 listen(backlog) —— Socket Lab lab "backlog"
# Until the server calls accept(), the kernel finishes handshakes for it and queues them: on Linux
# listen(n) lets n + 1 wait. The next clients' SYN is dropped; they wait in connect() until they
# send it again, about a second later.
# 在服务器调用 accept() 之前，内核替它完成握手并排队：Linux 上 listen(n) 允许 n + 1 个连接等待。
# 之后的客户端发出的 SYN 被丢弃，它们停在 connect() 里，大约一秒后重发 SYN。
import socket
import threading
import time

BACKLOG, CLIENTS, BUSY = 2, 6, 0.5
took = {}


def client(i, port):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(10)
    t0 = time.time()
    c.connect(('127.0.0.1', port))
    took[i] = time.time() - t0
    print('client %d: connect() returned after %.3f s' % (i, took[i]))
    c.sendall(b'hello')
    c.recv(1024)
    c.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print('server: s = socket(AF_INET, SOCK_STREAM)')
server.bind(('127.0.0.1', 0))
port = server.getsockname()[1]
print("server: s.bind(('127.0.0.1', 0)) -> port %d" % port)
server.listen(BACKLOG)
print('server: s.listen(%d), then busy for %s s: no accept() yet' % (BACKLOG, BUSY))

start = time.time()
clients = []
for i in range(1, CLIENTS + 1):
    t = threading.Thread(target=client, args=(i, port))
    t.start()
    clients.append(t)
    time.sleep(0.01)  # clients arrive a little apart / 客户端陆续到达
time.sleep(max(0, BUSY - (time.time() - start)))
at_once = len(took)
print('after %s s: %d connected, %d still in connect()' % (BUSY, at_once, CLIENTS - at_once))

for _ in range(CLIENTS):
    conn, addr = server.accept()
    print('server: conn, addr = s.accept() -> %s' % (addr,))
    conn.sendall(conn.recv(1024))
    conn.close()
for t in clients:
    t.join()
server.close()

waited = sorted(took.values())[at_once:] or [0]
print('outcome: listen(%d): %d of %d clients connected at once; %d waited %.1f-%.1f s; all %d completed'
      % (BACKLOG, at_once, CLIENTS, CLIENTS - at_once, min(waited), max(waited), len(took)))

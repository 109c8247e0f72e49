# A program with 100 threads taking a lock every 10 ms and a selectors echo for many connections:
# what a traced program costs the extension that watches it (bench/python.ts, bench/inspector.ts --python).
# usage: python3 py-busy-server.py; prints "listening tcp 127.0.0.1:PORT".
import selectors, socket, threading, time
sel = selectors.DefaultSelector()
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0))
srv.listen(2048)
srv.setblocking(False)
sel.register(srv, selectors.EVENT_READ)
print('listening tcp 127.0.0.1:%d' % srv.getsockname()[1], flush=True)
lock = threading.Lock()
def worker():
    while True:
        with lock:
            pass
        time.sleep(0.01)
for i in range(100):
    threading.Thread(target=worker, daemon=True).start()
while True:
    for key, ev in sel.select():
        s = key.fileobj
        if s is srv:
            c, _ = srv.accept()
            c.setblocking(False)
            sel.register(c, selectors.EVENT_READ)
            continue
        try:
            d = s.recv(4096)
        except BlockingIOError:
            continue
        except ConnectionError:
            d = b''
        if not d:
            sel.unregister(s)
            s.close()
        else:
            s.sendall(d)

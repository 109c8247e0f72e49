"""Reads the client's whole input (until its FIN), then answers slowly: COUNT lines, one every
GAP seconds, then closes. Usage: slow_lines_server.py COUNT GAP. Prints its port."""
import socket
import sys
import time

count, gap = int(sys.argv[1]), float(sys.argv[2])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 0))
server.listen(5)
print(server.getsockname()[1], flush=True)

while True:
    conn, addr = server.accept()
    received = b''
    while True:
        data = conn.recv(1024)
        if not data:
            break
        received += data
    try:
        for i in range(1, count + 1):
            if i > 1:
                time.sleep(gap)
            conn.sendall(b'line %d of %d after %d bytes\n' % (i, count, len(received)))
    except OSError:
        pass  # the client gave up waiting (its --wait): serve the next one
    conn.close()

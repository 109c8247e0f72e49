"""Reads the client's whole input (until its FIN), then sends SIZE bytes of a repeating printable
pattern and closes. Usage: bulk_server.py SIZE. Prints its port."""
import socket
import sys

size = int(sys.argv[1])
PATTERN = b'0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ\n'
block = PATTERN * (1 << 14)

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 0))
server.listen(5)
print(server.getsockname()[1], flush=True)

while True:
    conn, addr = server.accept()
    while conn.recv(1024):
        pass
    left = size
    try:
        while left > 0:
            chunk = block[:left]
            conn.sendall(chunk)
            left -= len(chunk)
    except OSError:
        pass  # the client went away: serve the next one
    conn.close()

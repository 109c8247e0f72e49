"""A telnet-style welcome server: lines end in \\r\\n, one of them split between two send()s
right inside its \\r\\n, then the connection is closed. Prints its port; one client after another."""
import socket
import time

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 0))
server.listen(5)
print(server.getsockname()[1], flush=True)

while True:
    conn, addr = server.accept()
    conn.sendall(b'Welcome to the lab\r\nYou are connected\r')
    time.sleep(0.2)
    conn.sendall(b'\nBye\r\n')
    conn.close()

"""The tutorials' upper-case server: decode() the UTF-8 text of each recv(), reply .upper().
Prints its port, then serves one client after another until killed."""
import socket

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 0))
server.listen(5)
print(server.getsockname()[1], flush=True)

while True:
    conn, addr = server.accept()
    while True:
        data = conn.recv(1024)
        if not data:
            break
        conn.send(data.decode('utf-8').upper().encode('utf-8'))
    conn.close()

"""The 10086 phone-menu server of the classic socket tutorials, in their style: each recv() is
one command, compared with '0' and 'exit' exactly (so 'exit\\n' is not 'exit').
Prints its port, then serves one client after another until killed."""
import socket

GREETING = '欢迎致电10086,请输入1xxx,0转人工服务.'
OPERATOR = '通过可能会被录音.balabala一大推'

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 0))
server.listen(5)
print(server.getsockname()[1], flush=True)

while True:
    conn, addr = server.accept()
    conn.send(GREETING.encode('utf-8'))
    while True:
        data = conn.recv(1024)
        if not data:
            break
        if data == b'0':
            conn.send(OPERATOR.encode('utf-8'))
        elif data == b'exit':
            conn.send('再见 (goodbye)'.encode('utf-8'))
            break
        else:
            # Says what this recv() returned, so two commands that arrived together show.
            conn.send(('请重新输入. got %r' % data).encode('utf-8'))
    conn.close()

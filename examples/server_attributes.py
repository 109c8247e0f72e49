# socketserver attributes and mix-ins / socketserver 的属性与混入类 —— Socket Lab lab "server-attributes"
# Each server has server_address, RequestHandlerClass and fileno(). Where process_request runs the
# handler is the mix-in's choice: TCPServer in the thread that runs serve_forever, ThreadingMixIn in
# a new thread per request, ForkingMixIn in a new child process per request. shutdown() (from
# another thread) stops serve_forever; after server_close() a new client is refused.
# 每个服务器都有 server_address、RequestHandlerClass 和 fileno()。process_request 在哪里运行处理器
# 由混入类决定：TCPServer 在运行 serve_forever 的线程里，ThreadingMixIn 每个请求一个新线程，
# ForkingMixIn 每个请求一个新子进程。shutdown()（在另一个线程中调用）让 serve_forever 停止；
# server_close() 之后，新的客户端会被拒绝连接。
import os
import socket
import socketserver
import threading

CLIENTS = 2


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(1024)
        # where process_request ran this handler / process_request 在哪里运行了这个处理器
        where = '%s, pid %d' % (threading.current_thread().name, os.getpid())
        self.request.sendall(data + b' <- ' + where.encode())


def clients(server, places):
    # all connected at once / 所有客户端同时连接
    socks = [socket.create_connection(server.server_address) for _ in range(CLIENTS)]
    for i, s in enumerate(socks):
        s.sendall(b'hello %d' % (i + 1))
    for s in socks:
        reply = s.recv(1024).decode()
        print('  ' + reply)
        places.append(reply.split(' <- ')[1])
        s.close()
    server.shutdown()  # serve_forever runs in the main thread / serve_forever 在主线程中运行


if __name__ == '__main__':
    print("this program's pid is %d" % os.getpid())
    mine = ', pid %d' % os.getpid()
    places = {}
    refused = 0
    for server_class in (socketserver.TCPServer, socketserver.ThreadingTCPServer, socketserver.ForkingTCPServer):
        server = server_class(('127.0.0.1', 0), EchoHandler)
        print('%s: server_address = %s, RequestHandlerClass = %s, fileno() = %d'
              % (server_class.__name__, server.server_address, server.RequestHandlerClass.__name__, server.fileno()))
        places[server_class] = []
        t = threading.Thread(target=clients, args=(server, places[server_class]))
        t.start()
        server.serve_forever()  # returns once the other thread calls shutdown() / 另一个线程调用 shutdown() 后返回
        t.join()
        server.server_close()
        try:
            socket.create_connection(server.server_address, timeout=1).close()
            print('  after shutdown() and server_close(): connect accepted')
        except ConnectionRefusedError:
            print('  after shutdown() and server_close(): connect refused')
            refused += 1
    same = set(places[socketserver.TCPServer])
    threads = set(p for p in places[socketserver.ThreadingTCPServer] if p.endswith(mine) and not p.startswith('MainThread'))
    children = set(p for p in places[socketserver.ForkingTCPServer] if not p.endswith(mine))
    print('outcome: TCPServer handled %d requests in %d place; ThreadingTCPServer in %d threads; '
          'ForkingTCPServer in %d child processes; connect after shutdown() refused %d of 3'
          % (CLIENTS, len(same), len(threads), len(children), refused))

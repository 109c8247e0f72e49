# Python's ForkingTCPServer echo: a child process forked per connection, request.recv(1024) /
# sendall in a loop until the peer closes, as the socketserver tutorials write it.
# usage: python3 py-forking-echo.py [PORT]; prints "listening tcp 127.0.0.1:PORT".
import socketserver
import sys


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(1024)
            if not data:
                break
            self.request.sendall(data)


class Server(socketserver.ForkingTCPServer):
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A load generator that exits with an echo in flight resets its connections: not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


if __name__ == "__main__":
    with Server(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Echo) as server:
        print(f"listening tcp 127.0.0.1:{server.server_address[1]}", flush=True)
        server.serve_forever()

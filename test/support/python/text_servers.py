"""Small text servers written the way the socketserver tutorials write them, for bench to measure.

    python3 text_servers.py upper        recv(1024).decode() -> .upper().encode(), until EOF
    python3 text_servers.py lines        echoes complete lines; at EOF drops an unfinished last line

Binds 127.0.0.1 on a free port and prints "listening PORT" once it accepts connections.
`lines` has the half-close bug on purpose: what a peer sent after its last newline, before its
FIN, is never answered.
"""
import socketserver
import sys


class Upper(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(1024)
            if not data:
                break
            # Binary input raises UnicodeDecodeError here, as in the tutorials: socketserver
            # prints the traceback and closes this connection.
            self.request.sendall(data.decode().upper().encode())


class Lines(socketserver.BaseRequestHandler):
    def handle(self):
        pending = b""
        while True:
            data = self.request.recv(65536)
            if not data:
                break  # the bug: `pending` (a line without its newline) is dropped
            pending += data
            *lines, pending = pending.split(b"\n")
            if lines:
                self.request.sendall(b"".join(line + b"\n" for line in lines))


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    handler = {"upper": Upper, "lines": Lines}[sys.argv[1]]
    with Server(("127.0.0.1", 0), handler) as server:
        print(f"listening {server.server_address[1]}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()

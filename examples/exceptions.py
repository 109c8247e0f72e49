# A handler's exception / 处理器中的异常 —— Socket Lab lab "exceptions"
# When a handler raises, socketserver calls handle_error and closes that one connection; the server
# goes on: client B, connected before, still echoes, and a new client C can connect. Then the order
# of try / except / else / finally: the except clauses are tried in order and the first that matches
# runs; else runs only when nothing was raised; finally always runs.
# 处理器抛出异常时，socketserver 调用 handle_error 并只关闭这一个连接；服务器继续运行：之前连上的
# 客户端 B 仍然能回显，新的客户端 C 也能连接。然后看 try / except / else / finally 的执行顺序：
# except 子句按顺序匹配，只运行第一个匹配的；没有异常时才运行 else；finally 总会运行。
import socket
import socketserver
import sys
import threading

WORD = b'crash'
MESSAGES = 3


class Crash(Exception):
    """A custom exception / 自定义异常"""


class CrashHandler(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(1024)
            if not data:
                break
            if WORD in data:
                raise Crash('received %r' % data)
            self.request.sendall(data)


errors = []


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # the default prints the traceback; here one line / 默认打印完整的 traceback，这里只打印一行
        kind, value = sys.exc_info()[:2]
        errors.append(kind)
        print('  handle_error: %s: %s while serving %s' % (kind.__name__, value, client_address))


def echo(sock, text):
    sock.sendall(text)
    reply = b''
    while len(reply) < len(text):
        chunk = sock.recv(1024)
        if not chunk:
            break
        reply += chunk
    return reply == text


def order_of(word):
    order = []
    try:
        order.append('try')
        if word == WORD:
            raise Crash(word)
    except ValueError:
        order.append('except ValueError')
    except Crash:
        order.append('except Crash')
    except Exception:  # matches Crash too, but an earlier clause already did / 也能匹配 Crash，但前面的子句已经匹配了
        order.append('except Exception')
    else:
        order.append('else')
    finally:
        order.append('finally')
    return ' '.join(order)


if __name__ == '__main__':
    server = Server(('127.0.0.1', 0), CrashHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    b = socket.create_connection(server.server_address)
    print('B echoes before the crash: %s' % echo(b, b'before'))
    a = socket.create_connection(server.server_address)
    a.sendall(WORD)
    a_ended = a.recv(1024) == b''
    print("A sent %r: its connection ended (recv returned b''): %s" % (WORD, a_ended))
    a.close()
    exact = sum(echo(b, b'message %d' % i) for i in range(1, MESSAGES + 1))
    print('B, connected before, echoed %d of %d after the crash' % (exact, MESSAGES))
    b.close()
    c = socket.create_connection(server.server_address)
    c_echoed = echo(c, b'hello')
    print('C, a new client, echoed: %s' % c_echoed)
    c.close()
    server.shutdown()
    server.server_close()
    hello, crash = order_of(b'hello'), order_of(WORD)
    print('hello: %s' % hello)
    print('crash: %s' % crash)
    print("outcome: A's connection ended after %s (%d handle_error), B echoed %d of %d, C echoed %s; "
          'order for hello: %s, for crash: %s'
          % (errors[0].__name__ if errors else 'nothing', len(errors), exact, MESSAGES, c_echoed, hello, crash))

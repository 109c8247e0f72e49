# SO_REUSEADDR: binding twice, restarting a server / SO_REUSEADDR：绑定两次与重启服务器 —— Socket Lab lab "reuseaddr"
# Two sockets cannot listen on one port: "Address already in use". And the side that closes a
# connection first keeps it in TIME_WAIT for about a minute: a server restarted on its port fails
# to bind then, unless it sets SO_REUSEADDR before bind.
# 两个套接字不能监听同一个端口："Address already in use"。先关闭连接的一方会让它在 TIME_WAIT
# 状态停留约一分钟：此时在同一端口重启服务器会 bind 失败，除非在 bind 之前设置 SO_REUSEADDR。
import socket


def listener(port, reuse):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(5)
    return s


def try_listen(port, reuse):
    try:
        listener(port, reuse).close()
        return 'listening'
    except OSError as e:
        return str(e)


# 1. Bind twice / 绑定两次
first = listener(0, True)
port = first.getsockname()[1]
bind_twice = try_listen(port, True)
print('a second socket binds port %d while the first listens: %s' % (port, bind_twice))
first.close()


# 2. The server closes first, stops, and starts again / 服务器先关闭连接，停止，再重启
def serve_once(reuse):
    s = listener(0, reuse)
    port = s.getsockname()[1]
    c = socket.create_connection(('127.0.0.1', port))
    conn, addr = s.accept()
    conn.sendall(b'Thank you for connecting\n')
    conn.close()  # the server closes first: this socket goes to TIME_WAIT / 服务器先关闭，进入 TIME_WAIT
    c.recv(1024)
    c.close()
    s.close()  # the server stops / 服务器停止
    return port


restart = {}
for reuse in (False, True):
    port = serve_once(reuse)
    restart[reuse] = try_listen(port, reuse)
    print('restart on port %d %s SO_REUSEADDR: %s' % (port, 'with' if reuse else 'without', restart[reuse]))
print('outcome: bind twice: %s; restart without SO_REUSEADDR: %s; with SO_REUSEADDR: %s'
      % (bind_twice, restart[False], restart[True]))

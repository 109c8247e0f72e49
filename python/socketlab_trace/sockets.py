"""socket, select and selectors, and socketserver's classes.

`socket.socket` becomes a subclass (so `isinstance(s, socket.socket)` and the stdlib's own
`socket(...)` calls — accept, create_connection, socketpair — give traced sockets). Each call
that can block says so in the calling thread's state; byte counts are plain adds.
"""
import select
import socket as _socketmod
import sys
import weakref

from . import kernel
from .patching import public
from .state import FAST, IO_STATES, MAX_SOCKETS, SocketRec, captured, get_ident, ms, registry

_threads = registry.threads
_Base = _socketmod.socket
_recv = _Base.recv
_recv_into = _Base.recv_into
_recvfrom = _Base.recvfrom
_recvfrom_into = _Base.recvfrom_into
_send = _Base.send
_sendall = _Base.sendall
_AF_UNIX = getattr(_socketmod, 'AF_UNIX', None)
_MAX_ROUNDS = 8


def _address(family, addr):
    if addr is None:
        return None
    if _AF_UNIX is not None and family == _AF_UNIX:
        if isinstance(addr, bytes):
            addr = addr.decode('utf-8', 'replace')
        return addr or '(unnamed)'
    if isinstance(addr, tuple) and len(addr) >= 2:
        host = addr[0]
        return '[%s]:%s' % (host, addr[1]) if ':' in str(host) else '%s:%s' % (host, addr[1])
    return str(addr)


def _transport(family, kind):
    kind = kind & 0xF  # SOCK_NONBLOCK / SOCK_CLOEXEC ride along on Linux
    if kind == _socketmod.SOCK_DGRAM:
        return 'udp' if family != _AF_UNIX else 'unix-dgram'
    if _AF_UNIX is not None and family == _AF_UNIX:
        return 'unix'
    return 'tcp'


def _blocked(state, wait_name=None):
    t = _threads.get(get_ident())
    if t is not None:
        t.set(state, None, wait_name)
    return t


class socket(_Base):
    __slots__ = ('_sl',)

    def __init__(self, *args, **kwargs):
        _Base.__init__(self, *args, **kwargs)
        try:
            rec = SocketRec(registry.new_id('socket'), _transport(self.family, self.type))
            self._sl = rec if registry.add(rec, MAX_SOCKETS) else None
            _by_fd[_Base.fileno(self)] = self
            rec.sock = weakref.ref(self)
            fileno = kwargs.get('fileno', args[3] if len(args) > 3 else None)
            if fileno is not None:
                self._peer_known()
        except Exception:
            self._sl = None

    def _peer_known(self):
        r = self._sl
        if r is None:
            return
        try:
            r.local = _address(self.family, self.getsockname())
            r.peer = _address(self.family, self.getpeername())
        except OSError:
            pass
        r.v += 1

    def _rec(self):
        try:
            return self._sl
        except AttributeError:
            return None

    def bind(self, address):
        _Base.bind(self, address)
        r = self._rec()
        if r is not None:
            try:
                r.local = _address(self.family, self.getsockname())
            except OSError:
                r.local = _address(self.family, address)
            if r.transport in ('udp', 'unix-dgram'):
                r.role = 'datagram'
            r.v += 1

    def listen(self, *backlog):
        _Base.listen(self, *backlog)
        r = self._rec()
        if r is not None:
            r.role = 'listener'
            try:
                r.local = _address(self.family, self.getsockname())
            except OSError:
                pass
            r.v += 1

    def accept(self):
        t = _blocked('blocked in accept')
        try:
            conn, addr = _Base.accept(self)
        finally:
            if t is not None:
                t.set('running')
        r = self._rec()
        c = conn._rec() if isinstance(conn, socket) else None
        if c is not None:
            c.role = 'accepted'
            c.listener = r.id if r is not None else None
            c.peer = _address(self.family, addr) or c.peer
            if r is not None and r.local:
                c.local = c.local or r.local
            c.v += 1
        if r is not None:
            r.accepted += 1
            r.v += 1
        return conn, addr

    def connect(self, address):
        t = _blocked('connecting')
        try:
            _Base.connect(self, address)
        finally:
            if t is not None:
                t.set('running')
        self._connected(address)

    def connect_ex(self, address):
        t = _blocked('connecting')
        try:
            code = _Base.connect_ex(self, address)
        finally:
            if t is not None:
                t.set('running')
        if code == 0:
            self._connected(address)
        return code

    def _connected(self, address):
        r = self._rec()
        if r is None:
            return
        if r.role == 'socket':
            r.role = 'client'
        r.peer = _address(self.family, address)
        try:
            r.local = _address(self.family, self.getsockname())
        except OSError:
            pass
        r.v += 1

    # The hot path: explicit parameters, unbound C methods, a few stores. Which thread waits in
    # recv (or sendall) is not written here: while it waits, this frame is its innermost, and
    # the flusher reads that from sys._current_frames() 20 times a second (state.IO_STATES). A
    # write per call cost a ThreadingTCPServer echo 15 %, a *args wrapper 30 %.
    def recv(self, bufsize, flags=0):
        data = _recv(self, bufsize, flags)
        r = self._sl
        if r is not None:
            # Counters only (the flusher sees them move); the rest once, or while followed.
            r.recvs += 1
            r.bytes_in += len(data)
            if r.slow or not data:
                self._recv_rest(r, data)
            else:
                r.last = data  # cut to its last bytes when shipped
        return data

    def _recv_rest(self, r, data):
        r.thread = get_ident()  # once, or on a busy connection's call sent back through here
        if r.kernel:  # counted by the kernel (see _Fast): not twice
            r.recvs -= 1
            r.bytes_in -= len(data)
        if data:
            r.last = data
            if r.capture is not None and not captured(r.capture, 'in', data, len(data)):
                r.capture_dropped += 1
        elif r.state == 'open' and r.role != 'datagram':
            r.state = 'half-closed'
        r.settle()
        r.v += 1
        if not r.slow and r.transport == 'tcp' and kernel.AVAILABLE:
            _go_fast(self, r)

    def recv_into(self, buffer, nbytes=0, flags=0):
        t = _blocked('blocked in recv')
        try:
            n = _recv_into(self, buffer, nbytes, flags)
        finally:
            if t is not None:
                t.set('running')
        self._got(n, memoryview(buffer)[max(0, n - 48) : n] if n else None)
        return n

    def recvfrom(self, bufsize, flags=0):
        t = _blocked('blocked in recv')
        try:
            data, addr = _recvfrom(self, bufsize, flags)
        finally:
            if t is not None:
                t.set('running')
        self._got(len(data), data, addr)
        return data, addr

    def recvfrom_into(self, buffer, nbytes=0, flags=0):
        t = _blocked('blocked in recv')
        try:
            n, addr = _recvfrom_into(self, buffer, nbytes, flags)
        finally:
            if t is not None:
                t.set('running')
        self._got(n, memoryview(buffer)[max(0, n - 48) : n] if n else None, addr)
        return n, addr

    def send(self, data, flags=0):
        n = _send(self, data, flags)
        r = self._sl
        if r is not None:
            r.sends += 1
            r.bytes_out += n
            if r.capture is not None and not captured(r.capture, 'out', memoryview(data)[:n], n):
                r.capture_dropped += 1
            r.thread = get_ident()
            r.settle()
            r.v += 1
        return n

    def sendall(self, data, flags=0):
        _sendall(self, data, flags)
        r = self._sl
        if r is not None:
            r.sends += 1
            if r.slow or type(data) is not bytes:
                self._sendall_rest(r, data)
            else:
                r.bytes_out += len(data)

    def _sendall_rest(self, r, data):
        size = memoryview(data).nbytes
        if r.kernel:  # counted by the kernel (see _Fast): not twice
            r.sends -= 1
        else:
            r.bytes_out += size
        if r.thread is None:
            r.thread = get_ident()
        if r.capture is not None and not captured(r.capture, 'out', data, size):
            r.capture_dropped += 1
        r.settle()
        r.v += 1
        if not r.slow and r.transport == 'tcp' and kernel.AVAILABLE:
            _go_fast(self, r)

    def sendto(self, data, *args):
        n = _Base.sendto(self, data, *args)
        self._sent(n)
        r = self._rec()
        if r is not None and r.role == 'socket':
            r.role = 'datagram'
        return n

    def _got(self, n, data=None, addr=None):
        r = self._rec()
        if r is None:
            return
        r.recvs += 1
        r.thread = get_ident()
        if n:
            r.bytes_in += n
            if data is not None:
                r.last = bytes(data[-48:])
                if r.capture is not None and not captured(r.capture, 'in', data, n):
                    r.capture_dropped += 1
        elif r.role in ('accepted', 'client') and addr is None:
            r.state = 'half-closed' if r.state == 'open' else r.state
        if addr is not None and r.role == 'socket':
            r.role = 'datagram'
        r.settle()
        r.v += 1

    def _sent(self, n):
        r = self._rec()
        if r is None:
            return
        r.sends += 1
        r.bytes_out += n
        r.thread = get_ident()
        r.settle()
        r.v += 1

    def shutdown(self, how):
        _counted(self)
        _Base.shutdown(self, how)
        r = self._rec()
        if r is not None:
            r.state = 'half-closed'
            r.v += 1

    def _real_close(self, *args, **kwargs):
        r = _counted(self)
        try:
            _Base._real_close(self, *args, **kwargs)
        finally:
            if r is not None and r.ended is None:
                r.state = 'closed'
                r.ended = ms()
                r.v += 1

    def detach(self):
        r = _counted(self)
        fd = _Base.detach(self)
        if r is not None and r.ended is None:
            r.state = 'closed'
            r.ended = ms()
            r.v += 1
        return fd


socket.__module__ = 'socket'
socket.__qualname__ = 'socket'
socket.__doc__ = _Base.__doc__


def _patch_select():
    original = select.select

    def select_(rlist, wlist, xlist, *timeout):
        n = len(set(map(id, rlist)) | set(map(id, wlist)) | set(map(id, xlist)))
        t = _blocked('in select', '%d socket%s' % (n, '' if n == 1 else 's'))
        try:
            result = original(rlist, wlist, xlist, *timeout)
        finally:
            if t is not None:
                t.set('running')
        _selected(result[0], result[1])
        return result

    select.select = public(select_, 'select', 'select', original)


class _Fast(socket):
    """A busy TCP connection: its reads and writes are the C methods themselves; the kernel counts
    (kernel.py). Whenever its counters moved, the flusher sends one call back through the traced
    methods, for the last message and the thread serving it; a Follow Stream sends it back for good."""

    __slots__ = ()
    recv = _Base.recv
    recv_into = _Base.recv_into
    send = _Base.send
    sendall = _Base.sendall


_Fast.__name__ = _Fast.__qualname__ = 'socket'
_Fast.__module__ = 'socket'


def _go_fast(sock, r):
    if r.kernel is False:
        return
    if r.kernel is None and not kernel.baseline(r, sock):
        r.kernel = False  # no TCP_INFO for this one: it stays traced call by call
        return
    FAST[0] = True
    sock.__class__ = _Fast


def slow_down(r):
    """Sends the connection's next call through the traced methods (see _Fast)."""
    sock = r.sock() if r.sock is not None else None
    if sock is not None and type(sock) is _Fast:
        sock.__class__ = socket
        r.slow = True


def _counted(sock):
    """A connection about to close: its last counts from the kernel while it can still tell."""
    r = sock._rec()
    if r is not None and r.kernel and r.ended is None:
        kernel.refresh(r, sock)
    return r


# The program's sockets by descriptor: poll and epoll answer with descriptors.
_by_fd = weakref.WeakValueDictionary()
_POLL_READ = getattr(select, 'POLLIN', 1) | getattr(select, 'POLLPRI', 2) | getattr(select, 'POLLHUP', 16) | getattr(select, 'POLLERR', 8)
_POLL_WRITE = getattr(select, 'POLLOUT', 4)


def _fd_of(obj):
    return obj if isinstance(obj, int) else obj.fileno()


class _Polled(object):
    """What a poll or epoll object was asked to watch, and the rounds it answered."""

    def __init__(self):
        self.watched = {}

    def watch(self, fd):
        try:
            self.watched[_fd_of(fd)] = fd
        except Exception:
            pass

    def unwatch(self, fd):
        try:
            self.watched.pop(_fd_of(fd), None)
        except Exception:
            pass

    def answered(self, events):
        def obj(fd):
            o = self.watched.get(fd)
            return o if isinstance(o, socket) else _by_fd.get(fd)

        _selected([obj(fd) for fd, ev in events if ev & _POLL_READ], [obj(fd) for fd, ev in events if ev & _POLL_WRITE])


def _waiting_in(polled):
    n = len(polled.watched)
    return _blocked('in select', '%d socket%s' % (n, '' if n == 1 else 's'))


_SELECTORS = None  # selectors.py: its poll and epoll selectors are traced as selectors


def _from_selectors():
    return sys._getframe(2).f_code.co_filename == _SELECTORS


class _Poll(object):
    """select.poll() for the program: the real poll object inside; each poll() is a round."""

    __slots__ = ('_p', '_w')

    def __init__(self, p):
        self._p = p
        self._w = _Polled()

    def register(self, fd, *args, **kwargs):
        self._p.register(fd, *args, **kwargs)
        self._w.watch(fd)

    def modify(self, fd, *args, **kwargs):
        self._p.modify(fd, *args, **kwargs)
        self._w.watch(fd)

    def unregister(self, fd):
        self._p.unregister(fd)
        self._w.unwatch(fd)

    def poll(self, *args, **kwargs):
        if _from_selectors():
            return self._p.poll(*args, **kwargs)
        t = _waiting_in(self._w)
        try:
            events = self._p.poll(*args, **kwargs)
        finally:
            if t is not None:
                t.set('running')
        self._w.answered(events)
        return events


def _patch_poll():
    original = getattr(select, 'poll', None)
    if original is not None:

        def poll():
            return _Poll(original())

        select.poll = public(poll, 'select', 'poll', original)
    Epoll = getattr(select, 'epoll', None)
    if Epoll is None:
        return

    class _Epoll(_Poll):
        """select.epoll() for the program: the real epoll object inside."""

        __slots__ = ()

        @property
        def closed(self):
            return self._p.closed

        def close(self):
            self._p.close()

        def fileno(self):
            return self._p.fileno()

        def __enter__(self):
            self._p.__enter__()
            return self

        def __exit__(self, *args):
            return self._p.__exit__(*args)

    for name in ('register', 'modify', 'unregister', 'poll', 'close', 'fileno'):
        getattr(_Epoll, name).__doc__ = getattr(Epoll, name).__doc__

    class Meta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, (Epoll, _Epoll))

        def __call__(cls, *args, **kwargs):
            return _Epoll(Epoll(*args, **kwargs))

    def fromfd(fd):
        return _Epoll(Epoll.fromfd(fd))

    for cls, name in ((_Poll, 'poll'), (_Epoll, 'epoll')):
        cls.__name__ = cls.__qualname__ = name
        cls.__module__ = 'select'
    # A class (isinstance(x, select.epoll) stays true) whose instances are the traced ones.
    select.epoll = Meta('epoll', (object,), {'__module__': 'select', '__qualname__': 'epoll', '__doc__': Epoll.__doc__, 'fromfd': staticmethod(fromfd)})


def _selected(readable, writable):
    """Records a readiness round on each listener whose sockets were ready."""
    rounds = {}
    for s in readable:
        r = s._rec() if isinstance(s, socket) else None
        if r is None:
            continue
        owner = r if r.role == 'listener' else registry.records.get(r.listener) if r.listener else None
        if owner is None:
            continue
        rounds.setdefault(owner.id, [owner, 0, 0, []])
        entry = rounds[owner.id]
        entry[1] += 1
        if len(entry[3]) < 4:
            entry[3].append(r.peer or r.local or '?')
    for s in writable:
        r = s._rec() if isinstance(s, socket) else None
        owner = registry.records.get(r.listener) if r is not None and r.listener else None
        if owner is not None and owner.id in rounds:
            rounds[owner.id][2] += 1
    now = ms()
    for owner, nr, nw, peers in rounds.values():
        owner.rounds.append({'at': now, 'readable': nr, 'writable': nw, 'sockets': peers})
        del owner.rounds[:-_MAX_ROUNDS]
        owner.round_count += 1
        owner.v += 1


def _patch_selectors():
    global _SELECTORS
    import selectors

    _SELECTORS = selectors.__file__
    # Every class that defines select() itself (3.11's poll, epoll and devpoll share _PollLikeSelector's).
    classes = [c for c in vars(selectors).values() if isinstance(c, type) and issubclass(c, selectors.BaseSelector) and c is not selectors.BaseSelector and 'select' in c.__dict__]
    for cls in classes:
        original = cls.__dict__['select']

        def make(original):
            def select_(self, timeout=None):
                n = len(self.get_map() or ())
                t = _blocked('in select', '%d socket%s' % (n, '' if n == 1 else 's'))
                try:
                    ready = original(self, timeout)
                finally:
                    if t is not None:
                        t.set('running')
                _selected([k.fileobj for k, ev in ready if ev & selectors.EVENT_READ], [k.fileobj for k, ev in ready if ev & selectors.EVENT_WRITE])
                return ready

            select_.__name__ = 'select'
            select_.__qualname__ = original.__qualname__
            select_.__doc__ = original.__doc__
            return select_

        cls.select = make(original)


def _patch_socketserver():
    import socketserver

    # TCPServer.__init__ (UDP and Unix servers inherit it) makes the socket; BaseServer's is too early.
    original = socketserver.TCPServer.__init__

    def __init__(self, server_address, RequestHandlerClass, *args, **kwargs):
        original(self, server_address, RequestHandlerClass, *args, **kwargs)
        s = getattr(self, 'socket', None)
        r = s._rec() if isinstance(s, socket) else None
        if r is not None:
            mro = [c.__name__ for c in type(self).__mro__]
            r.server_class = type(self).__name__
            r.handler = getattr(RequestHandlerClass, '__name__', None)
            r.server_model = 'thread-per-connection' if 'ThreadingMixIn' in mro else 'process-per-connection' if 'ForkingMixIn' in mro else 'iterative'
            r.v += 1

    __init__.__doc__ = original.__doc__
    socketserver.TCPServer.__init__ = __init__


def install_core():
    _socketmod.socket = socket
    IO_STATES[socket.recv.__code__] = 'blocked in recv'
    IO_STATES[socket.sendall.__code__] = 'sending'
    _patch_select()
    _patch_poll()

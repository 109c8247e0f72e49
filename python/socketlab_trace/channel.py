"""The one local channel per process to the extension, and the flusher that feeds it.

The flusher is a bare `_thread` thread, not a `threading.Thread`: the program's
`threading.enumerate()` and `active_count()` must not see us. Sends have a deadline: an extension
that stops reading (VS Code reloaded) costs the program nothing but the tracing.
"""
import base64
import json
import linecache
import os
import re
import sys
import time
import _socket
import _thread

from . import kernel, sockets
from .names import is_program_file
from .state import FAST, IO_STATES, registry, ms

COUNTERS_MS = 250
FLUSH_S = 0.05  # 20 batches a second while something changes (the issue asks for at least 10)
# How long a process's last words may wait for the channel.
EXIT_WAIT_S = 0.5
SEND_TIMEOUT_S = 2.0


class Channel(object):
    def __init__(self):
        self.sock = None
        self.closed = True
        self.lock = _thread.allocate_lock()
        self.sent_dropped = None
        self.errors = set()
        self.stopping = False
        self.generation = 0
        self.following = set()

    def open(self, path, token, hello):
        try:
            s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            s.settimeout(SEND_TIMEOUT_S)
            s.connect(path)
            s = _out_of_the_way(s)
        except OSError:
            return False
        self.sock = s
        self.closed = False
        hello = dict(hello, type='hello', token=token)
        self.send(hello)
        return not self.closed

    def send(self, obj):
        if self.closed:
            return
        line = (json.dumps(obj, separators=(',', ':'), default=str) + '\n').encode('utf-8', 'replace')
        # Ending (SIGTERM's handler runs between two bytecodes of the main thread, which may be
        # in here holding the lock): the last words wait briefly, never forever.
        if not self.lock.acquire(True, EXIT_WAIT_S if self.stopping else -1):
            return
        try:
            self.sock.sendall(line)
        except OSError:
            # The extension went (or stopped reading): the program goes on untraced.
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass
        finally:
            self.lock.release()

    def error(self, part, exc):
        """A failure inside the tracer: said once per part; that part then stops tracing."""
        if part in self.errors:
            return
        self.errors.add(part)
        self.send({'type': 'error', 'part': part, 'message': '%s: %s' % (type(exc).__name__, exc)})

    def flush(self, force=False):
        """Ships every record whose version moved since it was last shipped. A socket whose
        counters alone moved goes at most every COUNTERS_MS (the views republish counters once a
        second; 100 busy connections shipped 20 times a second cost a server 5 % of its time)."""
        out = []
        ended = []
        now = ms()
        self._sample_io(now)
        for r in list(registry.records.values()):
            if r.kind == 'socket' and r.kernel and r.ended is None and now - r.sampled_at >= COUNTERS_MS:
                _busy(r, now)
            v = r.version()
            if v == r.sent:
                continue
            if r.kind == 'socket':
                key = (r.state, r.role, r.thread, r.ended, r.peer, r.local, r.round_count)
                if not force and key == r.shipped_key and now - r.shipped_at < COUNTERS_MS:
                    continue
                r.shipped_key = key
                r.shipped_at = now
                # Not stamped per recv (the hot path): within a flush of the truth.
                r.last_at = now
            elif r.kind == 'thread':
                if r.since is None:
                    r.since = now
                # A busy server's threads go in and out of recv all the time: that alone is
                # shipped at the counters' pace; any other change (a lock wait) at once.
                key = (r.state, r.wait, r.alive, r.ended, r.name, r.error is None)
                if not force and key == r.shipped_key and now - r.shipped_at < COUNTERS_MS:
                    continue
                r.shipped_key = key
                r.shipped_at = now
            try:
                f = r.fields()
            except Exception as e:  # a record half-written by another thread: next time
                self.error('flush', e)
                continue
            f['id'] = r.id
            f['kind'] = r.kind
            f['created'] = r.created
            f['ended'] = r.ended
            r.sent = v
            out.append(f)
            if r.ended is not None:
                ended.append(r)
        streams = self._streams()
        dropped = dict(registry.dropped)
        if not out and not streams and dropped == self.sent_dropped:
            return
        self.sent_dropped = dropped
        batch = {'type': 'batch', 'now': ms(), 'records': out, 'dropped': dropped}
        if streams:
            batch['streams'] = streams
        self.send(batch)
        for r in ended:
            if r.version() == r.sent:
                registry.forget(r)

    def _sample_io(self, now):
        """Which threads are blocked in a socket call now (their innermost frame is the tracer's
        recv or sendall), and, about once a second, on which connection (a connection handed to
        another thread after its first read)."""
        frames = sys._current_frames()
        fast = FAST[0]
        for ident, t in list(registry.threads.items()):
            f = frames.get(ident)
            io = IO_STATES.get(f.f_code) if f is not None else None
            if io is None and fast and f is not None:
                # A busy connection's recv is the C method: the program's own line says it.
                io = _line_state(f)
            if io == t.io:
                continue
            t.io = io
            t.io_since = now
            t.v += 1
            if io is not None and now - (t.io_checked or 0) >= 1000:
                t.io_checked = now
                r = getattr(f.f_locals.get('self'), '_sl', None)
                if r is not None and r.thread != ident:
                    r.thread = ident
                    r.v += 1

    def _streams(self):
        """What followed connections carried since the last flush, oldest first."""
        out = []
        for rid in list(self.following):
            r = registry.records.get(rid)
            if r is None:
                self.following.discard(rid)
                continue
            capture = r.capture
            if not capture:
                continue
            r.capture = []
            for direction, at, data, size in capture:
                out.append({'id': rid, 'dir': direction, 'at': at, 'size': size, 'data': base64.b64encode(data).decode('ascii')})
            if r.capture_dropped:
                out.append({'id': rid, 'dropped': r.capture_dropped})
                r.capture_dropped = 0
        return out

    def run_reader(self):
        """The extension asks to follow a connection (or to stop): one JSON line each."""
        generation = self.generation
        sock = self.sock

        def loop():
            buf = b''
            while not self.closed and generation == self.generation:
                try:
                    chunk = sock.recv(65536)
                except _socket.timeout:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                while b'\n' in buf:
                    line, buf = buf.split(b'\n', 1)
                    try:
                        self.command(json.loads(line.decode('utf-8')))
                    except Exception as e:
                        self.error('channel commands', e)

        _thread.start_new_thread(_quiet(loop), ())

    def command(self, m):
        if not isinstance(m, dict) or m.get('type') != 'follow' or not isinstance(m.get('id'), str):
            return
        r = registry.records.get(m['id'])
        if r is None or r.kind != 'socket':
            return
        if m.get('on'):
            if r.capture is None:
                r.capture = []
            self.following.add(r.id)
        else:
            r.capture = None
            self.following.discard(r.id)
        sockets.slow_down(r)  # a busy connection's calls come back through the traced methods
        r.settle()

    def run_flusher(self):
        generation = self.generation

        def loop():
            while not self.closed and generation == self.generation:
                _sleep(FLUSH_S)
                try:
                    self.flush()
                except Exception as e:  # never let the flusher die silently
                    self.error('flusher', e)

        _thread.start_new_thread(_quiet(loop), ())

    def exit(self, code):
        """The process ends now: last batch, then how."""
        if self.stopping:
            return
        self.stopping = True
        try:
            self.flush(force=True)
        except Exception:
            pass
        self.send({'type': 'exit', 'code': code, 'now': ms()})

    def after_fork(self):
        """In a forked child: the parent's connection is not ours (close our copy, keep theirs)."""
        self.generation += 1
        self.lock = _thread.allocate_lock()
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.closed = True
        self.stopping = False
        self.sent_dropped = None
        self.following = set()


# Signals a program may handle (SIGTERM, SIGINT, SIGCHLD, …), never the faults of a thread itself.
_SYNCHRONOUS = ('SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGABRT', 'SIGTRAP', 'SIGSYS')


def _quiet(loop):
    """The tracer's threads take no signal meant for the process. The kernel hands a process's
    signal to any thread that does not block it, and Python runs the handler only when the main
    thread next runs bytecode: a pool worker whose SIGTERM landed on our flusher while its main
    thread slept in a lock never ran the handler, and Pool.terminate() waited for it forever."""

    def run():
        try:
            import signal

            mask = set(signal.valid_signals()) - set(getattr(signal, n) for n in _SYNCHRONOUS if hasattr(signal, n))
            signal.pthread_sigmask(signal.SIG_BLOCK, mask)
        except (ImportError, AttributeError, OSError, ValueError):  # no pthread_sigmask (Windows)
            pass
        loop()

    return run


def _out_of_the_way(s):
    """Moves our descriptor far up, so the program's own sockets get the numbers they would have
    had (tutorials print `<socket.socket fd=3 ...>`). Not inherited by exec'd programs either."""
    try:
        import fcntl
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        high = max(3, min(soft - 1 if soft > 0 else 1023, 1023) - 16)
        fd = fcntl.fcntl(s.fileno(), fcntl.F_DUPFD_CLOEXEC, high)
        moved = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, 0, fd)
        moved.settimeout(SEND_TIMEOUT_S)
        s.close()
        return moved
    except (ImportError, OSError, ValueError):
        os.set_inheritable(s.fileno(), False)
        return s


# time.sleep is patched for the program; the flusher sleeps with the original.
_sleep = time.sleep
channel = Channel()


_LINES = {}
_CALL = re.compile(r'\.(recv|recv_into|recvfrom|recvfrom_into|sendall|send)\s*\(')


def _line_state(f):
    """`data = conn.recv(1024)`: a thread whose innermost frame is the program's, on a line that
    calls a socket's recv (while the flusher holds the GIL no other thread runs Python: it is in
    the call). The program's files only: the standard library's recv calls are its own."""
    code = f.f_code
    key = (code, f.f_lineno)
    state = _LINES.get(key, 0)
    if state == 0:
        state = None
        if is_program_file(code.co_filename):
            m = _CALL.search(linecache.getline(code.co_filename, key[1]))
            if m:
                state = 'sending' if m.group(1).startswith('send') else 'blocked in recv'
        if len(_LINES) < 10000:
            _LINES[key] = state
    return state


def _busy(r, now):
    """A busy connection's counters, from the kernel; when they moved, one call traced in full."""
    r.sampled_at = now
    sock = r.sock() if r.sock is not None else None
    if sock is not None and kernel.refresh(r, sock) and r.version() != r.sent:
        # It moved: its next call goes through the traced methods (the last message, the thread).
        sockets.slow_down(r)


def hello(file):
    return {
        'pid': os.getpid(),
        'ppid': os.getppid(),
        'argv': list(sys.argv),
        'file': file,
        'python': '%d.%d.%d' % sys.version_info[:3],
        'executable': sys.executable,
        'started': ms(),
    }

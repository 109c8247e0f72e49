"""A real channel (a Unix socket, as the extension opens) and real programs run under the tracer."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = 30


class Channel(object):
    """What the extension's end does: accepts each process's connection and reads JSON lines."""

    def __init__(self, read=True):
        self.dir = tempfile.mkdtemp(prefix='sltrace-')
        self.path = os.path.join(self.dir, 'channel')
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(64)
        self.read = read
        self.messages = []  # (connection number, message)
        self.cond = threading.Condition()
        self.conns = []
        self.closed = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        n = 0
        while True:
            try:
                c, _ = self.server.accept()
            except OSError:
                return
            n += 1
            self.conns.append(c)
            if self.read:
                threading.Thread(target=self._serve, args=(c, n), daemon=True).start()

    def _serve(self, c, n):
        buf = b''
        while True:
            try:
                b = c.recv(65536)
            except OSError:
                b = b''
            if not b:
                with self.cond:
                    self.closed += 1
                    self.cond.notify_all()
                return
            buf += b
            *lines, buf = buf.split(b'\n')
            with self.cond:
                for line in lines:
                    self.messages.append((n, json.loads(line.decode('utf-8'))))
                self.cond.notify_all()

    def env(self, extra=None):
        env = dict(os.environ)
        env['SOCKET_LAB_CHANNEL'] = self.path
        env['SOCKET_LAB_TOKEN'] = 'test-token'
        env['PYTHONPATH'] = PYTHON_DIR + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
        env['PYTHONUNBUFFERED'] = '1'
        env.update(extra or {})
        return env

    def records(self):
        """The latest fields of every record shipped so far, by id."""
        out = {}
        with self.cond:
            for _, m in self.messages:
                if m.get('type') == 'batch':
                    for r in m['records']:
                        out[r['id']] = r
        return out

    def wait_for(self, predicate, timeout=TIMEOUT, what='a condition'):
        """Waits for the records (or messages) to satisfy `predicate`: it is told every arrival."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                result = predicate(self)
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('timed out waiting for %s; got %s' % (what, json.dumps(self.messages[-5:])[:3000]))
                self.cond.wait(left)

    def of_type(self, t):
        with self.cond:
            return [m for _, m in self.messages if m.get('type') == t]

    def close(self):
        self.server.close()
        for c in self.conns:
            c.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class TracerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='slprog-')
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def program(self, source, name='prog.py'):
        path = os.path.join(self.tmp, name)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(textwrap.dedent(source))
        return path

    def channel(self, read=True):
        ch = Channel(read)
        self.addCleanup(ch.close)
        return ch

    def traced(self, path, args=(), channel=None, **kw):
        ch = channel or self.channel()
        return ch, subprocess.run([sys.executable, '-m', 'socketlab_trace', path] + list(args), env=ch.env(), capture_output=True, timeout=TIMEOUT, cwd=self.tmp, **kw)

    def plain(self, path, args=(), **kw):
        env = dict(os.environ, PYTHONUNBUFFERED='1')
        return subprocess.run([sys.executable, path] + list(args), env=env, capture_output=True, timeout=TIMEOUT, cwd=self.tmp, **kw)

    def start_traced(self, path, args=(), channel=None):
        ch = channel or self.channel()
        p = subprocess.Popen([sys.executable, '-m', 'socketlab_trace', path] + list(args), env=ch.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.tmp)
        self.procs.append(p)
        return ch, p

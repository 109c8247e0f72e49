"""The program behaves exactly as without the tracer: output, exit code, tracebacks, types."""
import os
import re
import signal
import sys
import time
import unittest

from .support import TracerTest

PROGRAMS = {
    'prints and exits 0': '''
        import sys, threading
        print('hello', sys.argv[1:], __name__, __file__.endswith('prog.py'))
        print(sys.path[0] == __import__('os').path.dirname(__file__))
        print(threading.active_count(), [t.name for t in threading.enumerate()])
    ''',
    'uncaught exception with a cause': '''
        def inner():
            raise KeyError('k')
        try:
            inner()
        except KeyError as e:
            raise RuntimeError('outer') from e
    ''',
    'exception in a thread': '''
        import threading
        def bad():
            raise ValueError('in thread')
        t = threading.Thread(target=bad); t.start(); t.join()
        print('main goes on')
    ''',
    'sys.exit(3)': 'import sys; print("x"); sys.exit(3)\n',
    'sys.exit with a message': 'import sys; sys.exit("bye now")\n',
    'syntax error': 'print("ok"\nx = = 1\n',
    'missing module': 'import no_such_module_here\n',
    'socket error through a wrapper, printed by traceback': '''
        import socket, traceback
        s = socket.socket(); s.close()
        try:
            s.recv(10)
        except OSError:
            traceback.print_exc()
        c = socket.socket()
        try:
            c.connect(('127.0.0.1', 1))
        except ConnectionRefusedError as e:
            print('refused', e.errno)
        finally:
            c.close()
    ''',
    'uncaught error raised inside a traced call': '''
        import threading
        l = threading.Lock()
        l.release()
    ''',
    'types, reprs, pickling and isinstance': '''
        import pickle, re, socket, threading, time
        s = socket.socket()
        print(isinstance(s, socket.socket), type(s), type(s).__name__, re.sub('0x[0-9a-f]+', 'X', repr(s)).split(',')[0])
        s.close()
        l = threading.Lock(); r = threading.RLock()
        print(type(l), type(r), re.sub('0x[0-9a-f]+', 'X', repr(l)))
        print(l.acquire(False), l.locked(), l.acquire(False), l.acquire(timeout=0.01))
        l.release()
        try:
            pickle.dumps(l)
        except TypeError as e:
            print('TypeError', e)
        try:
            l.acquire(False, 1)
        except ValueError as e:
            print('ValueError', e)
        e = threading.Event(); sem = threading.BoundedSemaphore(2)
        print(isinstance(e, threading.Event), isinstance(sem, threading.Semaphore), isinstance(threading.Condition(), threading.Condition))
        try:
            sem.release()
        except ValueError as x:
            print('ValueError', x)
        print(time.sleep.__name__, socket.socket.__name__, socket.socket.__module__)
    ''',
    'reads stdin and writes binary garbage': '''
        import sys
        line = input('name? ')
        print('hi', line)
        sys.stdout.flush()
        sys.stdout.buffer.write(bytes(range(256)))
    ''',
    'Chinese text and a non-daemon thread outliving main': '''
        import threading, time
        def late():
            time.sleep(0.2)
            print('线程结束')
        threading.Thread(target=late).start()
        print('主线程结束')
    ''',
    'poll and epoll objects': '''
        import select, socket
        a, b = socket.socketpair()
        p = select.poll()
        p.register(a, select.POLLIN)
        b.sendall(b'x')
        print(type(p), p.poll(1000) == [(a.fileno(), select.POLLIN)])
        with select.epoll() as ep:
            ep.register(a.fileno(), eventmask=select.EPOLLIN)
            print(type(ep), isinstance(ep, select.epoll), ep.poll(1) == [(a.fileno(), select.EPOLLIN)], ep.closed)
            ep.unregister(a.fileno())
            print(ep.poll(0))
        print(ep.closed)
        try:
            p.modify(12345, select.POLLIN)
        except OSError as e:
            print(type(e).__name__, e.errno)
    ''',
    # A Manager is pickled to its spawned process with threading.Lock in its registry: the
    # tracer's replacements must pickle as the originals do.
    'multiprocessing by spawn: Lock, Value, Array, Queue, Event, a Manager dict': '''
        import multiprocessing as mp, pickle, threading, time
        def work(i, lock, num, arr, q, d):
            with lock:
                num.value += 1
            arr[i] = -arr[i]
            q.put(i)
            d[i] = i * i
        if __name__ == '__main__':
            mp.set_start_method('spawn')
            print(pickle.loads(pickle.dumps(threading.Lock)) is threading.Lock, pickle.loads(pickle.dumps(time.sleep)) is time.sleep)
            lock, num, arr, q = mp.Lock(), mp.Value('i', 0), mp.Array('i', range(3)), mp.Queue()
            print(repr(lock)[:12], type(num).__name__, type(q).__name__, mp.Event().is_set())
            with mp.Manager() as m:
                d = m.dict()
                ps = [mp.Process(target=work, args=(i, lock, num, arr, q, d)) for i in range(3)]
                for p in ps: p.start()
                for p in ps: p.join()
                print(num.value, arr[:], sorted(q.get() for _ in range(3)), sorted(d.items()), [p.exitcode for p in ps])
    ''',
}


class SameBehaviour(TracerTest):
    def test_programs_behave_as_without_the_tracer(self):
        for name, source in PROGRAMS.items():
            with self.subTest(name):
                path = self.program(source)
                plain = self.plain(path, ['a', 'b c'], input=b'Ann\n')
                _, traced = self.traced(path, ['a', 'b c'], input=b'Ann\n')
                self.assertEqual(traced.returncode, plain.returncode, traced.stderr.decode('utf-8', 'replace'))
                self.assertEqual(traced.stdout, plain.stdout)
                self.assertEqual(_addresses(traced.stderr), _addresses(plain.stderr))

    def test_a_missing_file_is_said_as_python_says_it(self):
        plain = self.plain(os.path.join(self.tmp, 'nope.py'))
        _, traced = self.traced(os.path.join(self.tmp, 'nope.py'))
        self.assertEqual(traced.returncode, plain.returncode)
        self.assertEqual(traced.stderr.split(b':', 1)[1], plain.stderr.split(b':', 1)[1])

    def test_ctrl_c_ends_the_program_as_without_the_tracer(self):
        path = self.program('''
            import sys, time
            print('ready', flush=True)
            time.sleep(30)
        ''')
        results = []
        for traced in (False, True):
            if traced:
                ch, p = self.start_traced(path)
            else:
                import subprocess

                p = subprocess.Popen([sys.executable, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.tmp)
                self.procs.append(p)
            self.assertEqual(p.stdout.readline(), b'ready\n')
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=20)
            results.append((p.returncode, err.decode().splitlines()[-1]))
        self.assertEqual(results[1], results[0])
        self.assertEqual(results[0][0], -signal.SIGINT)


class NeverInTheWay(TracerTest):
    def test_no_channel_to_reach_means_the_program_runs_untraced(self):
        path = self.program('import threading; l = threading.Lock()\nwith l: print("ran", type(l).__module__)\n')
        import subprocess
        from .support import PYTHON_DIR

        env = dict(os.environ, SOCKET_LAB_CHANNEL=os.path.join(self.tmp, 'nobody-listens'), PYTHONPATH=PYTHON_DIR)
        p = subprocess.run([sys.executable, '-m', 'socketlab_trace', path], env=env, capture_output=True, timeout=30)
        self.assertEqual((p.returncode, p.stdout), (0, b'ran _thread\n'), p.stderr)

    def test_an_extension_that_never_reads_never_blocks_the_program(self):
        ch = self.channel(read=False)
        path = self.program('''
            import threading
            locks = [threading.Lock() for _ in range(1500)]
            def churn():
                for i in range(60000):
                    with locks[i % 1500]:
                        pass
            ts = [threading.Thread(target=churn) for _ in range(4)]
            for t in ts: t.start()
            for t in ts: t.join()
            print('done')
        ''')
        started = time.monotonic()
        _, p = self.traced(path, channel=ch)
        self.assertEqual((p.returncode, p.stdout), (0, b'done\n'), p.stderr)
        self.assertLess(time.monotonic() - started, 25)

    def test_the_channel_closing_mid_run_does_not_stop_the_program(self):
        ch, p = self.start_traced(self.program('''
            import threading, time
            l = threading.Lock()
            print('traced', flush=True)
            input()
            for i in range(20000):
                with l:
                    pass
            time.sleep(0.3)
            print('still here')
        '''))
        self.assertEqual(p.stdout.readline(), b'traced\n')
        ch.wait_for(lambda c: any(r['kind'] == 'sync' for r in c.records().values()), what='the lock')
        ch.close()  # VS Code reloaded
        out, err = p.communicate(b'\n', timeout=30)
        self.assertEqual((p.returncode, out), (0, b'still here\n'), err)


def _addresses(b):
    return re.sub(rb'0x[0-9a-f]+', b'X', b)


if __name__ == '__main__':
    unittest.main()

"""What the tracer tells the extension about real programs: threads, primitives, sockets, processes."""
import os
import socket
import unittest

from .support import TracerTest


def by_name(records, kind, name):
    return [r for r in records.values() if r['kind'] == kind and r.get('name') == name]


def one(records, kind, name):
    found = by_name(records, kind, name)
    return found[0] if found else None


class Threads(TracerTest):
    def test_a_thread_waiting_for_a_lock_shows_the_lock_its_holder_and_the_queue(self):
        ch, p = self.start_traced(self.program('''
            import threading
            counter_lock = threading.Lock()
            go = threading.Event()
            def holder():
                with counter_lock:
                    go.wait()
            def waiter():
                with counter_lock:
                    pass
            h = threading.Thread(target=holder, name='holder'); h.start()
            while not counter_lock.locked():
                pass
            w = threading.Thread(target=waiter, name='waiter'); w.start()
            input()
            go.set()
            h.join(); w.join()
            print(counter_lock.locked())
        '''))

        def waiting(c):
            r = c.records()
            lock, w, h = one(r, 'sync', 'counter_lock'), one(r, 'thread', 'waiter'), one(r, 'thread', 'holder')
            return lock and w and h and w['state'] == 'waiting for lock' and lock['waiters'] == [w['ident'] if False else lock['waiters'][0]] and (lock, w, h)

        lock, w, h = ch.wait_for(waiting, what='the waiter to wait')
        self.assertEqual(w['wait'], lock['id'])
        self.assertEqual(w['waitName'], 'counter_lock')
        self.assertEqual(lock['primitive'], 'Lock')
        self.assertEqual(h['state'], 'waiting for event')
        self.assertIsNotNone(lock['holder'])
        go = one(ch.records(), 'sync', 'go')
        self.assertEqual((go['primitive'], go['value'], len(go['waiters'])), ('Event', 0, 1))
        out, err = p.communicate(b'\n', timeout=30)
        self.assertEqual((p.returncode, out), (0, b'False\n'), err)
        ch.wait_for(lambda c: c.of_type('exit'), what='exit')
        r = ch.records()
        lock = one(r, 'sync', 'counter_lock')
        self.assertEqual((lock['holder'], lock['waiters'], lock['acquisitions'], lock['contended']), (None, [], 2, 1))
        self.assertGreater(lock['maxWaitMs'], 0)
        self.assertEqual(one(r, 'thread', 'waiter')['state'], 'done')
        self.assertEqual(ch.of_type('exit')[0]['code'], 0)

    def test_rlock_depth_semaphore_condition_barrier_sleep_join(self):
        ch, p = self.start_traced(self.program('''
            import threading, time
            counter_lock = threading.RLock()
            slots = threading.BoundedSemaphore(1)
            cond = threading.Condition()
            gate = threading.Barrier(2)
            def nested():
                with counter_lock:
                    with counter_lock:
                        input()
            def sem_waiter():
                with slots:
                    pass
            def cond_waiter():
                with cond:
                    cond.wait()
            def at_gate():
                gate.wait()
            slots.acquire()
            ts = [threading.Thread(target=f, name=f.__name__) for f in (nested, sem_waiter, cond_waiter, at_gate)]
            for t in ts: t.start()
            sleeper = threading.Thread(target=time.sleep, args=(60,), name='sleeper', daemon=True); sleeper.start()
            ts[0].join()
            slots.release()
            with cond:
                cond.notify_all()
            gate.wait()
            for t in ts: t.join()
        '''))

        def all_blocked(c):
            r = c.records()
            states = {n: (one(r, 'thread', n) or {}).get('state') for n in ('nested', 'sem_waiter', 'cond_waiter', 'at_gate', 'sleeper', 'MainThread')}
            lock = one(r, 'sync', 'counter_lock')
            ok = states == {'nested': 'running', 'sem_waiter': 'waiting for semaphore', 'cond_waiter': 'waiting on condition', 'at_gate': 'waiting at barrier', 'sleeper': 'sleeping', 'MainThread': 'joining'}
            return ok and lock and lock['depth'] == 2 and (r, lock)

        r, lock = ch.wait_for(all_blocked, what='every thread blocked')
        self.assertEqual(lock['primitive'], 'RLock')
        self.assertEqual(one(r, 'sync', 'slots')['primitive'], 'BoundedSemaphore')
        self.assertEqual(one(r, 'sync', 'slots')['value'], 0)
        self.assertEqual(one(r, 'sync', 'gate')['value'], 1)
        self.assertEqual(one(r, 'thread', 'MainThread')['waitName'], 'nested')
        # nested is blocked in input() (not traced): it shows as running, holding the RLock twice.
        p.communicate(b'\n', timeout=30)
        self.assertEqual(p.returncode, 0)

    def test_two_threads_in_a_deadlock_show_each_holder_and_wait(self):
        ch, p = self.start_traced(self.program('''
            import threading
            lock_a = threading.Lock(); lock_b = threading.Lock()
            both = threading.Barrier(2)
            def one():
                with lock_a:
                    both.wait()
                    with lock_b: pass
            def two():
                with lock_b:
                    both.wait()
                    with lock_a: pass
            threading.Thread(target=one, name='T1', daemon=True).start()
            threading.Thread(target=two, name='T2', daemon=True).start()
            input()
        '''))

        def stuck(c):
            r = c.records()
            t1, t2, a, b = one(r, 'thread', 'T1'), one(r, 'thread', 'T2'), one(r, 'sync', 'lock_a'), one(r, 'sync', 'lock_b')
            return t1 and t2 and t1['state'] == t2['state'] == 'waiting for lock' and (t1, t2, a, b)

        t1, t2, a, b = ch.wait_for(stuck, what='the deadlock')
        self.assertEqual((t1['wait'], t2['wait']), (b['id'], a['id']))
        self.assertEqual((a['holder'], b['holder']), (t1['ident'] if False else a['holder'], b['holder']))
        self.assertNotEqual(a['holder'], b['holder'])
        p.communicate(b'\n', timeout=30)

    def test_caps_count_what_they_turn_away(self):
        ch, p = self.start_traced(self.program('''
            import threading
            locks = [threading.Lock() for _ in range(2300)]
            input()
        '''))
        ch.wait_for(lambda c: any(m.get('dropped', {}).get('sync') == 300 for m in c.of_type('batch')), what='300 dropped')
        self.assertEqual(sum(1 for r in ch.records().values() if r['kind'] == 'sync'), 2000)
        p.communicate(b'\n', timeout=30)


class Sockets(TracerTest):
    def test_a_threading_tcp_server_shows_its_listener_connections_and_serving_threads(self):
        ch, p = self.start_traced(self.program('''
            import socketserver
            class Upper(socketserver.BaseRequestHandler):
                def handle(self):
                    while True:
                        data = self.request.recv(1024)
                        if not data:
                            break
                        self.request.sendall(data.decode('utf-8').upper().encode('utf-8'))
            with socketserver.ThreadingTCPServer(('127.0.0.1', 0), Upper) as server:
                print(server.server_address[1], flush=True)
                server.serve_forever()
        '''))
        port = int(p.stdout.readline())
        clients = [socket.create_connection(('127.0.0.1', port)) for _ in range(2)]
        for i, c in enumerate(clients):
            c.sendall(('héllo %d\r\n' % i).encode('utf-8'))
            self.assertEqual(c.recv(1024).decode('utf-8'), 'HÉLLO %d\r\n' % i)
        locals_ = {'127.0.0.1:%d' % c.getsockname()[1] for c in clients}

        def served(c):
            r = c.records()
            conns = [x for x in r.values() if x['kind'] == 'socket' and x['role'] == 'accepted' and x['peer'] in locals_ and x['bytesIn'] == 10]
            threads = {x['ident']: x for x in r.values() if x['kind'] == 'thread'}
            ok = len(conns) == 2 and all(threads.get(x['thread'], {}).get('state') == 'blocked in recv' for x in conns)
            return ok and (r, conns, threads)

        r, conns, threads = ch.wait_for(served, what='two served connections')
        listener = [x for x in r.values() if x['kind'] == 'socket' and x['role'] == 'listener'][0]
        self.assertEqual((listener['serverClass'], listener['handler'], listener['serverModel'], listener['local']), ('ThreadingTCPServer', 'Upper', 'thread-per-connection', '127.0.0.1:%d' % port))
        self.assertEqual({x['listener'] for x in conns}, {listener['id']})
        self.assertEqual({x['bytesOut'] for x in conns}, {10})
        self.assertEqual({threads[x['thread']]['name'] for x in conns} and len({x['thread'] for x in conns}), 2)
        main = [t for t in threads.values() if t['name'] == 'MainThread'][0]
        self.assertEqual((main['state'], main['waitName']), ('in select', '1 socket'))
        for c in clients:
            c.close()
        ch.wait_for(lambda c: all(x['state'] == 'closed' for x in c.records().values() if x['kind'] == 'socket' and x.get('role') == 'accepted'), what='closed connections')
        p.terminate()
        p.communicate(timeout=30)

    def test_a_connection_counts_bytes_keeps_its_last_message_and_says_half_closed(self):
        ch, p = self.start_traced(self.program('''
            import socket, threading, time
            srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()
            print(srv.getsockname()[1], flush=True)
            conn, addr = srv.accept()
            while True:
                data = conn.recv(1024)
                if not data:
                    break
                conn.sendall(data.decode('utf-8').upper().encode('utf-8'))
            time.sleep(0.5)  # half-closed by the peer, not yet closed here
            conn.sendall(bytearray(b'bye\\r\\n'))
            conn.close()
        '''))
        line = p.stdout.readline()
        self.assertTrue(line, p.stderr.read() if not line else '')
        port = int(line)
        c = socket.create_connection(('127.0.0.1', port))
        for text in ('hello\r\n', 'wörld\r\n'):
            c.sendall(text.encode('utf-8'))
            self.assertEqual(c.recv(100), text.upper().encode('utf-8'))
        c.shutdown(socket.SHUT_WR)
        conn = lambda ch: [x for x in ch.records().values() if x['kind'] == 'socket' and x['role'] == 'accepted']
        half = ch.wait_for(lambda ch: [x for x in conn(ch) if x['state'] == 'half-closed'], what='half-closed')[0]
        self.assertEqual((half['bytesIn'], half['recvs'], half['last']), (15, 3, 'wörld\r\n'.encode('utf-8').decode('latin-1')))
        self.assertEqual(c.recv(100), b'bye\r\n')
        end = ch.wait_for(lambda ch: [x for x in conn(ch) if x['ended'] is not None], what='closed')[0]
        self.assertEqual((end['bytesOut'], end['sends'], end['state']), (20, 3, 'closed'))
        self.assertIsNotNone(end['thread'])
        c.close()

    def test_a_busy_connection_is_counted_by_the_kernel_exactly_and_still_shows_its_state(self):
        ch, p = self.start_traced(self.program('''
            import socketserver
            class Echo(socketserver.BaseRequestHandler):
                def handle(self):
                    while True:
                        data = self.request.recv(1024)
                        if not data:
                            break
                        self.request.sendall(data)
            with socketserver.ThreadingTCPServer(('127.0.0.1', 0), Echo) as server:
                print(server.server_address[1], flush=True)
                server.serve_forever()
        '''))
        port = int(p.stdout.readline())
        c = socket.create_connection(('127.0.0.1', port))
        total = 0
        for i in range(300):
            msg = ('msg %03d\r\n' % i).encode()
            c.sendall(msg)
            got = b''
            while len(got) < len(msg):
                got += c.recv(100)
            self.assertEqual(got, msg)
            total += len(msg)
        conn = lambda ch: [x for x in ch.records().values() if x['kind'] == 'socket' and x['role'] == 'accepted']
        # While it stays busy, its last message moves on: a call goes through the traced methods
        # each time its counters moved.
        for i in range(300, 20000):
            msg = ('msg %05d\r\n' % i).encode()
            c.sendall(msg)
            got = b''
            while len(got) < len(msg):
                got += c.recv(100)
            total += len(msg)
            if any(x['last'].startswith('msg 0') and x['last'] > 'msg 00300' for x in conn(ch)):
                break
        else:
            self.fail('the last message never moved on: %r' % conn(ch))
        # Counted by the kernel once busy, to the byte.
        r = ch.wait_for(lambda ch: [x for x in conn(ch) if x['bytesIn'] == total and x['bytesOut'] == total], what='the counts', timeout=10)[0]
        self.assertGreaterEqual(r['recvs'], 64)
        server_thread = ch.wait_for(lambda ch: [x for x in ch.records().values() if x['kind'] == 'thread' and x['ident'] == r['thread'] and x['state'] == 'blocked in recv'], what='its thread blocked in recv')
        self.assertEqual(len(server_thread), 1)
        c.sendall(b'one more\r\n')
        self.assertEqual(c.recv(100), b'one more\r\n')
        c.shutdown(socket.SHUT_WR)
        self.assertEqual(c.recv(100), b'')
        end = ch.wait_for(lambda ch: [x for x in conn(ch) if x['ended'] is not None], what='closed')[0]
        self.assertEqual((end['bytesIn'], end['bytesOut']), (total + 10, total + 10))
        c.close()

    # The tutorials' one-thread servers, by each readiness API: select, poll, epoll (fds, the
    # tutorial's way) and selectors. Each round that found a connection ready is recorded.
    WAITS = {
        'select': '''
            readable, _, _ = select.select(socks, [], [])
        ''',
        'poll': '''
            readable = [by_fd[fd] for fd, ev in poller.poll() if ev & select.POLLIN]
        ''',
        'epoll': '''
            readable = [by_fd[fd] for fd, ev in poller.poll(-1) if ev & select.EPOLLIN]
        ''',
        'selectors': '''
            readable = [key.fileobj for key, ev in poller.select()]
        ''',
    }
    SETUP = {
        'select': '',
        'poll': 'poller = select.poll()',
        'epoll': 'poller = select.epoll()',
        'selectors': 'import selectors; poller = selectors.DefaultSelector()',
    }
    WATCH = {
        'select': '',
        'poll': 'poller.register(s.fileno(), select.POLLIN)',
        'epoll': 'poller.register(s.fileno(), eventmask=select.EPOLLIN)',
        'selectors': 'poller.register(s, selectors.EVENT_READ)',
    }
    UNWATCH = {
        'select': '',
        'poll': 'poller.unregister(s.fileno())',
        'epoll': 'poller.unregister(s.fileno())',
        'selectors': 'poller.unregister(s)',
    }

    def test_a_one_thread_server_records_readiness_rounds_by_select_poll_epoll_and_selectors(self):
        for api in self.WAITS:
            with self.subTest(api):
                ch, p = self.start_traced(self.program('''
                    import select, socket
                    srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()
                    print(srv.getsockname()[1], flush=True)
                    socks = []
                    by_fd = {}
                    %s
                    def watch(s):
                        socks.append(s); by_fd[s.fileno()] = s
                        %s
                    def unwatch(s):
                        %s
                        socks.remove(s); s.close()
                    watch(srv)
                    while True:
                        %s
                        for s in readable:
                            if s is srv:
                                c, _ = srv.accept(); watch(c)
                            else:
                                data = s.recv(100)
                                if not data:
                                    unwatch(s)
                                else:
                                    s.sendall(data)
                ''' % (self.SETUP[api], self.WATCH[api], self.UNWATCH[api], self.WAITS[api].strip())))
                line = p.stdout.readline()
                self.assertTrue(line, p.stderr.read() if p.poll() is not None else 'no port')
                port = int(line)
                c = socket.create_connection(('127.0.0.1', port))
                for _ in range(3):
                    c.sendall(b'ping')
                    self.assertEqual(c.recv(100), b'ping')
                r = ch.wait_for(lambda c: [x for x in c.records().values() if x['kind'] == 'socket' and x['role'] == 'listener' and x['rounds'] >= 4], what='4 rounds')[0]
                self.assertEqual(r['serverModel'], None)
                self.assertEqual(r['recentRounds'][-1]['sockets'], ['127.0.0.1:%d' % c.getsockname()[1]])
                # Waiting for readiness is the thread's state, with how many sockets it watches.
                main = ch.wait_for(lambda c: [x for x in c.records().values() if x['kind'] == 'thread' and x['state'] == 'in select' and x['waitName'] == '2 sockets'], what='in select (2 sockets)')
                self.assertEqual(len(main), 1)
                c.close()
                p.kill()
                p.wait()


class Processes(TracerTest):
    def test_children_by_fork_and_spawn_report_themselves_and_their_exit_codes(self):
        ch, p = self.traced(self.program('''
            import multiprocessing as mp, sys, time
            def work(code):
                time.sleep(0.2)
                sys.exit(code)
            if __name__ == '__main__':
                for method in ('fork', 'spawn'):
                    ctx = mp.get_context(method)
                    child = ctx.Process(target=work, args=(3,), name='child-' + method)
                    child.start()
                    child.join()
                    print(method, child.exitcode)
        '''))
        self.assertEqual((p.returncode, p.stdout), (0, b'fork 3\nspawn 3\n'), p.stderr)
        # Spawn also starts multiprocessing's resource tracker: a Python process, traced as well.
        ch.wait_for(lambda c: len(c.of_type('process')) == 2 and c.closed == len(c.of_type('hello')), what='the processes to end')
        hellos = ch.of_type('hello')
        parent = hellos[0]['pid']
        children = {m['pid'] for m in ch.of_type('process')}
        self.assertEqual({h['ppid'] for h in hellos if h['pid'] in children}, {parent})
        names = sorted(m['name'] for m in ch.of_type('process'))
        self.assertEqual(names, ['child-fork', 'child-spawn'])
        procs = [r for r in ch.records().values() if r['kind'] == 'process']
        self.assertEqual(sorted((r['name'], r['exitCode']) for r in procs), [('child-fork', 3), ('child-spawn', 3)])
        codes = {h['pid']: None for h in hellos}
        for n, m in ch.messages:
            if m.get('type') == 'exit':
                codes[[h for k, h in ch.messages if k == n and h.get('type') == 'hello'][0]['pid']] = m['code']
        self.assertEqual(codes[parent], 0)
        self.assertEqual([codes[pid] for pid in sorted(children)], [3, 3])

    def test_a_pool_reports_its_workers_and_tasks(self):
        ch, p = self.traced(self.program('''
            import multiprocessing as mp
            def square(x):
                return x * x
            if __name__ == '__main__':
                workers = mp.Pool(3)
                print(sum(workers.map(square, range(20), chunksize=2)))
                print(workers.apply_async(square, (7,)).get())
                workers.close()
                workers.join()
        '''))
        self.assertEqual((p.returncode, p.stdout), (0, b'2470\n49\n'), p.stderr)
        ch.wait_for(lambda c: c.of_type('exit') and any(r['kind'] == 'pool' and r['tasksDone'] == 11 for r in c.records().values()), what='11 tasks')
        pool = [r for r in ch.records().values() if r['kind'] == 'pool'][0]
        self.assertEqual((pool['name'], pool['size'], len(pool['workers']), pool['busy'], pool['queued'], pool['state']), ('workers', 3, 3, 0, 0, 'joined'))
        # Each worker process said which tasks it ran: the map's ten chunks and the apply.
        ch.wait_for(lambda c: c.closed == len(c.of_type('hello')), what='every process to end')
        workers = [r for r in ch.records().values() if r['kind'] == 'worker']
        self.assertEqual(sorted(w['pid'] for w in workers), sorted(pool['workers']))
        self.assertEqual(sum(w['tasksDone'] for w in workers), 11)
        self.assertEqual({w['state'] for w in workers}, {'idle'})


if __name__ == '__main__':
    unittest.main()

"""What the tracer knows: one record per thread, primitive, socket, child process and pool.

Writing a record is a few attribute stores and a version bump (the hot path of every lock
operation); the flusher compares versions a few times a second and ships what moved. Nothing
here blocks and nothing here allocates on the fast path.
"""
import os
import time
import _thread

get_ident = _thread.get_ident
wall = time.time
mono = time.monotonic

# Caps: a program that opens 5,000 connections or forks 500 children must not grow our memory
# (nor the extension's) without bound. What goes past a cap is counted, not kept.
MAX_SOCKETS = 2000
MAX_SYNCS = 2000
MAX_THREADS = 2000
MAX_PROCESSES = 1000
# A followed connection: reads and writes kept between two flushes, and bytes kept of each.
MAX_CAPTURED = 2000
# Calls after which a connection is busy: its reads and writes are counted without a Python frame.
BUSY_CALLS = 64
# Flags the flusher reads: some connection went fast (its threads' states are read off their lines).
FAST = [False]
CAPTURE_BYTES = 4096


# The code of the tracer's own wrappers a thread can be blocked in (socket.recv, sendall), and the
# state that means: the flusher finds them at the top of a thread's stack.
IO_STATES = {}


def ms():
    return wall() * 1000.0


class Record(object):
    """One entity. `v` moves on every change; `sent` is the version last shipped."""

    __slots__ = ('id', 'kind', 'v', 'sent', 'created', 'ended')

    def __init__(self, rid, kind):
        self.id = rid
        self.kind = kind
        self.v = 1
        self.sent = 0
        self.created = ms()
        self.ended = None

    def version(self):
        return self.v

    def fields(self):
        raise NotImplementedError


class ThreadRec(Record):
    __slots__ = ('name', 'ident', 'native', 'daemon', 'state', 'since', 'wait', 'wait_name', 'alive', 'error', 'target', 'io', 'io_since', 'io_checked', 'shipped_key', 'shipped_at')

    def __init__(self, rid, name, daemon, target=None):
        Record.__init__(self, rid, 'thread')
        self.name = name
        self.ident = None
        self.native = None
        self.daemon = daemon
        self.state = 'new'
        self.since = ms()
        self.wait = None
        self.wait_name = None
        self.alive = False
        self.error = None
        self.target = target
        # Sampled: the socket call it is blocked in now (see IO_STATES), over `state`.
        self.io = None
        self.io_since = None
        self.io_checked = 0.0
        self.shipped_key = None
        self.shipped_at = 0.0

    def set(self, state, wait=None, wait_name=None):
        self.state = state
        self.since = ms()
        self.wait = wait
        self.wait_name = wait_name
        self.v += 1

    def fields(self):
        return {
            'name': self.name,
            'ident': self.ident,
            'native': self.native,
            'daemon': self.daemon,
            'state': self.io or self.state,
            'since': self.io_since if self.io else self.since,
            'wait': None if self.io else self.wait,
            'waitName': None if self.io else self.wait_name,
            'alive': self.alive,
            'error': self.error,
        }


class SyncRec(Record):
    __slots__ = ('name', 'primitive', 'holder', 'depth', 'value', 'waiters', 'acq', 'contended', 'wait_total', 'wait_max', 'hold_total', 'hold_max', 't0', 'broken', 'probe')

    def __init__(self, rid, primitive, name):
        Record.__init__(self, rid, 'sync')
        self.primitive = primitive
        self.name = name
        self.holder = None  # the holder's thread ident
        self.depth = 0
        self.value = 0
        self.waiters = []  # thread idents, in arrival order
        self.acq = 0
        self.contended = 0
        self.wait_total = 0.0
        self.wait_max = 0.0
        self.hold_total = 0.0
        self.hold_max = 0.0
        self.t0 = 0.0
        self.broken = False
        # Locks: asks the real lock whether (Lock) or by whom and how deep (RLock) it is held.
        self.probe = None

    def version(self):
        return self.v if self.probe is None else (self.v, self.probe())

    def waited(self, seconds):
        w = seconds * 1000.0
        self.contended += 1
        self.wait_total += w
        if w > self.wait_max:
            self.wait_max = w

    def fields(self):
        holder, depth = self.holder, self.depth
        if self.probe is not None:
            held = self.probe()
            if isinstance(held, tuple):
                holder, depth = (held[0], held[1]) if held[1] else (None, 0)
            elif not held:
                holder = None
        return {
            'name': self.name,
            'primitive': self.primitive,
            'holder': holder,
            'depth': depth,
            'value': self.value,
            'waiters': list(self.waiters),
            'acquisitions': self.acq,
            'contended': self.contended,
            'totalWaitMs': round(self.wait_total, 3),
            'maxWaitMs': round(self.wait_max, 3),
            'totalHoldMs': round(self.hold_total, 3),
            'maxHoldMs': round(self.hold_max, 3),
            'broken': self.broken,
        }


class SocketRec(Record):
    __slots__ = ('role', 'transport', 'local', 'peer', 'listener', 'state', 'bytes_in', 'bytes_out', 'recvs', 'sends', 'thread', 'last', 'last_at', 'server_class', 'handler', 'server_model', 'accepted', 'rounds', 'round_count', 'capture', 'capture_dropped', 'shipped_key', 'shipped_at', 'slow', 'sock', 'kernel', 'sampled_at')

    def __init__(self, rid, transport):
        Record.__init__(self, rid, 'socket')
        self.role = 'socket'  # 'listener', 'accepted', 'client', 'datagram'
        self.transport = transport
        self.local = None
        self.peer = None
        self.listener = None
        self.state = 'open'
        self.bytes_in = 0
        self.bytes_out = 0
        self.recvs = 0
        self.sends = 0
        self.thread = None
        self.last = b''
        self.last_at = ms()
        self.server_class = None
        self.handler = None
        self.server_model = None
        self.accepted = 0
        self.rounds = []
        self.round_count = 0
        # While the extension follows this connection: what crossed it since the last flush.
        self.capture = None
        self.capture_dropped = 0
        # What the last batch said of it besides counters, and when (see Channel.flush).
        self.shipped_key = None
        self.shipped_at = 0.0
        # The hot path (recv, sendall) only counts while this is False: once the serving thread is
        # known, the connection is busy and nobody follows it. See settle().
        self.slow = True
        # A busy TCP connection on Linux: its socket (weakly), the counters' baseline against the
        # kernel's (kernel.py: None not yet, False unavailable), when the kernel was last asked.
        self.sock = None
        self.kernel = None
        self.sampled_at = 0.0

    def settle(self):
        # A connection used a few times (a tutorial's client typing) keeps every call exact.
        self.slow = self.thread is None or self.capture is not None or self.recvs + self.sends < BUSY_CALLS

    def version(self):
        # The hot path does not bump `v`: the counters moving is a change too.
        return (self.v, self.recvs, self.sends, self.bytes_in, self.bytes_out)

    def fields(self):
        return {
            'role': self.role,
            'transport': self.transport,
            'local': self.local,
            'peer': self.peer,
            'listener': self.listener,
            'state': self.state,
            'bytesIn': self.bytes_in,
            'bytesOut': self.bytes_out,
            'recvs': self.recvs,
            'sends': self.sends,
            'thread': self.thread,
            'last': bytes(self.last[-48:]).decode('latin-1'),
            'lastAt': self.last_at,
            'serverClass': self.server_class,
            'handler': self.handler,
            'serverModel': self.server_model,
            'accepted': self.accepted,
            'rounds': self.round_count,
            'recentRounds': list(self.rounds),
        }


class ProcessRec(Record):
    __slots__ = ('name', 'pid', 'daemon', 'alive', 'exitcode', 'state', 'since', 'wait')

    def __init__(self, rid, name, daemon):
        Record.__init__(self, rid, 'process')
        self.name = name
        self.pid = None
        self.daemon = daemon
        self.alive = False
        self.exitcode = None

    def fields(self):
        return {'name': self.name, 'pid': self.pid, 'daemon': self.daemon, 'alive': self.alive, 'exitCode': self.exitcode}


class PoolRec(Record):
    __slots__ = ('name', 'size', 'state', 'queued', 'busy', 'done', 'failed', 'workers')

    def __init__(self, rid, name, size):
        Record.__init__(self, rid, 'pool')
        self.name = name
        self.size = size
        self.state = 'running'
        self.queued = 0
        self.busy = 0
        self.done = 0
        self.failed = 0
        self.workers = []  # pids

    def fields(self):
        return {'name': self.name, 'size': self.size, 'state': self.state, 'queued': self.queued, 'busy': self.busy, 'tasksDone': self.done, 'tasksFailed': self.failed, 'workers': list(self.workers)}


class WorkerRec(Record):
    """This process as a worker of a multiprocessing.Pool: which task it runs now."""

    __slots__ = ('pid', 'state', 'task', 'since', 'done')

    def __init__(self, rid, pid):
        Record.__init__(self, rid, 'worker')
        self.pid = pid
        self.state = 'idle'
        self.task = None
        self.since = ms()
        self.done = 0

    def fields(self):
        return {'pid': self.pid, 'state': self.state, 'task': self.task, 'since': self.since, 'tasksDone': self.done}


class Registry(object):
    """Every record of this process, by kind, with counts of what a cap turned away."""

    def __init__(self):
        self.threads = {}  # ident -> ThreadRec of the live threads
        self.records = {}  # id -> Record (ended ones until shipped)
        self.reset()

    def reset(self):
        """Afresh (a forked child): emptied in place, since the patches hold these dicts."""
        self.pid = os.getpid()
        self.threads.clear()
        self.records.clear()
        self.dropped = {'thread': 0, 'sync': 0, 'socket': 0, 'process': 0, 'pool': 0, 'worker': 0}
        self.counts = {'thread': 0, 'sync': 0, 'socket': 0, 'process': 0, 'pool': 0, 'worker': 0}
        self.seq = 0
        self.names = {}

    def new_id(self, kind):
        self.seq += 1
        return '%s-%d-%d' % (kind[0], self.pid, self.seq)

    def add(self, rec, cap):
        if self.counts[rec.kind] >= cap:
            self.dropped[rec.kind] += 1
            return False
        self.counts[rec.kind] += 1
        self.records[rec.id] = rec
        return True

    def forget(self, rec):
        """An ended record, once shipped, is no longer kept here (the extension keeps it)."""
        if self.records.pop(rec.id, None) is not None:
            self.counts[rec.kind] -= 1

    def name_for(self, primitive):
        n = self.names.get(primitive, 0) + 1
        self.names[primitive] = n
        return '%s-%d' % (primitive, n)


registry = Registry()


def captured(capture, direction, data, size):
    """Keeps one read or write of a followed connection until the next flush ships it."""
    if len(capture) >= MAX_CAPTURED:
        return False
    capture.append((direction, ms(), bytes(data[:CAPTURE_BYTES]), size))
    return True

"""What processes share: multiprocessing's Lock, RLock, Semaphore, BoundedSemaphore, Event,
Condition and Barrier (on semaphores the processes share), Value and Array (shared memory with a lock), Queue,
and the objects of a Manager (a dict or list living in the Manager's process).

Every process tells its own side of one object: which of its threads holds it or waits for it, how
often it took it, what it put or got. The records of one object carry the same `shared` key in
every process (the semaphore's name, or its address, the same in a forked child); the extension
joins them into one row. The process that made the object says `origin` and names it.
"""
import os
import reprlib
import sys

from . import names
from .channel import channel
from .state import MAX_SYNCS, SyncRec, get_ident, registry
from .threads import _Wait, wait_at_barrier

_MP_DIR = None  # multiprocessing's folder, once imported
_repr = reprlib.Repr()
_repr.maxstring = 40
_repr.maxother = 40
_repr.maxdict = 8
_repr.maxlist = 10
_repr.maxlevel = 2

# key -> SyncRec of this process; a forked child starts afresh, as the registry does.
_recs = {}
# Keys of the locks and conditions a Barrier is made of: taken for it, not by the program.
_inner = set()
if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_recs.clear)


class SharedRec(SyncRec):
    """One process's side of a shared object; `sample` tells what it holds now (a Value's value)."""

    __slots__ = ('shared', 'origin', 'sample', 'contents', 'puts', 'gets', 'semaphore')

    def __init__(self, rid, primitive, name, key, origin):
        SyncRec.__init__(self, rid, primitive, name)
        self.shared = key
        self.origin = origin
        self.sample = None
        self.contents = None
        self.puts = 0
        self.gets = 0
        # An Event's flag or a semaphore's count, read from the semaphore itself (every process
        # sees the same); None where it cannot be read (macOS).
        self.semaphore = None

    def version(self):
        if self.semaphore is not None:
            try:
                n = self.semaphore._get_value()
                if self.primitive == 'Event':
                    n = 1 if n else 0
                if n != self.value:
                    self.value = n
                    self.v += 1
            except (NotImplementedError, OSError):
                self.semaphore = None
        if self.sample is not None:
            try:
                c = self.sample()
            except Exception:
                c = self.contents
            if c != self.contents:
                self.contents = c
                self.v += 1
        return SyncRec.version(self)

    def fields(self):
        f = SyncRec.fields(self)
        f['shared'] = self.shared
        f['origin'] = self.origin
        f['contents'] = self.contents
        f['puts'] = self.puts
        f['gets'] = self.gets
        f['valueSampled'] = self.semaphore is not None
        return f


def _record(key, primitive='Lock', name=None, origin=False, semaphore=None):
    """This process's record of a shared object, made at its first use here."""
    rec = _recs.get(key)
    if rec is None:
        rec = SharedRec(registry.new_id('sync'), primitive, name or primitive, key, origin)
        if not registry.add(rec, MAX_SYNCS):
            return None
        rec.semaphore = semaphore
        _recs[key] = rec
    elif origin and not rec.origin:
        rec.origin, rec.primitive, rec.name = True, primitive, name or primitive
        rec.v += 1
    return rec


_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _made_by_program(obj, through=('context.py',)):
    """The program asked for it: past its own constructors and multiprocessing's factories
    (`through`), the next frame is the program's. A Queue's own locks, a Condition's semaphores
    and a Value's lock are made by multiprocessing itself and are not named as the program's."""
    f = sys._getframe(1)
    while f is not None:
        code = f.f_code
        fn = code.co_filename
        if fn.startswith(_HERE) or (code.co_name == '__init__' and f.f_locals.get('self') is obj):
            f = f.f_back
            continue
        if _MP_DIR and fn.startswith(_MP_DIR) and os.path.basename(fn) in through:
            f = f.f_back
            continue
        return names.is_program_file(fn)
    return False


def _named(obj, key, primitive, through=('context.py',), semaphore=None):
    """The record of an object the program made (named after its variable), else None."""
    if not _made_by_program(obj, through):
        return None
    return _record(key, primitive, names.variable_name(obj) or registry.name_for(primitive), True, semaphore)


def _internal():
    """The lock is taken by multiprocessing for itself (a Condition's, a Queue's): no record, and
    the thread's state is the one its caller set (waiting on condition, blocked in get). A Value's
    lock taken by `.value` is the Value's, and counts."""
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_HERE):
        f = f.f_back
    if f is None or not _MP_DIR:
        return False
    fn = f.f_code.co_filename
    return fn.startswith(_MP_DIR) and not fn.endswith('sharedctypes.py')


def semlock_key(semlock):
    """The same in every process of the program: its name (spawn, forkserver) or, for a fork
    context's unnamed semaphore, its address (a forked child maps it at the same place)."""
    return 's:' + (semlock.name or '%x' % semlock.handle)


_PRIMITIVE_OF_KIND = {0: 'RLock', 1: 'Semaphore'}


def _primitive_of(lock):
    cls = type(lock).__name__
    return cls if cls in ('Lock', 'RLock', 'Semaphore', 'BoundedSemaphore') else _PRIMITIVE_OF_KIND.get(lock._semlock.kind, 'Lock')


def _trace_semlock(lock, key):
    """Wraps the instance's acquire and release (set per instance by SemLock._make_methods)."""
    sem = lock._semlock
    raw_acquire, raw_release = sem.acquire, sem.release
    primitive = _primitive_of(lock)
    state = 'waiting for lock' if primitive in ('Lock', 'RLock') else 'waiting for semaphore'
    counting = primitive in ('Semaphore', 'BoundedSemaphore')
    probe = sem if counting else None

    def took(r, me):
        r.acq += 1
        if counting:
            r.value = _value(sem, r.value - 1)
        else:
            r.holder = me
            r.depth = sem._count()
        r.v += 1

    def acquire(block=True, timeout=None):
        if key in _inner or _internal():
            return raw_acquire(block, timeout)
        if raw_acquire(False):
            r = _record(key, primitive, semaphore=probe)
            if r is not None:
                took(r, get_ident())
            return True
        if not block:
            return False
        r = _record(key, primitive, semaphore=probe)
        if r is None:
            return raw_acquire(block, timeout)
        w = _Wait(r, state)
        try:
            ok = raw_acquire(True, timeout)
        finally:
            waited = w.done()
        if ok:
            r.waited(waited)
            took(r, w.me)
        return ok

    def release():
        raw_release()
        r = _recs.get(key)
        if r is not None:
            if counting:
                r.value = _value(sem, r.value + 1)
            else:
                r.depth = sem._count()
                if not r.depth:
                    r.holder = None
            r.v += 1

    acquire.__doc__ = raw_acquire.__doc__
    release.__doc__ = raw_release.__doc__
    lock.acquire = acquire
    lock.release = release


def _value(sem, fallback):
    try:
        return sem._get_value()
    except (NotImplementedError, OSError):  # macOS has no sem_getvalue
        return max(0, fallback)


def _patch_synchronize(m):
    SemLock = m.SemLock
    make0 = SemLock._make_methods

    def _make_methods(self):
        make0(self)
        try:
            key = semlock_key(self._semlock)
            primitive = _primitive_of(self)
            _named(self, key, primitive, semaphore=self._semlock if primitive in ('Semaphore', 'BoundedSemaphore') else None)
            # Traced in every process once made: a child learns of it by using it.
            _trace_semlock(self, key)
        except Exception as e:
            channel.error('multiprocessing locks', e)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *args):
        return self.release()

    SemLock._make_methods = _make_methods
    SemLock.__enter__ = __enter__
    SemLock.__exit__ = __exit__

    Event = m.Event
    event_init0, event_wait0, event_set0, event_clear0 = Event.__init__, Event.wait, Event.set, Event.clear

    def event_key(ev):
        return semlock_key(ev._flag._semlock) + ':event'

    def event_init(self, *args, **kwargs):
        event_init0(self, *args, **kwargs)
        try:
            _named(self, event_key(self), 'Event', semaphore=self._flag._semlock)
        except Exception as e:
            channel.error('multiprocessing Event', e)

    def event_wait(self, timeout=None):
        r = _record(event_key(self), 'Event', semaphore=self._flag._semlock)
        if r is None or self.is_set():
            return event_wait0(self, timeout)
        w = _Wait(r, 'waiting for event')
        try:
            return event_wait0(self, timeout)
        finally:
            w.done()

    def flag(original, value):
        def change(self):
            result = original(self)
            r = _record(event_key(self), 'Event', semaphore=self._flag._semlock)
            if r is not None:
                r.value = value
                r.acq += value
                r.v += 1
            return result

        return change

    Event.__init__ = event_init
    Event.wait = event_wait
    Event.set = flag(event_set0, 1)
    Event.clear = flag(event_clear0, 0)
    for f, o in ((event_init, event_init0), (event_wait, event_wait0), (Event.set, event_set0), (Event.clear, event_clear0)):
        f.__doc__ = o.__doc__

    Condition = m.Condition
    cond_init0, cond_wait0, cond_notify0 = Condition.__init__, Condition.wait, Condition.notify

    def cond_key(c):
        return semlock_key(c._sleeping_count._semlock) + ':condition'

    def cond_init(self, *args, **kwargs):
        cond_init0(self, *args, **kwargs)
        try:
            _named(self, cond_key(self), 'Condition')
        except Exception as e:
            channel.error('multiprocessing Condition', e)

    def cond_wait(self, timeout=None):
        key = cond_key(self)
        r = None if key in _inner or _internal() else _record(key, 'Condition')
        if r is None:
            return cond_wait0(self, timeout)
        w = _Wait(r, 'waiting on condition')
        try:
            return cond_wait0(self, timeout)
        finally:
            w.done()

    def cond_notify(self, n=1):
        result = cond_notify0(self, n)
        r = _recs.get(cond_key(self))
        if r is not None:
            r.acq += 1
            r.v += 1
        return result

    Condition.__init__ = cond_init
    Condition.wait = cond_wait
    Condition.notify = cond_notify

    # A Barrier is threading's, on a Condition and a count the processes share; __setstate__
    # runs where it is made and in every process it is sent to.
    Barrier = m.Barrier
    barrier_init0, barrier_setstate0, barrier_wait0 = Barrier.__init__, Barrier.__setstate__, Barrier.wait

    def barrier_key(b):
        return cond_key(b._cond) + ':barrier'

    def barrier_setstate(self, state):
        barrier_setstate0(self, state)
        try:
            _inner.add(cond_key(self._cond))
            _inner.add(semlock_key(self._cond._lock._semlock))
        except Exception as e:
            channel.error('multiprocessing Barrier', e)

    def barrier_init(self, *args, **kwargs):
        barrier_init0(self, *args, **kwargs)
        try:
            r = _named(self, barrier_key(self), 'Barrier')
            if r is not None:
                r.value = 0
        except Exception as e:
            channel.error('multiprocessing Barrier', e)

    def barrier_wait(self, timeout=None):
        r = _record(barrier_key(self), 'Barrier')
        if r is None:
            return barrier_wait0(self, timeout)
        return wait_at_barrier(r, self, barrier_wait0, timeout)

    Barrier.__init__ = barrier_init
    Barrier.__setstate__ = barrier_setstate
    Barrier.wait = barrier_wait
    for f, o in ((barrier_init, barrier_init0), (barrier_setstate, barrier_setstate0), (barrier_wait, barrier_wait0)):
        f.__doc__ = o.__doc__


def _patch_sharedctypes(m):
    """Value and Array with a lock (the default): named by the program, their contents sampled
    from the shared memory (without the lock: a reading, not a transaction), their lock's holder
    and waiters in every process."""
    Base = m.SynchronizedBase
    init0 = Base.__init__

    def __init__(self, obj, lock=None, ctx=None):
        init0(self, obj, lock, ctx)
        try:
            lk = self._lock
            if not hasattr(lk, '_semlock'):
                return
            array = isinstance(self, (m.SynchronizedArray, m.SynchronizedString))
            r = _named(self, semlock_key(lk._semlock), 'Array' if array else 'Value', ('context.py', 'sharedctypes.py'))
            if r is None:
                return
            raw = obj
            r.sample = (lambda: _repr.repr(raw[:])) if array else (lambda: _repr.repr(raw.value))
            # SynchronizedBase copied the lock's methods before we could name it: copy again.
            self.acquire = lk.acquire
            self.release = lk.release
        except Exception as e:
            channel.error('multiprocessing Value', e)

    __init__.__doc__ = init0.__doc__
    Base.__init__ = __init__


def _patch_queues(m):
    """Queue (and JoinableQueue, SimpleQueue's cousin): what went in and out in each process,
    how many wait in get(), and how many items it holds (in the process that made it)."""
    Queue = m.Queue
    init0, put0, get0 = Queue.__init__, Queue.put, Queue.get

    def key_of(q):
        return semlock_key(q._rlock._semlock) + ':queue'

    def __init__(self, *args, **kwargs):
        init0(self, *args, **kwargs)
        try:
            r = _named(self, key_of(self), 'Queue')
            if r is not None:
                q = self

                def size():
                    try:
                        return '%d queued' % q.qsize()
                    except (NotImplementedError, OSError):
                        return None

                r.sample = size
        except Exception as e:
            channel.error('multiprocessing Queue', e)

    def put(self, obj, block=True, timeout=None):
        result = put0(self, obj, block, timeout)
        r = _record(key_of(self), 'Queue')
        if r is not None:
            r.puts += 1
            r.v += 1
        return result

    def get(self, block=True, timeout=None):
        r = _record(key_of(self), 'Queue')
        if r is None:
            return get0(self, block, timeout)
        w = _Wait(r, 'blocked in get') if block else None
        try:
            item = get0(self, block, timeout)
        finally:
            if w is not None:
                w.done()
        r.gets += 1
        r.acq += 1
        r.v += 1
        return item

    for f, o in ((__init__, init0), (put, put0), (get, get0)):
        f.__doc__ = o.__doc__
    Queue.__init__ = __init__
    Queue.put = put
    Queue.get = get


_MANAGED = {'dict': 'dict', 'list': 'list', 'Namespace': 'Namespace', 'Queue': 'Queue', 'JoinableQueue': 'Queue', 'Value': 'Value', 'Array': 'Array'}


def _patch_managers(m):
    """A Manager's objects live in its server process. The proxy the program makes names it; the
    server process (traced too: the Manager is a child process) samples what it holds."""
    Proxy = m.BaseProxy
    init0 = Proxy.__init__

    def __init__(self, token, *args, **kwargs):
        init0(self, token, *args, **kwargs)
        try:
            primitive = _MANAGED.get(token.typeid)
            if primitive is not None:
                _named(self, _managed_key(token.address, token.id), primitive, ('managers.py',))
        except Exception as e:
            channel.error('multiprocessing Manager', e)

    __init__.__doc__ = init0.__doc__
    Proxy.__init__ = __init__

    Server = m.Server
    serve0 = Server.serve_forever

    def serve_forever(self):
        try:
            _watch_server(self)
        except Exception as e:
            channel.error('multiprocessing Manager', e)
        return serve0(self)

    serve_forever.__doc__ = serve0.__doc__
    Server.serve_forever = serve_forever


def _managed_key(address, ident):
    return 'm:%s/%s' % (address if isinstance(address, str) else '%s:%s' % tuple(address), ident)


def _watch_server(server):
    """In the Manager's process: each object it makes gets a record whose contents are sampled."""
    address = server.address

    def sample(ident):
        def now():
            entry = server.id_to_obj.get(ident)
            if entry is None:
                return None
            obj = entry[0]
            if hasattr(obj, 'qsize'):
                return '%d queued' % obj.qsize()
            if type(obj).__name__ == 'Namespace':
                return _repr.repr(dict(vars(obj)))
            if hasattr(obj, 'value') and not isinstance(obj, (dict, list)):
                return _repr.repr(obj.value)
            return _repr.repr(obj.copy() if isinstance(obj, (dict, list)) else obj)

        return now

    original = server.create

    def create(*args, **kwargs):
        result = original(*args, **kwargs)
        try:
            ident = result[0]  # Server.create answers (ident, exposed)
            typeid = server.id_to_obj[ident][0].__class__.__name__
            r = _record(_managed_key(address, ident), _MANAGED.get(typeid, 'dict'))
            if r is not None:
                r.sample = sample(ident)
        except Exception as e:
            channel.error('multiprocessing Manager', e)
        return result

    server.create = create


def _hook(patch):
    def run(module):
        global _MP_DIR
        _MP_DIR = os.path.dirname(os.path.abspath(module.__file__)) + os.sep
        patch(module)

    return run


HOOKS = {
    'multiprocessing.synchronize': _hook(_patch_synchronize),
    'multiprocessing.sharedctypes': _hook(_patch_sharedctypes),
    'multiprocessing.queues': _hook(_patch_queues),
    'multiprocessing.managers': _hook(_patch_managers),
}

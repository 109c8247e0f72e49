"""threading, instrumented at its public entry points: Thread lifecycle and join, Lock, RLock,
Semaphore, BoundedSemaphore, Event, Condition, Barrier, and time.sleep.

The fast path of a lock (free, taken at once) is one non-blocking acquire and four stores; only a
thread that has to wait pays for telling the world it waits.
"""
import re
import sys
import threading
import time
import _thread

from . import names
from .patching import public, wrap
from .channel import channel
from .state import MAX_SYNCS, MAX_THREADS, SyncRec, ThreadRec, get_ident, mono, ms, registry

_allocate = _thread.allocate_lock
_RLock = getattr(_thread, 'RLock', None) or threading._PyRLock
_threads = registry.threads
_yield = time.sleep  # the real one: time.sleep is patched for the program
_YIELDS = 3


def current():
    return _threads.get(get_ident())


def new_sync(primitive, obj=None):
    name = names.variable_name(obj) or registry.name_for(primitive)
    rec = SyncRec(registry.new_id('sync'), primitive, name)
    return rec if registry.add(rec, MAX_SYNCS) else None


class _Wait(object):
    """A thread blocked on something: its state while blocked, the waiter queue it stands in."""

    __slots__ = ('t', 'r', 'me', 'start')

    def __init__(self, rec, state):
        self.me = get_ident()
        self.t = _threads.get(self.me)
        self.r = rec
        rec.waiters.append(self.me)
        rec.v += 1
        if self.t is not None:
            self.t.set(state, rec.id, rec.name)
        self.start = mono()

    def done(self):
        r = self.r
        try:
            r.waiters.remove(self.me)
        except ValueError:
            pass
        r.v += 1
        if self.t is not None:
            self.t.set('running')
        return mono() - self.start


def wait_at_barrier(rec, barrier, wait, timeout):
    """`barrier.wait(timeout)` by the untraced `wait`, the caller standing in `rec`'s waiters;
    the record says how many are there (threading's Barrier and multiprocessing's alike)."""
    rec.value = barrier._count + 1
    w = _Wait(rec, 'waiting at barrier')
    try:
        return wait(barrier, timeout)
    finally:
        w.done()
        rec.value = barrier._count
        rec.broken = barrier.broken
        rec.acq += 1
        rec.v += 1


class _AcquireTraced(object):
    """threading.Lock() for the program: the real lock inside, who took it last outside.

    Releasing is the real lock's own C method (`release`, `__exit__`, set per lock on a class of
    its own): a Python-level release would be a point where the interpreter may switch threads
    while the lock is still held, and four threads hammering one lock would then queue on it far
    more than without us. Whether it is still held is sampled by the flusher (`locked()`).
    """

    __slots__ = ('_l', '_r', '__weakref__')

    def acquire(self, blocking=True, timeout=-1):
        if timeout != -1 and (not blocking or timeout < 0):
            return self._l.acquire(blocking, timeout)  # the ValueError Python gives
        if self._l.acquire(False):
            r = self._r
            r.holder = get_ident()
            r.acq += 1
            r.v += 1
            return True
        if not blocking or timeout == 0:
            return False
        return self._wait(timeout)

    def __enter__(self):
        if self._l.acquire(False):
            r = self._r
            r.holder = get_ident()
            r.acq += 1
            r.v += 1
            return True
        return self._wait(-1)

    def _wait(self, timeout):
        # Most contention here is a holder the interpreter switched away from inside its
        # critical section (our acquire is a switch point the C one is not): let it run on
        # a few times before queueing, as without us it would have released already.
        for _ in range(_YIELDS):
            _yield(0)
            if self._l.acquire(False):
                r = self._r
                r.holder = get_ident()
                r.acq += 1
                r.v += 1
                return True
        w = _Wait(self._r, 'waiting for lock')
        try:
            ok = self._l.acquire(True, timeout)
        finally:
            waited = w.done()
        if ok:
            r = self._r
            r.holder = w.me
            r.acq += 1
            r.waited(waited)
            r.v += 1
        return ok

    def _at_fork_reinit(self):
        self._l._at_fork_reinit()
        self._r.holder = None
        del self._r.waiters[:]


class TracedLock(_AcquireTraced):
    """threading.Lock() for the program."""

    __slots__ = ()

    def locked(self):
        return self._l.locked()

    def __reduce_ex__(self, protocol):
        raise TypeError("cannot pickle '_thread.lock' object")

    def __repr__(self):
        return '<%s _thread.lock object at %#x>' % ('locked' if self._l.locked() else 'unlocked', id(self))


def _made(cls, name, raw, rec):
    """A lock of a class of its own, whose release and __exit__ are the real lock's C methods."""
    lock = type(name, (cls,), {'__slots__': (), '__module__': '_thread', 'release': raw.release, '__exit__': raw.__exit__})()
    lock._l = raw
    lock._r = rec
    return lock


def _new_lock(rec):
    raw = _allocate()
    rec.probe = raw.locked
    return _made(TracedLock, 'lock', raw, rec)


_RLOCK_STATE = re.compile(r'owner=(\d+) count=(\d+)')


class TracedRLock(_AcquireTraced):
    """threading.RLock() for the program: its owner and recursion depth are sampled from the real
    RLock by the flusher."""

    __slots__ = ()

    # What Condition uses when its lock is an RLock.
    def _is_owned(self):
        return self._l._is_owned()

    def _release_save(self):
        state = self._l._release_save()
        self._r.v += 1
        return state

    def _acquire_restore(self, state):
        self._l._acquire_restore(state)
        self._r.holder = get_ident()
        self._r.v += 1

    def _recursion_count(self):
        return self._l._recursion_count()

    def __reduce_ex__(self, protocol):
        raise TypeError("cannot pickle '_thread.RLock' object")

    def __repr__(self):
        return repr(self._l)


def _new_rlock(rec):
    raw = _RLock()

    def probe():
        m = _RLOCK_STATE.search(repr(raw))
        return (int(m.group(1)), int(m.group(2))) if m else (None, 0)

    rec.probe = probe
    return _made(TracedRLock, 'RLock', raw, rec)


def _factory(primitive, cls, raw):
    def make(*args, **kwargs):
        if args or kwargs or not names.made_by_program():
            return raw(*args, **kwargs)
        rec = new_sync(primitive)
        return raw() if rec is None else cls(rec)

    return public(make, 'threading', primitive, raw)


def _as_type(factory, raw_type, traced):
    """Python 3.13 made threading.Lock a class: isinstance must keep working there."""

    class Meta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, (raw_type, traced))

        def __call__(cls, *args, **kwargs):
            return factory(*args, **kwargs)

    return Meta('Lock', (object,), {'__module__': 'threading', '__qualname__': 'Lock'})


def _patch_thread():
    cls = threading.Thread

    def start(original):
        def start(self):
            rec = ThreadRec(registry.new_id('thread'), self.name, self.daemon)
            if registry.add(rec, MAX_THREADS):
                self.__dict__['_socketlab'] = rec
            return original(self)

        return start

    def bootstrap(original):
        def _bootstrap_inner(self):
            rec = self.__dict__.get('_socketlab')
            if rec is None:
                return original(self)
            me = get_ident()
            rec.ident = me
            rec.native = getattr(threading, 'get_native_id', get_ident)()
            rec.name = self.name
            rec.alive = True
            rec.set('running')
            _threads[me] = rec
            hook = self.__dict__.get('_invoke_excepthook')
            if hook is not None:

                def failed(thread, hook=hook):
                    e = sys.exc_info()[1]
                    if e is not None:
                        rec.error = {'type': type(e).__name__, 'message': str(e)}
                    return hook(thread)

                self._invoke_excepthook = failed
            try:
                original(self)
            finally:
                rec.alive = False
                rec.set('failed' if rec.error else 'done')
                rec.ended = ms()
                _threads.pop(me, None)

        return _bootstrap_inner

    def join(original):
        def join(self, timeout=None):
            t = current()
            target = self.__dict__.get('_socketlab')
            if t is None or not self.is_alive():
                return original(self, timeout)
            t.set('joining', target.id if target else None, self.name)
            try:
                return original(self, timeout)
            finally:
                t.set('running')

        return join

    def rename(original):
        def _set_name(self, value):
            original(self, value)
            rec = self.__dict__.get('_socketlab')
            if rec is not None:
                rec.name = self.name
                rec.v += 1

        return _set_name

    wrap(cls, 'start', start)
    wrap(cls, '_bootstrap_inner', bootstrap)
    wrap(cls, 'join', join)
    name = cls.__dict__.get('name')
    if isinstance(name, property) and name.fset is not None:
        cls.name = property(name.fget, rename(name.fset), name.fdel, name.__doc__)


def _patch_sleep():
    original = time.sleep

    def sleep(seconds):
        t = _threads.get(get_ident())
        if t is None:
            return original(seconds)
        t.set('sleeping')
        try:
            return original(seconds)
        finally:
            t.set('running')

    time.sleep = public(sleep, 'time', 'sleep', original)


def main_thread_record():
    """The thread that runs the program (or, in a child, the one that survived the fork)."""
    me = get_ident()
    t = threading.current_thread()
    rec = ThreadRec(registry.new_id('thread'), t.name, False)
    rec.ident = me
    rec.native = getattr(threading, 'get_native_id', get_ident)()
    rec.alive = True
    rec.state = 'running'
    registry.add(rec, MAX_THREADS)
    _threads[me] = rec
    return rec


def install():
    raw_lock_type = threading.Lock if isinstance(threading.Lock, type) else None
    lock = _factory('Lock', _new_lock, threading.Lock)
    rlock = _factory('RLock', _new_rlock, threading.RLock)
    threading.Lock = _as_type(lock, raw_lock_type, TracedLock) if raw_lock_type else lock
    threading.RLock = rlock
    from . import primitives

    primitives.install()
    _patch_thread()
    _patch_sleep()
    main_thread_record()


# After a fork only the forking thread lives on in the child.
def after_fork_in_child():
    _threads.clear()
    main_thread_record()

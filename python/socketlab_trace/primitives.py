"""threading's Python-level primitives, instrumented in place (isinstance keeps working): Semaphore,
BoundedSemaphore, Event, Condition and Barrier. Only those the program makes are traced."""
import threading

from . import names
from .patching import wrap
from .state import registry

from .threads import _Wait, new_sync, wait_at_barrier

def _sync_of(obj):
    return obj.__dict__.get('_socketlab')


def _attach(primitive, obj):
    """A stdlib primitive made by the program gets a record; one made by the stdlib does not."""
    if not names.made_by_program(obj):
        return None
    return new_sync(primitive, obj)


def _attaching(primitive):
    """An __init__ wrapper: the object, when the program made it, gets its record."""

    def init(original):
        def __init__(self, *args, **kwargs):
            original(self, *args, **kwargs)
            rec = _attach(primitive, self)
            if rec is not None:
                self.__dict__['_socketlab'] = rec

        return __init__

    return init


def _patch_semaphore(cls, primitive):
    def init(original):
        def __init__(self, *args, **kwargs):
            original(self, *args, **kwargs)
            rec = _attach(primitive, self)
            if rec is not None:
                rec.value = self._value
                self.__dict__['_socketlab'] = rec

        return __init__

    def acquire(original):
        def acquire(self, blocking=True, timeout=None):
            r = _sync_of(self)
            if r is None:
                return original(self, blocking, timeout)
            if original(self, False):
                r.acq += 1
                r.value = self._value
                r.v += 1
                return True
            if not blocking:
                return original(self, blocking, timeout)
            w = _Wait(r, 'waiting for semaphore')
            try:
                ok = original(self, True, timeout)
            finally:
                waited = w.done()
            if ok:
                r.acq += 1
                r.waited(waited)
            r.value = self._value
            r.v += 1
            return ok

        return acquire

    def release(original):
        def release(self, n=1):
            original(self, n) if n != 1 else original(self)
            r = _sync_of(self)
            if r is not None:
                r.value = self._value
                r.v += 1

        return release

    def enter(original):
        def __enter__(self, *args, **kwargs):
            return self.acquire(*args, **kwargs)

        return __enter__

    wrap(cls, '__init__', init)
    wrap(cls, 'acquire', acquire)
    wrap(cls, 'release', release)
    if '__enter__' in cls.__dict__:
        wrap(cls, '__enter__', enter)


def _patch_event():
    cls = threading.Event

    def flag(original):
        def change(self, *args):
            result = original(self, *args)
            r = _sync_of(self)
            if r is not None:
                r.value = 1 if self._flag else 0
                r.holder = None
                r.v += 1
            return result

        return change

    def wait(original):
        def wait(self, timeout=None):
            r = _sync_of(self)
            if r is None or self._flag:
                return original(self, timeout)
            w = _Wait(r, 'waiting for event')
            try:
                return original(self, timeout)
            finally:
                w.done()

        return wait

    wrap(cls, '__init__', _attaching('Event'))
    wrap(cls, 'set', flag)
    wrap(cls, 'clear', flag)
    wrap(cls, 'wait', wait)


def _patch_condition():
    cls = threading.Condition

    def wait(original):
        def wait(self, timeout=None):
            r = _sync_of(self)
            if r is None:
                return original(self, timeout)
            w = _Wait(r, 'waiting on condition')
            try:
                return original(self, timeout)
            finally:
                w.done()

        return wait

    def notify(original):
        def notify(self, n=1):
            result = original(self, n)
            r = _sync_of(self)
            if r is not None:
                r.acq += 1
                r.v += 1
            return result

        return notify

    wrap(cls, '__init__', _attaching('Condition'))
    wrap(cls, 'wait', wait)
    wrap(cls, 'notify', notify)


def _patch_barrier():
    cls = threading.Barrier

    def wait(original):
        def wait(self, timeout=None):
            r = _sync_of(self)
            if r is None:
                return original(self, timeout)
            return wait_at_barrier(r, self, original, timeout)

        return wait

    wrap(cls, '__init__', _attaching('Barrier'))
    wrap(cls, 'wait', wait)


def _patch_bounded():
    """BoundedSemaphore is a Semaphore (its __init__ calls Semaphore's) with its own release."""
    cls = threading.BoundedSemaphore

    def init(original):
        def __init__(self, *args, **kwargs):
            original(self, *args, **kwargs)
            rec = _sync_of(self)
            if rec is not None:
                rec.primitive = 'BoundedSemaphore'
                if rec.name.startswith('Semaphore-'):
                    rec.name = registry.name_for('BoundedSemaphore')

        return __init__

    def release(original):
        def release(self, n=1):
            original(self, n) if n != 1 else original(self)
            r = _sync_of(self)
            if r is not None:
                r.value = self._value
                r.v += 1

        return release

    wrap(cls, '__init__', init)
    if 'release' in cls.__dict__:
        wrap(cls, 'release', release)


def install():
    _patch_semaphore(threading.Semaphore, 'Semaphore')
    _patch_bounded()
    _patch_event()
    _patch_condition()
    _patch_barrier()

"""multiprocessing: Process start/join/terminate/exit codes, and Pool with its workers and tasks.

Patched when the program imports multiprocessing (not before: importing it costs start-up time
the program may never need). A child process traces itself: a forked one re-opens its channel in
`after_fork`, a spawned one loads the tracer through sitecustomize.
"""
import sys

from .channel import channel
from .state import MAX_PROCESSES, PoolRec, ProcessRec, WorkerRec, ms, registry
from . import names

_threads = registry.threads


def _current():
    from .threads import current

    return current()


def patch_process(module):
    BaseProcess = module.BaseProcess
    start0 = BaseProcess.start
    join0 = BaseProcess.join
    bootstrap0 = BaseProcess._bootstrap

    def start(self):
        result = start0(self)
        try:
            rec = ProcessRec(registry.new_id('process'), self.name, bool(self.daemon))
            if registry.add(rec, MAX_PROCESSES):
                rec.pid = self.pid
                rec.alive = True
                rec.v += 1
                self.__dict__['_socketlab'] = rec
        except Exception as e:
            channel.error('multiprocessing', e)
        return result

    def join(self, timeout=None):
        t = _current()
        rec = self.__dict__.get('_socketlab')
        if t is not None:
            t.set('joining', rec.id if rec is not None else None, self.name)
        try:
            return join0(self, timeout)
        finally:
            if t is not None:
                t.set('running')
            _ended(self)

    def _bootstrap(self, *args, **kwargs):
        # In the child: say which Process this is; its return value is the child's exit code.
        channel.send({'type': 'process', 'name': self.name, 'pid': __import__('os').getpid()})
        code = bootstrap0(self, *args, **kwargs)
        state.exit_hint = code
        return code

    start.__doc__ = start0.__doc__
    join.__doc__ = join0.__doc__
    BaseProcess.start = start
    BaseProcess.join = join
    BaseProcess._bootstrap = _bootstrap
    for name in ('terminate', 'kill', 'is_alive'):
        original = getattr(BaseProcess, name, None)
        if original is None:
            continue

        def make(original):
            def method(self, *args, **kwargs):
                result = original(self, *args, **kwargs)
                _ended(self)
                return result

            method.__name__ = original.__name__
            method.__doc__ = original.__doc__
            return method

        setattr(BaseProcess, name, make(original))


def _ended(process):
    rec = process.__dict__.get('_socketlab')
    if rec is None or rec.ended is not None:
        return
    popen = getattr(process, '_popen', None)
    code = getattr(popen, 'returncode', None) if popen is not None else None
    if code is not None:
        rec.alive = False
        rec.exitcode = code
        rec.ended = ms()
        rec.v += 1


class _State(object):
    exit_hint = None


state = _State()


def patch_pool(module):
    _patch_worker(module)
    Pool = module.Pool
    init0 = Pool.__init__

    def __init__(self, *args, **kwargs):
        init0(self, *args, **kwargs)
        try:
            name = names.variable_name(self) or registry.name_for('Pool')
            rec = PoolRec(registry.new_id('pool'), name, self._processes)
            if registry.add(rec, MAX_PROCESSES):
                rec.workers = [p.pid for p in self._pool]
                rec.v += 1
                self.__dict__['_socketlab'] = rec
        except Exception as e:
            channel.error('multiprocessing.Pool', e)

    __init__.__doc__ = init0.__doc__
    Pool.__init__ = __init__

    for method, new_state in (('close', 'closed'), ('terminate', 'terminated'), ('join', 'joined')):
        original = getattr(Pool, method)

        def make(original, new_state):
            def m(self, *args, **kwargs):
                t = _current() if new_state == 'joined' else None
                if t is not None:
                    t.set('joining', None, 'pool workers')
                try:
                    return original(self, *args, **kwargs)
                finally:
                    if t is not None:
                        t.set('running')
                    rec = self.__dict__.get('_socketlab')
                    if rec is not None:
                        rec.state = new_state
                        rec.busy = 0 if new_state != 'closed' else rec.busy
                        rec.v += 1

            m.__name__ = original.__name__
            m.__doc__ = original.__doc__
            return m

        setattr(Pool, method, make(original, new_state))

    # Tasks: counted when a result object is made for them, done or failed when it is set.
    ApplyResult = module.ApplyResult
    apply_init0 = ApplyResult.__init__

    MapResult = module.MapResult
    map_init0 = MapResult.__init__

    def apply_init(self, pool, *args, **kwargs):
        apply_init0(self, pool, *args, **kwargs)
        rec = getattr(pool, '__dict__', {}).get('_socketlab')
        if rec is not None:
            self.__dict__['_socketlab'] = rec
            if not isinstance(self, MapResult):
                _pending(rec, 1)

    def map_init(self, pool, *args, **kwargs):
        map_init0(self, pool, *args, **kwargs)
        rec = self.__dict__.get('_socketlab')
        if rec is not None:
            _pending(rec, self._number_left)

    ApplyResult.__init__ = apply_init
    MapResult.__init__ = map_init

    for cls in (module.ApplyResult, module.MapResult):
        set0 = cls.__dict__.get('_set')
        if set0 is None:
            continue

        def make_set(set0):
            def _set(self, i, obj):
                rec = self.__dict__.get('_socketlab')
                set0(self, i, obj)
                if rec is not None:
                    ok = bool(obj[0]) if isinstance(obj, tuple) and obj else True
                    if ok:
                        rec.done += 1
                    else:
                        rec.failed += 1
                    _pending(rec, -1)

            return _set

        cls._set = make_set(set0)


def _describe_task(func, args):
    """`square(7)`, or `square × 3` for a chunk of map()."""
    name = getattr(func, '__name__', None) or type(func).__name__
    if name in ('mapstar', 'starmapstar') and args and isinstance(args[0], tuple) and len(args[0]) == 2:
        inner, chunk = args[0]
        try:
            n = len(chunk)
        except TypeError:
            n = '?'
        return '%s × %s' % (getattr(inner, '__name__', '?'), n)
    text = '%s%s' % (name, _short(args))
    return text if len(text) <= 60 else text[:59] + '…'


def _short(args):
    try:
        r = repr(tuple(args))
    except Exception:
        return '(…)'
    if r.endswith(',)'):
        r = r[:-2] + ')'
    return r


class _Tasks(object):
    """The worker's task queue: each task it takes makes it busy with that task."""

    def __init__(self, queue, rec):
        self._queue = queue
        self._rec = rec

    def get(self):
        task = self._queue.get()
        rec = self._rec
        if isinstance(task, tuple) and len(task) == 5:
            rec.state = 'busy'
            rec.task = _describe_task(task[2], task[3])
            rec.since = ms()
            rec.v += 1
        return task

    def __getattr__(self, name):
        return getattr(self._queue, name)


class _Results(object):
    """The worker's result queue: a result put is a task done."""

    def __init__(self, queue, rec):
        self._queue = queue
        self._rec = rec

    def put(self, item):
        self._queue.put(item)
        rec = self._rec
        rec.done += 1
        rec.state = 'idle'
        rec.task = None
        rec.since = ms()
        rec.v += 1

    def __getattr__(self, name):
        return getattr(self._queue, name)


def _patch_worker(module):
    worker0 = module.worker

    def worker(inqueue, outqueue, *args, **kwargs):
        import os

        rec = WorkerRec(registry.new_id('worker'), os.getpid())
        if not registry.add(rec, MAX_PROCESSES):
            return worker0(inqueue, outqueue, *args, **kwargs)
        return worker0(_Tasks(inqueue, rec), _Results(outqueue, rec), *args, **kwargs)

    # Pickled by reference for spawned workers: it must be found where the original was.
    worker.__module__ = worker0.__module__
    worker.__qualname__ = worker0.__qualname__
    worker.__name__ = worker0.__name__
    worker.__doc__ = worker0.__doc__
    module.worker = worker


def _pending(rec, delta):
    pending = max(0, rec.queued + rec.busy + delta)
    rec.busy = min(rec.size, pending)
    rec.queued = pending - rec.busy
    rec.v += 1

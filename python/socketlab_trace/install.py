"""Loads the tracer into this process, once: patches, channel, flusher, exit and fork hooks."""
import atexit
import os
import sys

from .channel import channel, hello
from .state import registry

ENV_CHANNEL = 'SOCKET_LAB_CHANNEL'
ENV_TOKEN = 'SOCKET_LAB_TOKEN'

_installed = False
_file = None


class _PostImport(object):
    """Patches a module right after the program imports it (multiprocessing costs start-up time
    the program may never need, so it is not imported for it)."""

    def __init__(self, hooks):
        self.hooks = hooks
        self.busy = set()

    def find_spec(self, name, path=None, target=None):
        if name not in self.hooks or name in self.busy:
            return None
        import importlib.util

        self.busy.add(name)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self.busy.discard(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, 'exec_module'):
            return None
        spec.loader = _Loader(spec.loader, self.hooks[name])
        return spec

    # Python < 3.4 protocol, asked by nothing we support; present so old finders code paths skip us.
    def find_module(self, name, path=None):
        return None


class _Loader(object):
    def __init__(self, loader, hook):
        self.loader = loader
        self.hook = hook

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _run_hook(self.hook, module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


def _run_hook(hook, module):
    try:
        hook(module)
    except Exception as e:
        channel.error(getattr(module, '__name__', '?'), e)


def _hooks():
    from . import hide, procs, shared, sockets

    return dict(shared.HOOKS, **{
        'multiprocessing.process': procs.patch_process,
        'multiprocessing.pool': procs.patch_pool,
        'traceback': hide.patch_traceback,
        'selectors': lambda m: sockets._patch_selectors(),
        'socketserver': lambda m: sockets._patch_socketserver(),
    })


def install(file=None):
    """True when this process is traced (the channel answered); the program runs either way."""
    global _installed, _file
    if _installed:
        if file is not None and _file is None:
            _file = file
            channel.send({'type': 'program', 'file': file, 'argv': list(sys.argv)})
        return not channel.closed
    path = os.environ.get(ENV_CHANNEL)
    token = os.environ.get(ENV_TOKEN, '')
    if not path:
        return False
    _installed = True
    _file = file
    if not channel.open(path, token, hello(file)):
        return False
    from . import sockets, threads

    for part, patch in (('threading', threads.install), ('socket', sockets.install_core)):
        try:
            patch()
        except Exception as e:
            channel.error(part, e)
    hooks = _hooks()
    for name, hook in list(hooks.items()):
        if name in sys.modules:
            _run_hook(hook, sys.modules[name])
            del hooks[name]
    sys.meta_path.insert(0, _PostImport(hooks))
    atexit.register(_at_exit)
    _patch_exit()
    if hasattr(os, 'register_at_fork'):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    channel.flush()
    channel.run_flusher()
    channel.run_reader()
    return True


def _at_exit():
    from .procs import state

    code = state.exit_hint
    for t in list(registry.threads.values()):
        t.alive = False
        t.set('done')
    channel.exit(code)


def _patch_exit():
    original = os._exit

    def _exit(code):
        try:
            channel.exit(code)
        except Exception:
            pass
        original(code)

    _exit.__doc__ = original.__doc__
    os._exit = _exit


def _on_sigterm(signum, frame):
    import signal

    try:
        channel.exit(-signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def flush_on_sigterm():
    """Stop ends the program with SIGTERM before its next flush: ship the last batch, then die of
    SIGTERM as before. In the program's own process only (the runner's), and only where SIGTERM
    still has its default action; a handler the program sets later replaces this one.

    Not in its children: a Python-level handler runs only when the main thread next runs
    bytecode, and a Pool worker asleep in its queue's lock when Pool.terminate() signalled it
    sometimes never did — the pool then waited for it forever. There SIGTERM keeps the kernel's
    default, as without the tracer; the parent reports how the child ended."""
    import signal

    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError, AttributeError):  # not the main thread, or no SIGTERM here
        pass


def _default_sigterm_in_child():
    """A forked child inherits the parent's handler table: ours goes back to the default."""
    import signal

    try:
        if signal.getsignal(signal.SIGTERM) is _on_sigterm:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except (ValueError, OSError, AttributeError):
        pass


def _after_fork_in_child():
    from . import threads

    channel.after_fork()
    registry.reset()
    threads.after_fork_in_child()
    if channel.open(os.environ.get(ENV_CHANNEL, ''), os.environ.get(ENV_TOKEN, ''), hello(_file)):
        channel.run_flusher()
        channel.run_reader()
    _default_sigterm_in_child()

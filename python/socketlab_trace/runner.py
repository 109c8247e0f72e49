"""Runs the program as `python3 FILE ARGS` would: its own `__main__`, argv, sys.path[0], output,
exit code and tracebacks (ours hidden)."""
import builtins
import os
import signal
import sys

from . import hide
from .install import flush_on_sigterm, install
from .procs import state

USAGE = 'usage: python -m socketlab_trace FILE [ARGS...]'


def main(argv):
    if not argv or argv[0] in ('-h', '--help'):
        sys.stderr.write(USAGE + '\n')
        return 2
    file = argv[0]
    sys.argv[:] = argv
    sys.path[0] = os.path.dirname(os.path.abspath(file))
    install(os.path.abspath(file))
    flush_on_sigterm()
    main_module = sys.modules['__main__']
    if not os.path.exists(file):
        # What python3 says, word for word.
        prog = (getattr(sys, 'orig_argv', None) or [sys.executable])[0]
        sys.stderr.write("%s: can't open file %r: [Errno 2] No such file or directory\n" % (prog, os.path.abspath(file) if sys.version_info >= (3, 9) else file))
        state.exit_hint = 2
        return 2
    try:
        if os.path.isdir(file):
            # A directory or zip with __main__.py, or a missing file: runpy says what python3 says.
            import runpy

            runpy.run_path(file, run_name='__main__')
        else:
            # 3.9+: the script's __file__ and code are named by its absolute path.
            name = os.path.abspath(file) if sys.version_info >= (3, 9) else file
            with open(file, 'rb') as f:
                source = f.read()
            code = compile(source, name, 'exec', dont_inherit=True)
            g = main_module.__dict__
            g.clear()
            g.update({'__name__': '__main__', '__file__': name, '__builtins__': builtins, '__doc__': None, '__package__': None, '__spec__': None, '__loader__': None, '__cached__': None})
            exec(code, g)
    except SystemExit as e:
        state.exit_hint = _exit_code(e.code)
        raise
    except KeyboardInterrupt as e:
        _report(e)
        # As CPython: the uncaught Ctrl+C ends the process by SIGINT, after the threads and atexit.
        state.exit_hint = -signal.SIGINT
        import atexit

        atexit.register(_die_by_sigint)
        return 0
    except BaseException as e:
        _report(e)
        state.exit_hint = 1
        return 1
    state.exit_hint = 0
    return 0


def _report(e):
    hide.strip_exception(e)
    sys.excepthook(type(e), e, e.__traceback__)


def _exit_code(code):
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _die_by_sigint():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)

"""Tracebacks as the program would have printed them without us: no tracer frames, no runpy."""
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def _ours(tb):
    name = tb.tb_frame.f_code.co_filename
    return name.startswith(_HERE) or name.startswith('<frozen runpy>') or name.endswith(os.sep + 'runpy.py')


def strip(tb):
    """The same traceback without our frames (tb_next is writable since 3.7)."""
    while tb is not None and _ours(tb):
        tb = tb.tb_next
    head = tb
    while tb is not None:
        nxt = tb.tb_next
        while nxt is not None and _ours(nxt):
            nxt = nxt.tb_next
        tb.tb_next = nxt
        tb = nxt
    return head


def strip_exception(exc, seen=None):
    seen = seen if seen is not None else set()
    if exc is None or id(exc) in seen:
        return
    seen.add(id(exc))
    exc.__traceback__ = strip(exc.__traceback__)
    strip_exception(exc.__cause__, seen)
    strip_exception(exc.__context__, seen)


def patch_traceback(module):
    """traceback.print_exc() and friends, in the program's own except blocks."""
    walk0 = module.walk_tb

    def walk_tb(tb):
        for frame, lineno in walk0(tb):
            if not frame.f_code.co_filename.startswith(_HERE):
                yield frame, lineno

    walk_tb.__doc__ = walk0.__doc__
    module.walk_tb = walk_tb
    full0 = getattr(module, '_walk_tb_with_full_positions', None)
    if full0 is not None:  # what TracebackException walks since 3.11

        def _walk_tb_with_full_positions(tb, *args):
            for frame, positions in full0(tb, *args):
                if not frame.f_code.co_filename.startswith(_HERE):
                    yield frame, positions

        module._walk_tb_with_full_positions = _walk_tb_with_full_positions

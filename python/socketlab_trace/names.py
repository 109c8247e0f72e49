"""Where an object was made, and what the program called it.

Objects the standard library makes for itself (the Condition inside an Event, a Queue's locks)
are not the program's: they stay untraced. The program's are named after the variable they are
assigned to (`counter_lock = threading.Lock()` is `counter_lock`), else `Lock-3`.
"""
import linecache
import os
import re
import sys
import sysconfig

_HERE = os.path.dirname(os.path.abspath(__file__))
_STDLIB = tuple(
    os.path.normcase(os.path.realpath(p)) + os.sep
    for p in {sysconfig.get_paths().get('stdlib'), sysconfig.get_paths().get('platstdlib')}
    if p
)
_ASSIGN = re.compile(r'^\s*(?:[\w.\[\]\'"]+\s*,\s*)*([\w.]+)\s*(?::[^=]+)?=[^=]')
_WITH_AS = re.compile(r'\bas\s+(\w+)\s*[:,)]')
_ours = {}


def is_program_file(filename):
    known = _ours.get(filename)
    if known is None:
        if filename.startswith('<'):
            known = not filename.startswith('<frozen')
        else:
            real = os.path.normcase(os.path.realpath(filename))
            known = not real.startswith(_STDLIB) and not real.startswith(_HERE + os.sep) and 'site-packages' not in real and 'dist-packages' not in real
        _ours[filename] = known
    return known


def program_frame(obj=None):
    """The frame that asked for the object: the first one outside the tracer and outside the
    constructors of `obj` itself (a subclass's `__init__` calling its base's)."""
    f = sys._getframe(1)
    while f is not None:
        code = f.f_code
        if not code.co_filename.startswith(_HERE) and not (obj is not None and code.co_name == '__init__' and f.f_locals.get('self') is obj):
            return f
        f = f.f_back
    return None


def made_by_program(obj=None):
    f = program_frame(obj)
    return f is not None and is_program_file(f.f_code.co_filename)


def variable_name(obj=None):
    """`counter_lock` for `counter_lock = threading.Lock()`; `lock` for `self.lock = ...`;
    `workers` for `with Pool(3) as workers:`. Asked of the program's frame (a factory such as
    multiprocessing's context.Pool sits in between)."""
    f = program_frame(obj)
    hops = 0
    while f is not None and not is_program_file(f.f_code.co_filename) and hops < 4:
        f = f.f_back
        hops += 1
    if f is None:
        return None
    line = linecache.getline(f.f_code.co_filename, f.f_lineno)
    col = _column(f)
    if col is not None and ';' in line[:col]:
        # `a = Lock(); b = Lock()`: the statement this call is in.
        line = line[line.rindex(';', 0, col) + 1 :]
    m = _ASSIGN.match(line) or _WITH_AS.search(line)
    if not m:
        return None
    return m.group(1).split('.')[-1] or None


def _column(f):
    """The column of the call being made in `f` (3.11+; None before)."""
    positions = getattr(f.f_code, 'co_positions', None)
    if positions is None:
        return None
    try:
        for i, pos in enumerate(positions()):
            if i == f.f_lasti // 2:
                return pos[2]
    except Exception:
        return None
    return None

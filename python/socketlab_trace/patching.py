"""Replacing a class's method with a wrapper that looks like it (name, doc, __wrapped__)."""


def wrap(cls, name, make):
    """`make(original)` returns the wrapper; the original stays reachable as `__wrapped__`."""
    original = getattr(cls, name)
    wrapper = make(original)
    wrapper.__name__ = original.__name__
    wrapper.__qualname__ = getattr(original, '__qualname__', name)
    wrapper.__doc__ = original.__doc__
    wrapper.__wrapped__ = original
    setattr(cls, name, wrapper)


def public(fn, module, name, original=None):
    """A replacement for a module-level callable, under the original's name: pickle finds
    `threading.Lock` (a Manager registers it and is pickled to a spawned child) and gets it."""
    fn.__module__ = module
    fn.__name__ = name
    fn.__qualname__ = name
    if original is not None:
        fn.__doc__ = original.__doc__
    return fn

"""Socket Lab's tracer: shows a running Python program's threads, locks, sockets and processes.

Loaded before the user's code (``python -m socketlab_trace FILE`` and, for child processes, the
``sitecustomize`` beside this package); reports to the extension over the channel named in
``SOCKET_LAB_CHANNEL``. Standard library only, CPython 3.8 and later.
"""

VERSION = 1

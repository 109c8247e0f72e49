"""Runs a command in a pseudo-terminal, as a VS Code terminal does, and plays a script at it.

    pty_session.py SCRIPT_JSON CMD [ARGS...]

SCRIPT_JSON is a list of steps: ["expect", REGEX] waits (up to 15 s) until the screen text
after the previous match matches; ["send", TEXT] types TEXT. After the script, waits for the
command to exit. Prints the transcript (escape sequences removed) and exits with the command's
exit code, or 3 if an expect timed out (the transcript's last line says which)."""
import json
import os
import pty
import re
import select
import sys
import time

CSI = re.compile(rb'\x1b\[[0-9;?]*[A-Za-z]')

script = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])

raw = b''
closed = False


def pump(deadline):
    """Reads what the command printed until the deadline; False once it closed the terminal."""
    global raw, closed
    while not closed:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b''
        if not chunk:
            closed = True
            return
        raw += chunk
        return


def text():
    return CSI.sub(b'', raw).decode('utf-8', 'replace')


def finish(code, why=None):
    sys.stdout.write(text())
    if why:
        sys.stdout.write('\n[pty_session] ' + why + '\n')
    sys.stdout.flush()
    sys.exit(code)


position = 0
for kind, arg in script:
    if kind == 'send':
        os.write(fd, arg.encode('utf-8'))
        continue
    pattern = re.compile(arg)
    deadline = time.monotonic() + 15
    while True:
        m = pattern.search(text(), position)
        if m:
            position = m.end()
            break
        if closed or time.monotonic() >= deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            finish(3, 'timed out waiting for %r' % arg)
        pump(deadline)

deadline = time.monotonic() + 15
while not closed and time.monotonic() < deadline:
    pump(deadline)
if not closed:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    finish(3, 'the command did not exit')
_, status = os.waitpid(pid, 0)
finish(os.waitstatus_to_exitcode(status))

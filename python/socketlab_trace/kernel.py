"""A TCP connection's counters as the kernel keeps them (Linux 4.19+): bytes in and out, and
whether the peer closed its side, without a Python frame on the program's recv and sendall.

A busy connection's hot path is then the C socket methods themselves (see sockets._Fast); the
flusher asks the kernel at the counters' pace. Where TCP_INFO is missing (macOS) nothing here is
used and every call goes through the traced methods.
"""
import struct
import sys
import _socket

_TCP_INFO = getattr(_socket, 'TCP_INFO', None)
AVAILABLE = sys.platform.startswith('linux') and _TCP_INFO is not None
_CLOSE_WAIT = 8
# States after the peer's FIN, which the kernel counts as one byte received (CLOSE follows
# LAST_ACK, or a reset: the FIN is remembered from the state before).
_FIN_IN = (6, 8, 9, 11)  # TIME_WAIT, CLOSE_WAIT, LAST_ACK, CLOSING
_INFO_LEN = 208  # up to tcpi_bytes_sent (Linux 4.19)


def sample(sock):
    """(bytes received, bytes sent, data segments in, out, TCP state) or None: one snapshot.

    Received counts what arrived (read or not yet), sent what went out (a retransmission twice);
    on a connection at rest both are what the program read and wrote."""
    try:
        info = _socket.socket.getsockopt(sock, _socket.IPPROTO_TCP, _TCP_INFO, 232)
        if len(info) < _INFO_LEN:
            return None
        received = struct.unpack_from('Q', info, 128)[0]
        segs_in, segs_out = struct.unpack_from('II', info, 152)
        sent = struct.unpack_from('Q', info, 200)[0]
        return (received, sent, segs_in, segs_out, info[0])
    except (OSError, ValueError, struct.error):
        return None


def refresh(r, sock):
    """The record's counters from the kernel, against the baseline taken when it went fast."""
    k = sample(sock)
    if k is None:
        return False
    b = r.kernel
    if k[4] in _FIN_IN:
        b[4] = 1
    r.bytes_in = k[0] - b[4]
    r.bytes_out = k[1]
    # Messages: the calls counted so far, then data segments (one per message, as a rule).
    r.recvs = b[0] + k[2] - b[2]
    r.sends = b[1] + k[3] - b[3]
    if k[4] == _CLOSE_WAIT and r.state == 'open':
        r.state = 'half-closed'
        r.v += 1
    return True


def baseline(r, sock):
    """Taken once, when the connection first goes fast: the calls counted so far, the kernel's segments."""
    k = sample(sock)
    if k is None:
        return False
    r.kernel = [r.recvs, r.sends, k[2], k[3], 1 if k[4] in _FIN_IN else 0]
    return True

"""The parent of every TeX run: limits, then the command, and nothing left behind.

Run as ``python -I -S supervise.py CPU_SECONDS FILE_BYTES COMMAND...`` at the head of a new
process group (derive starts it with ``start_new_session``).  It sets the resource limits
(CPU seconds per process, the size of any file written), which every child inherits, and
starts the command.  If derive dies, even by SIGKILL, the kernel sends this process SIGTERM
(PR_SET_PDEATHSIG, Linux), and it kills its whole process group: latexmk, ``sh -c`` and
pdflatex alike.  Standard library only, so it starts in a few milliseconds.
"""

from __future__ import annotations

import os
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int) -> None:
    """Ask the kernel to send sig to this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):   # no libc symbol: harmless, the CPU limit remains
        pass


def _kill_group(*_: object) -> None:
    os.killpg(0, signal.SIGKILL)        # this process too


def main(argv: list[str]) -> int:
    cpu, fsize, command = int(argv[0]), int(argv[1]), argv[2:]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    parent = os.getppid()
    signal.signal(signal.SIGTERM, _kill_group)
    signal.signal(signal.SIGINT, _kill_group)
    die_with_parent(signal.SIGTERM)
    if os.getppid() != parent:          # derive died before the request took effect
        _kill_group()
    child = os.fork()
    if child == 0:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(sig, signal.SIG_DFL)   # Python ignores SIGXFSZ: TeX must not
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            return 1
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code      # killed by signal n: 128 + n, as sh says


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

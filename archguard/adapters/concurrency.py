"""Two pieces of work at once, on two cores: one in a forked process.

Reading a large project cold is two long, independent reads: the import table (grimp's
scanner) and the string references (``ast``). Python threads cannot overlap them: both hold
the interpreter lock for most of their time. A forked process can, and it starts in
milliseconds because it shares the parent's memory until it writes.

The fork is used only where it is safe: on Linux, in a process running no other Python
thread. Anywhere else, and whenever the forked process fails, the work is done here, one
piece after the other; the result is the same either way.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

Background = TypeVar("Background")
Foreground = TypeVar("Foreground")


def can_fork() -> bool:
    return sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1


def side_by_side(background: Callable[[], Background],
                 foreground: Callable[[], Foreground]) -> tuple[Background, Foreground]:
    """``background()`` in a forked process while ``foreground()`` runs here; both results.

    ``background``'s result travels back pickled. An exception in ``foreground`` stops the
    forked process and propagates; one in ``background`` (or a forked process that dies)
    makes ``background`` run again here, so that its error, if any, is raised as usual.
    """
    if not can_fork():
        return background(), foreground()
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the forked process: compute, send, and leave without any clean-up
        os.close(readable)
        code = 1
        try:
            payload = pickle.dumps(background(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writable, "wb") as pipe:
                pipe.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(writable)
    try:
        here = foreground()
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.close(readable)
        os.waitpid(pid, 0)
        raise
    with os.fdopen(readable, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        try:
            return pickle.loads(payload), here
        except Exception:
            pass
    return background(), here

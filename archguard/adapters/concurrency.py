"""Two pieces of work at once, on two cores: one in a forked process.

Reading a large project cold is long, independent pieces of work: the string references
(``ast``) on one side; the import table (grimp's scanner), then the import statements and
their uses, on the other. Python threads cannot overlap them: both hold the interpreter lock
for most of their time. A forked process can, and it starts in milliseconds because it
shares the parent's memory until it writes.

The fork is used only where it is safe: on Linux, in a process running no other Python
thread. Anywhere else, and whenever the forked process fails, the work is done here, one
piece after the other; the result is the same either way.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

Background = TypeVar("Background")
Foreground = TypeVar("Foreground")
Result = TypeVar("Result")


def can_fork() -> bool:
    return sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1


class InBackground(Generic[Result]):
    """``work()`` computed in a forked process while the caller goes on; :meth:`result`
    waits for it. Where forking is not safe, or not wanted (``fork`` False: a piece of
    work too small for a process of its own), the work is done when the result is first
    asked for.

    The result travels back pickled. A forked process that fails or dies makes ``work``
    run again here when its result is asked for, so that its error, if any, is raised as
    usual. One whose result is never asked for is killed once the handle is collected, or
    at exit: it never outlives the run.
    """

    def __init__(self, work: Callable[[], Result], *, fork: bool = True) -> None:
        self._work = work
        self._done = False
        self._value: Result | None = None
        self._pid = 0
        self._readable = -1
        self._reaper: weakref.finalize | None = None
        if fork and can_fork():
            self._start()

    def _start(self) -> None:
        readable, writable = os.pipe()
        # What exists now is left out of the cycle collector's walks in the forked process,
        # whose pages then stay shared with this one's instead of being copied by the walks.
        gc.freeze()
        pid = os.fork()
        if pid != 0:
            gc.unfreeze()
        if pid == 0:  # the forked process: compute, send, and leave without any clean-up
            os.close(readable)
            code = 1
            try:
                payload = pickle.dumps(self._work(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(writable, "wb") as pipe:
                    pipe.write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(writable)
        self._pid, self._readable = pid, readable
        self._reaper = weakref.finalize(self, _stop, pid, readable)

    def result(self) -> Result:
        if not self._done:
            self._value = self._collect() if self._pid else self._work()
            self._done = True
        return self._value  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop the forked process, if any; its result is not wanted."""
        if self._reaper is not None:
            self._reaper()

    def _collect(self) -> Result:
        assert self._reaper is not None
        self._reaper.detach()
        with os.fdopen(self._readable, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            try:
                return pickle.loads(payload)
            except Exception:
                pass
        return self._work()


def _stop(pid: int, readable: int) -> None:
    """Kill a forked process whose result is not wanted, and reap it."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.close(readable)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def side_by_side(background: Callable[[], Background],
                 foreground: Callable[[], Foreground]) -> tuple[Background, Foreground]:
    """``background()`` in a forked process while ``foreground()`` runs here; both results.

    An exception in ``foreground`` stops the forked process and propagates; one in
    ``background`` (or a forked process that dies) makes ``background`` run again here
    (see :class:`InBackground`).
    """
    pending = InBackground(background)
    try:
        here = foreground()
    except BaseException:
        pending.cancel()
        raise
    return pending.result(), here

"""The launcher of ``simulate --run``'s commands: a program of its own, run as
``python -I -S launcher.py OPTIONS -- COMMAND...`` (no site packages, nothing of the copy on
``sys.path``), which imports only the standard library.

It starts a relay process in a process group of its own, which starts the command. A
command that kills its parent (``kill -9 $PPID``) kills the relay, not the launcher, which
every orphan of the command is re-parented to (as pid 1 of a pid namespace, or as a child
subreaper on Linux) and which then waits for the command itself. When the command ends or
its time is up, the launcher kills every process left under it, those in sessions of their
own included, reaps them, and writes the outcome to its status file. Told to stop
(SIGTERM, or the death of the archguard thread that started it), it does the same at once.

With ``--read-only``, run inside the user and mount namespace ``unshare`` made, it first
binds that folder read-only (and the ``--writable`` one writable, should it lie inside),
then moves into a nested user and mount namespace, in which those mounts are locked: the
command can neither unmount them nor make them writable again.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import signal
import sys
import time

#: How often, at most, the launcher looks whether the command has ended.
_POLL_SECONDS = 0.02
#: How long the launcher keeps killing and reaping what is left before it gives up.
_END_SECONDS = 5.0

# Linux prctl(2) options, unshare(2) and mount(2) flags.
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_MS_RDONLY = 0x1
_MS_REMOUNT = 0x20
_MS_NOATIME = 0x400
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_PRIVATE = 0x40000
_MS_RELATIME = 0x200000
_MS_STRICTATIME = 0x1000000
#: The mount flags a remount in a user namespace must keep as they are (they are locked),
#: as statvfs(3) reports them and as mount(2) takes them.
_KEPT_FLAGS = ((os.ST_NOSUID, 0x2), (os.ST_NODEV, 0x4), (os.ST_NOEXEC, 0x8),
               (os.ST_NOATIME, _MS_NOATIME), (os.ST_NODIRATIME, 0x800),
               (os.ST_RELATIME, _MS_RELATIME)) if sys.platform == "linux" else ()


class _Stop:
    """Whether the launcher was told to stop: SIGTERM, SIGHUP, SIGINT, or its parent's
    death (which the kernel signals as SIGTERM)."""

    asked = False

    @classmethod
    def ask(cls, signum: int, frame: object) -> None:
        cls.asked = True


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def _watch_over_descendants() -> None:
    """Orphans of the command are re-parented to the launcher, which the kernel also
    tells (SIGTERM) when the archguard thread that started it ends."""
    if sys.platform != "linux":
        return
    libc = _libc()
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def _mount(libc: ctypes.CDLL, source: str | None, target: str, flags: int) -> None:
    _check(libc.mount(source.encode() if source else None, target.encode(), None,
                      ctypes.c_ulong(flags), None), f"mount {target}")


def _read_only(original: str, writable: str) -> None:
    """In the mount namespace ``unshare`` made: bind ``original`` read-only (and
    ``writable`` writable, should it lie inside), then move into a nested user and mount
    namespace, where these mounts are locked as they are."""
    libc = _libc()
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                           ctypes.c_void_p]
    _mount(libc, None, "/", _MS_REC | _MS_PRIVATE)
    inside = os.path.commonpath([original, writable]) == original
    if inside:
        _mount(libc, writable, writable, _MS_BIND)
    _mount(libc, original, original, _MS_BIND | _MS_REC)
    kept = os.statvfs(original).f_flag
    flags = sum(flag for statvfs_flag, flag in _KEPT_FLAGS if kept & statvfs_flag)
    if not flags & (_MS_NOATIME | _MS_RELATIME):
        flags |= _MS_STRICTATIME  # else the remount would ask for relatime, the default
    _mount(libc, None, original, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | flags)
    uid, gid = os.getuid(), os.getgid()
    _check(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS), "unshare")
    with contextlib.suppress(OSError):  # already denied by the outer namespace
        _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def _start(argv: list[str]) -> tuple[int, int | None, str | None]:
    """Start the relay and, from it, the command: the relay's pid, the command's, and why
    the command could not start."""
    reading, writing = os.pipe()  # closed on exec: end of file once the command runs
    relay = os.fork()
    if relay == 0:
        _relay(argv, writing)
    os.close(writing)
    received = b""
    while chunk := os.read(reading, 4096):
        received += chunk
    os.close(reading)
    command, error = None, None
    for line in received.decode().splitlines():
        word, _, value = line.partition(" ")
        if word == "pid":
            command = int(value)
        elif word == "errno":
            error = _exec_error(argv[0], int(value))
    return relay, command, error


def _exec_error(program: str, number: int) -> str:
    if number == errno.ENOENT:
        return f"command not found: {program}"
    if number == errno.EACCES:
        return f"cannot run {program}: permission denied"
    return f"cannot run {program}: {os.strerror(number)}"


def _relay(argv: list[str], report: int) -> None:
    """The relay: in a process group of its own, start the command, tell the launcher its
    pid, wait for it and end as it ended. Never returns."""
    try:
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE,
                       signal.SIGXFSZ):
            signal.signal(number, signal.SIG_DFL)
        os.setpgid(0, 0)
        command = os.fork()
        if command == 0:
            try:
                os.execvp(argv[0], argv)
            except OSError as exc:
                os.write(report, f"errno {exc.errno or errno.ENOENT}\n".encode())
            os._exit(127)
        os.write(report, f"pid {command}\n".encode())
        os.close(report)
        _, status = os.waitpid(command, 0)
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            os.kill(os.getpid(), -code)
        os._exit(code & 0xFF)
    finally:
        os._exit(127)


def _wait(relay: int, command: int | None, deadline: float) -> int | None:
    """The command's exit code, or None when its time ran out or the launcher was told to
    stop. Should the relay be killed, the command, re-parented here, is waited for."""
    waited, pause = relay, _POLL_SECONDS / 20
    while True:
        pid, status = os.waitpid(waited, os.WNOHANG)
        if pid:
            if waited == relay and os.WIFSIGNALED(status) and command is not None:
                try:
                    pid, adopted = os.waitpid(command, os.WNOHANG)
                except ChildProcessError:  # the relay had reaped it: it ended as the command
                    return os.waitstatus_to_exitcode(status)
                if pid == 0:
                    waited = command
                    continue
                status = adopted
            return os.waitstatus_to_exitcode(status)
        if _Stop.asked or time.monotonic() >= deadline:
            return None
        time.sleep(pause)  # short at first: most commands are quick
        pause = min(pause * 2, _POLL_SECONDS)


def _descendants() -> list[int]:
    """Every process below the launcher, from /proc (none where there is no /proc)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, frontier = [], [os.getpid()]
    while frontier:
        below = [child for pid in frontier for child in children.get(pid, ())]
        found += below
        frontier = below
    return found


def _end_all(relay: int) -> None:
    """Kill every process left under the launcher and reap them: as pid 1 of a pid
    namespace, everything in it; otherwise the relay's process group and every
    descendant, whatever session it moved to."""
    give_up = time.monotonic() + _END_SECONDS
    while True:
        if os.getpid() == 1:
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(relay, signal.SIGKILL)
            for pid in _descendants():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                continue
        except ChildProcessError:
            return  # no child left, and so no descendant
        if time.monotonic() >= give_up:
            return
        time.sleep(_POLL_SECONDS / 4)


def _options(arguments: list[str]) -> tuple[dict[str, str], list[str]]:
    """``--name value`` pairs up to ``--``, and the command after it."""
    split = arguments.index("--") if "--" in arguments else len(arguments)
    flags = arguments[:split]
    if len(flags) % 2 or not all(flag.startswith("--") for flag in flags[::2]):
        raise SystemExit(f"archguard launcher: cannot read its options: {flags}")
    options = {flag[2:]: value for flag, value in zip(flags[::2], flags[1::2], strict=True)}
    missing = {"cwd", "timeout", "status"} - options.keys()
    if missing:
        raise SystemExit(f"archguard launcher: missing --{', --'.join(sorted(missing))}")
    return options, arguments[split + 1:]


def launch(arguments: list[str]) -> int:
    """``--cwd DIR --timeout SECONDS --status FILE [--read-only DIR --writable DIR] --
    COMMAND...``: run COMMAND in DIR, DIR read-only where asked, and write its outcome to
    FILE as JSON (``exit_code``, ``timed_out``, ``error``)."""
    options, argv = _options(arguments)
    deadline = time.monotonic() + float(options["timeout"])
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, _Stop.ask)
    _watch_over_descendants()
    exit_code, error = None, None
    try:
        if "read-only" in options:
            _read_only(options["read-only"], options.get("writable", options["cwd"]))
        os.chdir(options["cwd"])  # after the mounts: the working folder is seen through them
    except OSError as exc:
        error = f"isolation failed: {exc}"
    if error is None and not argv:
        error = "no command given"
    if error is None:
        try:
            relay, command, error = _start(argv)
        except OSError as exc:
            error = f"cannot start {argv[0]}: {exc}"
        else:
            exit_code = _wait(relay, command, deadline)
            _end_all(relay)
            if error is not None:
                exit_code = None
    timed_out = error is None and exit_code is None and not _Stop.asked
    if error is None and exit_code is None and _Stop.asked:
        error = "stopped"
    report = {"exit_code": exit_code, "timed_out": timed_out, "error": error}
    with open(options["status"], "w", encoding="utf-8") as status:
        json.dump(report, status)
    return 0


if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:]))

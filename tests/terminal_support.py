"""Reading what a program shows on a pseudo-terminal, for the tests that run one."""

from __future__ import annotations

import os
import select
import subprocess


def shown_on(master: int, running: subprocess.Popen) -> bytes:
    """Everything written to the terminal whose master side is ``master`` until
    ``running`` ends; the master is closed."""
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal is closed once the run ends
                break
            if not chunk:
                break
            shown += chunk
        elif running.poll() is not None:
            break
    os.close(master)
    return shown

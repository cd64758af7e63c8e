"""Turning archguard's errors into a message on stderr and exit code 2, in one place."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from archguard.cli import exit_codes
from archguard.errors import ArchguardError
from archguard.reporting.escape import printable_lines

P = ParamSpec("P")
R = TypeVar("R")


DEBUG_VARIABLE = "ARCHGUARD_DEBUG"


def enable_debug(value: bool) -> None:
    """``--debug`` callback: the same switch as ``ARCHGUARD_DEBUG=1``."""
    if value:
        os.environ[DEBUG_VARIABLE] = "1"


def _debugging() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def _reader_gone() -> None:
    """Stop, silently, when standard output's reader has gone: what is left unwritten goes
    nowhere, and the interpreter's last flush finds nothing to fail on."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(exit_codes.READER_GONE) from None


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so an :class:`ArchguardError` prints ``archguard: error: …`` and exits 2.

    With ``archguard --debug`` (or ``ARCHGUARD_DEBUG=1``) the exception propagates with its
    traceback.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = command(*args, **kwargs)
        except ArchguardError as exc:
            if _debugging():
                raise
            typer.echo(f"archguard: error: {printable_lines(str(exc))}", err=True)
            raise typer.Exit(exit_codes.USAGE_ERROR) from None
        except BrokenPipeError:
            _reader_gone()
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a defect of archguard's, not the user's: still no traceback
            if _debugging():
                raise
            typer.echo(f"archguard: internal error: {type(exc).__name__}: "
                       f"{printable_lines(str(exc))} "
                       "(run with --debug for the traceback, and report it)", err=True)
            raise typer.Exit(exit_codes.USAGE_ERROR) from None
        if isinstance(result, int) and result != exit_codes.OK:
            raise typer.Exit(result)
        return result

    return wrapper

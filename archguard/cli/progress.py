"""Progress of long runs: scenarios being run by ``simulate --run`` (and ``--matrix``), and
the phases of a ``check`` that reads a large project.

On a terminal, a progress bar on standard error (scenario i of n, the time elapsed, what
runs now), gone when the run ends; on a pipe or in CI, one line a finished scenario and
nothing else, so that a log shows where a long run is without control characters. A check
shows its phase on a terminal only, and only once it has run long enough to be waited for:
its output on a pipe is the report alone."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TYPE_CHECKING

import typer

from archguard.reporting.escape import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from archguard.domain.simulation import Prediction, Scenario

#: How long a check runs before its phase is shown: one that ends sooner shows nothing.
SHOW_AFTER = 0.5
#: A phase that reads this many files is shown as it starts: grimp's scanner alone takes
#: about :data:`SHOW_AFTER` for them (10,000 files a second on a shared two-core machine).
SHOW_AT_ONCE_FROM = 5_000
#: The least time between two draws within a phase.
REDRAW_AFTER = 0.1


def on_terminal() -> bool:
    """Whether standard error is a terminal a person watches (not a CI log)."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _removed(prediction: Prediction) -> str:
    return printable(", ".join(prediction.removed))


class ScenarioLines:
    """One line on standard error for each scenario that ends."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.lock = threading.Lock()

    def started(self, prediction: Prediction) -> None:
        """Nothing until it ends: a log gets a line a scenario."""

    def finished(self, scenario: Scenario) -> None:
        from archguard.reporting.wording import observed_text

        with self.lock:
            self.done += 1
            typer.echo(f"archguard: scenario {self.done} of {self.total}, without "
                       f"{_removed(scenario.prediction)}: predicted "
                       f"{scenario.prediction.verdict}, observed {observed_text(scenario)}",
                       err=True)


class ScenarioProgressBar:
    """A progress bar on standard error: how many scenarios ended, the time elapsed, and
    which removals run now."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.running: list[str] = []
        self.lock = threading.Lock()
        self.bar = Progress(SpinnerColumn(), TextColumn("scenario"), MofNCompleteColumn(),
                            BarColumn(), TimeElapsedColumn(),
                            TextColumn("{task.description}"),
                            console=Console(stderr=True), transient=True)
        self.task = self.bar.add_task("", total=total)
        self.bar.start()

    def _describe(self) -> None:
        self.bar.update(self.task, description=(
            f"without {'; '.join(self.running)}" if self.running else ""))

    def started(self, prediction: Prediction) -> None:
        with self.lock:
            self.running.append(_removed(prediction))
            self._describe()

    def finished(self, scenario: Scenario) -> None:
        with self.lock:
            removed = _removed(scenario.prediction)
            if removed in self.running:
                self.running.remove(removed)
            self.bar.advance(self.task)
            self._describe()

    def stop(self) -> None:
        self.bar.stop()


class CheckSpinner:
    """A check's phase on standard error, with the time since the check started, once it
    has run :data:`SHOW_AFTER` (or at once for a phase that reads many files); gone when it
    ends.

    It is drawn only when the check calls it (a phase starts, a file is read): a thread
    drawing it would keep the check from forking (see :mod:`archguard.adapters.concurrency`),
    so the time shown moves on as the check does. ``console``: where to draw (standard
    error, by default)."""

    def __init__(self, console: Console | None = None) -> None:
        self.started = time.monotonic()
        self.console = console
        self.text = ""
        self.drawn_at = 0.0
        self.bar: Progress | None = None

    def phase(self, text: str, files: int = 0) -> None:
        self.text = printable(text)
        self._draw(at_once=files >= SHOW_AT_ONCE_FROM)

    def tick(self) -> None:
        if time.monotonic() - self.drawn_at >= REDRAW_AFTER:
            self._draw()

    def _draw(self, *, at_once: bool = False) -> None:
        now = time.monotonic()
        elapsed = f"{now - self.started:.1f} s"
        if self.bar is not None:
            self.bar.update(self.bar.task_ids[0], description=self.text, elapsed=elapsed)
            self.bar.refresh()
        elif at_once or now - self.started >= SHOW_AFTER:
            self.bar = self._start(elapsed)
        self.drawn_at = now

    def _start(self, elapsed: str) -> Progress:
        """The bar, drawn."""
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn

        # Standard output and error are left as they are: redirected, they would have a
        # process forked meanwhile draw the bar again when it writes.
        bar = Progress(SpinnerColumn(), TextColumn("{task.fields[elapsed]}"),
                       TextColumn("{task.description}", markup=False),
                       console=self.console or Console(stderr=True), auto_refresh=False,
                       transient=True, redirect_stdout=False, redirect_stderr=False)
        bar.add_task(self.text, total=None, elapsed=elapsed)
        bar.start()
        return bar

    def stop(self) -> None:
        """Erase the phase shown, if any."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

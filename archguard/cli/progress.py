"""Progress of long runs: scenarios being run by ``simulate --run`` (and ``--matrix``).

On a terminal, a progress bar on standard error (scenario i of n, the time elapsed, what
runs now), gone when the run ends; on a pipe or in CI, one line a finished scenario and
nothing else, so that a log shows where a long run is without control characters."""

from __future__ import annotations

import os
import sys
import threading

import typer

from archguard.domain.simulation import Prediction, Scenario
from archguard.reporting.escape import printable
from archguard.reporting.wording import observed_text


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

"""Removal simulation: what a set of removed modules would break, predicted and observed."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Verdicts of a scenario.
RUNS = "runs"                        # nothing breaks
BREAKS_AT_RUNTIME = "breaks at runtime"
CRASHES_AT_IMPORT = "crashes at import"


@dataclass(frozen=True)
class Link:
    """One import on a chain: ``importer`` imports the next module at ``file:line``, or,
    for a settings module, the Django ``setting`` there names what Django imports next."""

    importer: str
    file: str
    line: int
    setting: str | None = None

    def render(self) -> str:
        if self.setting:
            return f"{self.setting} in {self.file}:{self.line}"
        return f"{self.importer} ({self.file}:{self.line})"


@dataclass(frozen=True)
class Crash:
    """A module that cannot be imported: its own import of ``target`` at ``file:line``
    fails, and ``chain`` shows how start-up reaches it (from an entry point or a module the
    app discovers). With ``setting``, ``module`` is a settings module whose Django setting
    at ``file:line`` names ``target``, which Django imports as it starts."""

    module: str
    file: str
    line: int
    target: str
    chain: tuple[Link, ...]
    #: Where start-up begins the chain: an entry point, or a module it discovers.
    root: str = ""
    #: The ``runtime`` pattern by which start-up discovers ``root``, if it does.
    discovered_by: str | None = None
    #: The first failing import in execution order: the one a real start-up reports.
    first: bool = False
    setting: str | None = None

    @property
    def sites(self) -> tuple[tuple[str, int], ...]:
        return ((self.file, self.line),)

    def render_chain(self, separator: str = " → ") -> str:
        """``app.main → app.modules.x (app/modules/x/__init__.py:3) → … → target``, ending
        ``… → INSTALLED_APPS in app/settings.py:12 names target`` for a setting."""
        start = []
        if self.discovered_by:
            start = [self.root, f"(discovers {self.discovered_by})"]
        elif self.root and self.root != (self.chain[0].importer if self.chain else self.module):
            start = [self.root]
        links = [link.render() for link in self.chain]
        if self.setting:
            links.append(f"{self.setting} in {self.file}:{self.line} names {self.target}")
            return separator.join([*start, *links])
        links.append(f"{self.module} ({self.file}:{self.line})")
        return separator.join([*start, *links, self.target])


@dataclass(frozen=True)
class RuntimeFailure:
    """Code that imports fine but fails when it runs: a lazy import, or a string reference,
    into a removed module. ``sites`` are every file:line a traceback may end at (the
    statement, and the links through which its target reaches the removed module)."""

    file: str
    line: int
    function: str | None
    kind: str
    target: str
    statement: str
    name: str | None = None
    sites: tuple[tuple[str, int], ...] = ()
    chain: tuple[Link, ...] = ()
    #: Routes (modules of a ``routes`` package) that import the code holding it.
    reached_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class SafeReference:
    """A reference into a removed module that cannot break anything: under
    ``if TYPE_CHECKING:`` (never runs) or guarded by ``except ImportError``."""

    file: str
    line: int
    kind: str
    target: str
    statement: str


@dataclass(frozen=True)
class Prediction:
    removed: tuple[str, ...]
    #: Modules not loaded because they require a removed (or skipped) one, with the reason.
    cascade: tuple[tuple[str, str], ...] = ()
    crashes: tuple[Crash, ...] = ()
    runtime_failures: tuple[RuntimeFailure, ...] = ()
    safe: tuple[SafeReference, ...] = ()
    #: No ``runtime.entry_points`` nor discovery patterns are configured: every module
    #: present is taken as imported at start-up (what start-up never imports is not known).
    every_module_started: bool = False

    @property
    def import_crash(self) -> bool:
        return bool(self.crashes)

    @property
    def verdict(self) -> str:
        if self.crashes:
            return CRASHES_AT_IMPORT
        return BREAKS_AT_RUNTIME if self.runtime_failures else RUNS


@dataclass(frozen=True)
class CommandResult:
    name: str
    command: str
    exit_code: int | None
    seconds: float
    timed_out: bool = False
    output: str = ""


@dataclass(frozen=True)
class ObservedFailure:
    """A traceback read from a command's output: where in the project it ends."""

    smoke: str
    error: str
    file: str | None = None
    line: int | None = None
    function: str | None = None
    #: The class name, for a mapper's failure to resolve a relationship string.
    name: str | None = None
    explained: bool = False


@dataclass(frozen=True)
class Observation:
    ok: bool
    import_crash: bool
    first_error: str | None
    seconds: float
    failures: tuple[ObservedFailure, ...] = ()
    commands: tuple[CommandResult, ...] = ()


@dataclass(frozen=True)
class Scenario:
    prediction: Prediction
    observation: Observation | None = None
    agreed: bool | None = None

    @property
    def removed(self) -> tuple[str, ...]:
        return self.prediction.removed


@dataclass(frozen=True)
class SimulationResult:
    project_dir: str
    scenarios: tuple[Scenario, ...] = field(default_factory=tuple)

    @property
    def ran(self) -> bool:
        return any(s.observation is not None for s in self.scenarios)

    @property
    def agreement(self) -> float | None:
        judged = [s.agreed for s in self.scenarios if s.agreed is not None]
        return sum(judged) / len(judged) if judged else None

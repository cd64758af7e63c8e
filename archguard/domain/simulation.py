"""Removal simulation: what a set of removed modules would break, predicted and observed."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Verdicts of a scenario.
RUNS = "runs"                        # nothing breaks
BREAKS_AT_RUNTIME = "breaks at runtime"
CRASHES_AT_IMPORT = "crashes at import"
#: Start-up imports code no import graph reads: whether it survives the removal is unknown.
UNKNOWN = "unknown"


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
class UnreadImport:
    """An import start-up runs, at ``file:line``, of ``target`` in ``folder``: a folder
    without ``__init__.py``, which no import graph reads, so what the import runs in turn,
    and whether it fails without the removed modules, is not known."""

    file: str
    line: int
    target: str
    folder: str


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
    #: Imports start-up runs of code in folders no import graph reads: nothing crashes, but
    #: whether the app runs is not known.
    unread: tuple[UnreadImport, ...] = ()

    @property
    def import_crash(self) -> bool:
        return bool(self.crashes)

    @property
    def verdict(self) -> str:
        if self.crashes:
            return CRASHES_AT_IMPORT
        if self.unread:
            return UNKNOWN
        return BREAKS_AT_RUNTIME if self.runtime_failures else RUNS


@dataclass(frozen=True)
class CommandResult:
    """One command run on a copy. ``exit_code`` is None when it did not end by itself
    (timed out) or did not start, ``error`` then says why it did not
    (``command not found: NAME``); ``output`` is its head and tail when it printed more
    than is kept, ``output_cut`` the number of bytes left out between them."""

    name: str
    command: str
    exit_code: int | None
    seconds: float
    timed_out: bool = False
    output: str = ""
    error: str | None = None
    output_cut: int = 0


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
class TreeChange:
    """An entry of the original project that changed while commands ran on its copy:
    ``change`` is ``created``, ``deleted``, ``modified`` or ``metadata``."""

    path: str
    change: str

    def render(self) -> str:
        return f"{self.path} ({self.change})"


@dataclass(frozen=True)
class Observation:
    """What running the application on a copy showed. ``isolation`` says how the commands
    were kept from the original (``unshare (…, original read-only)``, ``none: why``);
    ``original_changes`` lists what changed in the original meanwhile, which makes the
    observation a failure whatever the commands did."""

    ok: bool
    import_crash: bool
    first_error: str | None
    seconds: float
    failures: tuple[ObservedFailure, ...] = ()
    commands: tuple[CommandResult, ...] = ()
    isolation: str = ""
    original_changes: tuple[TreeChange, ...] = ()


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
    def isolation(self) -> str | None:
        """How the commands were isolated, as the first observation says (every scenario
        of a run gets the same)."""
        return next((s.observation.isolation for s in self.scenarios
                     if s.observation is not None and s.observation.isolation), None)

    @property
    def original_changed(self) -> tuple[Scenario, ...]:
        """The scenarios during which the original project changed."""
        return tuple(s for s in self.scenarios
                     if s.observation is not None and s.observation.original_changes)

    @property
    def agreement(self) -> float | None:
        judged = [s.agreed for s in self.scenarios if s.agreed is not None]
        return sum(judged) / len(judged) if judged else None

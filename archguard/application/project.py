"""A project read once, for every use case that judges it (check, simulate): its modules
and their owners, its files, its import table, its string references, and each file's
import statements classified by kind, read when first asked for and kept."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from archguard.adapters.files import UNREADABLE, source_manifest
from archguard.adapters.import_statements import (
    classify_imports,
    statements_from_json,
    statements_to_json,
)
from archguard.adapters.module_files import module_file, read_source
from archguard.adapters.scan_cache import FileScanCache, Lookup, cache_key
from archguard.adapters.usage import uses_from_json, uses_to_json
from archguard.application.inventory import build_inventory
from archguard.application.reading import CACHE_DIR, NO_PROGRESS, CheckProgress, read_project
from archguard.domain.architecture import ArchitectureConfig
from archguard.domain.imports import ImportStatement, ImportTable, UseSite
from archguard.domain.layout import Layout
from archguard.errors import SourceSyntaxError

if TYPE_CHECKING:
    from archguard.application.strings import FoundReference

#: The file of the classified statements' cache, in the cache folder.
STATEMENTS_FILE = "statements.json"
STATEMENTS_VERSION = "2"
#: The file of the uses cache: where each file's imported names are used.
USES_FILE = "uses.json"
USES_VERSION = "1"
#: Files to find uses in from which half are read in a forked process.
USES_SIDE_BY_SIDE_FROM = 40


class Project:
    """What the checks know of a project. Nothing of it is imported or executed.

    ``manifest``: the package folder's :func:`~archguard.adapters.files.source_manifest`,
    when the caller has read it; ``progress`` is told as the project is read.
    """

    def __init__(self, project_dir: Path, config: ArchitectureConfig, *, use_cache: bool = True,
                 manifest: list[tuple[str, int, int]] | None = None,
                 progress: CheckProgress = NO_PROGRESS) -> None:
        self.project_dir = project_dir.resolve()
        self.config = config
        if manifest is None:
            package = Path(*config.root_package.split("."))
            manifest = source_manifest((project_dir / config.source_root).resolve() / package)
        self.inventory = build_inventory(project_dir, config, manifest)
        self.layout = Layout(config, self.inventory)
        self.source_root = (project_dir / config.source_root).resolve()
        reading = read_project(project_dir, config, use_cache=use_cache, manifest=manifest,
                               progress=progress)
        self.table: ImportTable = reading.imports.table
        self._string_scan = reading.strings
        self._parsed = reading.parsed
        #: Files that could not be read or parsed, as messages naming file and line.
        self.errors: list[str] = [str(e) for e in reading.imports.unparsable]
        #: Files of newer syntax than this Python's, read from the import graph.
        self.syntax_findings: list = []
        self._grimp_unparsable = {e.path.resolve() for e in reading.imports.unparsable}
        #: The package's Python files that are not read, each with the reason.
        self.left_out: tuple[tuple[str, str], ...] = reading.left_out
        # One that cannot be read leaves the check incomplete, as one that cannot be parsed.
        self.errors += [f"{self.source_root / file}: {reason}" for file, reason in self.left_out
                        if reason.startswith(UNREADABLE)]
        #: Each module of the import table, with its file.
        self.files: dict[str, Path] = {m: p for m, p in reading.files.items() if m in self.table}
        self._relatives: dict[str, tuple[Path, str]] = {}
        #: Each classified file's statements and bytes, by project-relative path.
        self._statements: dict[str, list[ImportStatement]] = {}
        self._sources: dict[str, bytes] = {}
        self._line_index: dict[str, dict[int, ImportStatement]] = {}
        cache_file = self.project_dir / CACHE_DIR / STATEMENTS_FILE if use_cache else None
        self._cache: FileScanCache[list[ImportStatement]] = FileScanCache(
            cache_file, STATEMENTS_VERSION, statements_to_json, statements_from_json)
        #: Uses found or looked up by :meth:`read_ahead`, by their cache key.
        self._read_uses: dict[str, dict[int, tuple[UseSite, ...]]] = {}
        uses_file = self.project_dir / CACHE_DIR / USES_FILE if use_cache else None
        self._uses: FileScanCache[dict[int, tuple[UseSite, ...]]] = FileScanCache(
            uses_file, f"{USES_VERSION}/{STATEMENTS_VERSION}", uses_to_json, uses_from_json)

    def error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    # -- files ---------------------------------------------------------------------------

    def relative(self, module: str) -> tuple[Path, str]:
        """The file of a module, and its path relative to the project (as reported)."""
        known = self._relatives.get(module)
        if known is None:
            path = self.files.get(module) or module_file(self.source_root, module)
            shown = (path.relative_to(self.project_dir).as_posix()
                     if path.is_relative_to(self.project_dir) else str(path))
            known = self._relatives[module] = (path, shown)
        return known

    def source(self, relative: str) -> bytes | None:
        """The bytes of a project file, read once; None when it cannot be read."""
        if relative not in self._sources:
            data = read_source(self.project_dir / relative)
            if data is None:
                return None
            self._sources[relative] = data
        return self._sources[relative]

    # -- import statements ---------------------------------------------------------------

    def statements_of(self, module: str) -> list[ImportStatement]:
        """The import statements of a module's file with their kinds, in source order."""
        path, relative = self.relative(module)
        statements = self._statements.get(relative)
        if statements is None:
            def classify(data: bytes) -> list[ImportStatement]:
                self._sources[relative] = data
                return classify_imports(path, data)

            try:
                statements = self._cache.fetch(cache_key(path, self.project_dir), path,
                                               classify)
            except SourceSyntaxError as exc:
                statements = self._guessed(module, path, relative, exc)
            except OSError as exc:
                self.error(f"{path}: cannot be read: {exc.strerror or exc}")
                statements = []
            self._statements[relative] = statements
        return statements

    def classify_all(self) -> None:
        """Classify every file's statements now (a caller that needs them all: the removal
        model), half of them in a forked process when the project is large enough for two
        cores to pay: parsing every file is most of a cold simulation's time."""
        from archguard.application.reading import SIDE_BY_SIDE_FROM, cycle_collector_paused

        pending = [m for m in sorted(self.files) if self.relative(m)[1] not in self._statements]
        if len(pending) < SIDE_BY_SIDE_FROM:
            return  # each is classified when first asked for
        from archguard.adapters.concurrency import side_by_side

        half = len(pending) // 2

        def classify(modules: list[str]) -> tuple[dict[str, list[ImportStatement]], list[str]]:
            known = len(self.errors)
            found = {self.relative(m)[1]: self.statements_of(m) for m in modules}
            return found, self.errors[known:]

        with cycle_collector_paused():
            (elsewhere, errors), _ = side_by_side(lambda: classify(pending[half:]),
                                                  lambda: classify(pending[:half]))
        for message in errors:
            self.error(message)
        for module in pending[half:]:
            path, relative = self.relative(module)
            statements = elsewhere.get(relative, [])
            self._statements[relative] = statements
            try:  # keep them for the next run as if classified here
                self._cache.fetch(cache_key(path, self.project_dir), path,
                                  lambda _data, found=statements: found)
            except OSError:
                continue

    def _guessed(self, module: str, path: Path, relative: str,
                 error: SourceSyntaxError) -> list[ImportStatement]:
        """The statements of a file ``ast`` cannot parse. When grimp's parser read it (newer
        syntax than this Python's: ``type`` statements, PEP 695 generics, nested f-strings),
        its imports are those of the table, each parsed on its own, their kinds guessed
        from the layout, and a finding says so; otherwise the file is an error."""
        import platform

        from archguard.adapters.import_statements import guess_statements
        from archguard.domain import finding_rules as rules

        if module not in self.table or path.resolve() in self._grimp_unparsable:
            self.error(str(error))
            return []
        data = self.source(relative) or b""
        lines = [n for target in self.table.imported_by(module)
                 for n in self.table.lines(module, target)]
        lines += self.table.beyond_top(module)
        statements = guess_statements(data, lines)
        self.syntax_findings.append(rules.NEWER_SYNTAX.finding(
            f"Python {platform.python_version()}, which archguard runs on, cannot parse this "
            f"file ({error.message}), but grimp's parser reads it: syntax of a newer Python "
            f"(3.12 or later: type statements, generics, nested f-strings). Its "
            f"{len(statements)} import statement{'s are' if len(statements) != 1 else ' is'} "
            "read from the import graph, their kinds guessed from the layout; run archguard "
            "on the project's Python for exact kinds and uses",
            path, error.line))
        return statements

    @property
    def classified(self) -> dict[str, list[ImportStatement]]:
        """The statements of every file classified so far, by project-relative path."""
        return self._statements

    def links(self, importer: str, imported: str) -> list[ImportStatement]:
        """The statements of ``importer`` that import ``imported``, in the order of the
        import table's lines, each once."""
        at_line = self._statement_at_line(importer)
        found: dict[int, ImportStatement] = {}
        for line in self.table.lines(importer, imported):
            statement = at_line.get(line)
            if statement is not None:
                found.setdefault(id(statement), statement)
        return list(found.values())

    def _statement_at_line(self, importer: str) -> dict[int, ImportStatement]:
        """Each line of ``importer`` that an import statement spans, with the first such
        statement: a file's links are then found in time linear in its size, however many
        imports it has."""
        index = self._line_index.get(importer)
        if index is None:
            index = {}
            for statement in self.statements_of(importer):
                for line in range(statement.line, statement.end_line + 1):
                    index.setdefault(line, statement)
            self._line_index[importer] = index
        return index

    def read_ahead(self, wanted: dict[str, dict[str, bool]],
                   progress: CheckProgress = NO_PROGRESS) -> None:
        """Classify the files of the modules of ``wanted`` and find the uses that a report of
        their imports will ask for (:meth:`uses_in`), each file parsed once for both, and
        half of the files read in a forked process when there are many: each is a parse, a
        walk and a symbol table.

        ``wanted``: for each module, the modules it imports whose import is reported, with
        True where every statement importing it is (a direct import) and False where only
        the first is (a chain's first link); a module only passed through maps to nothing.
        What cannot be read here is read again, and reported, when first asked for.
        ``progress`` is told how many files are read, and as each of those read here is.
        """
        from archguard.adapters.import_statements import parse_imports
        from archguard.adapters.usage import find_uses
        from archguard.errors import SourceSyntaxError

        work: list[_Reading] = []
        for module in sorted(wanted):
            path, relative = self.relative(module)
            reading = _Reading(module, path, relative, self._statements.get(relative))
            try:
                if reading.statements is None:
                    reading.lookup = self._cache.lookup(cache_key(path, self.project_dir), path)
                    if reading.lookup.hit:
                        reading.statements = self._statements[relative] = reading.lookup.value
                if reading.statements is not None:
                    self._ask_uses(reading, wanted[module])
            except OSError:
                continue
            if reading.statements is None or (reading.uses is not None
                                               and not reading.uses.hit):
                work.append(reading)

        def read(part: list[_Reading], progress: CheckProgress
                 ) -> list[tuple[list[ImportStatement] | None, str, dict | None]]:
            done = []
            for reading in part:
                progress.tick()
                data = (reading.uses or reading.lookup).data  # type: ignore[union-attr]
                statements, tree = reading.statements, None
                if statements is None:
                    try:
                        tree, statements = parse_imports(reading.path, data)
                    except SourceSyntaxError:
                        done.append((None, "", None))
                        continue
                    self._statements[reading.relative] = statements
                    if keep_trees:
                        self._parsed[reading.path] = (data, tree)
                lines = self._uses_wanted(reading.module, wanted[reading.module])
                asked = [s for s in statements if s.line in lines]
                uses = find_uses(reading.path, data, asked, tree) if asked else None
                done.append((statements, self._uses_key(reading.path, asked), uses))
            return done

        # A few files read here (an edit) keep their trees for the strings, if these are
        # still to be read here; many (a first run) would hold too much memory.
        keep_trees = len(work) < USES_SIDE_BY_SIDE_FROM
        if work:
            progress.phase(f"reading {len(work):,} files for their uses", files=len(work))
        if not keep_trees:
            from archguard.adapters.concurrency import side_by_side

            here_part, elsewhere_part = _halves(work)
            elsewhere, here = side_by_side(lambda: read(elsewhere_part, NO_PROGRESS),
                                           lambda: read(here_part, progress))
            work, results = [*here_part, *elsewhere_part], [*here, *elsewhere]
        else:
            results = read(work, progress)
        for reading, (statements, key, uses) in zip(work, results, strict=True):
            if statements is None:
                self._statements.pop(reading.relative, None)
                continue
            if reading.statements is None:
                self._statements[reading.relative] = statements
                assert reading.lookup is not None
                self._cache.store(reading.lookup, statements)
            if uses is not None:
                try:
                    lookup = self._uses.lookup(key, reading.path)
                except OSError:
                    continue
                if not lookup.hit:
                    self._uses.store(lookup, uses)
                self._read_uses[key] = uses

    def _uses_wanted(self, module: str, imported: dict[str, bool]) -> set[int]:
        """The lines of the statements of ``module`` whose uses a report of its imports of
        ``imported`` asks for (see :meth:`read_ahead`)."""
        lines: set[int] = set()
        for target, every in imported.items():
            statements = self.links(module, target)
            lines.update(s.line for s in (statements if every else statements[:1]))
        return lines

    def _uses_key(self, path: Path, statements: list[ImportStatement]) -> str:
        """The uses cache's key of ``statements`` of the file at ``path``: the file, and the
        lines of the statements asked for."""
        return f"{cache_key(path, self.project_dir)}#{','.join(str(s.line) for s in statements)}"

    def _ask_uses(self, reading: _Reading, imported: dict[str, bool]) -> None:
        """Look up the uses of a classified file's reported statements: kept for
        :meth:`uses_in` when cached, else left in ``reading.uses`` to be found."""
        lines = self._uses_wanted(reading.module, imported)
        if not lines:
            return
        assert reading.statements is not None
        key = self._uses_key(reading.path, [s for s in reading.statements if s.line in lines])
        reading.uses = self._uses.lookup(key, reading.path)
        if reading.uses.hit:
            self._read_uses[key] = reading.uses.value or {}

    def uses_in(self, asked: dict[str, list[ImportStatement]]
                ) -> dict[str, dict[int, tuple[UseSite, ...]]]:
        """For each file asked for, where the names its ``statements`` (some of the file's)
        bind are used, by statement line; a file that cannot be read has none.

        Kept between runs for the file's content and the statements asked for (see
        :data:`USES_FILE`): an edit elsewhere reads none of the file again. When many files
        must be read, half are read in a forked process (see
        :mod:`archguard.adapters.concurrency`): each means a parse and a symbol table.
        """
        from archguard.adapters.usage import find_uses

        found: dict[str, dict[int, tuple[UseSite, ...]]] = {}
        missed = []
        for relative, statements in asked.items():
            path = self.project_dir / relative
            key = self._uses_key(path, statements)
            if key in self._read_uses:
                found[relative] = self._read_uses[key]
                continue
            try:
                lookup = self._uses.lookup(key, path)
            except OSError:
                found[relative] = {}
                continue
            if lookup.hit:
                found[relative] = lookup.value or {}
            else:
                missed.append((relative, path, statements, lookup))

        def read(part: list) -> list[dict[int, tuple[UseSite, ...]]]:
            return [find_uses(path, lookup.data, statements)
                    for _, path, statements, lookup in part]

        if len(missed) >= USES_SIDE_BY_SIDE_FROM:
            from archguard.adapters.concurrency import side_by_side

            half = len(missed) // 2
            elsewhere, here = side_by_side(lambda: read(missed[half:]),
                                           lambda: read(missed[:half]))
            values = here + elsewhere
        else:
            values = read(missed)
        for (relative, _, _, lookup), value in zip(missed, values, strict=True):
            self._uses.store(lookup, value)
            found[relative] = value
        return found

    def save(self) -> None:
        """Keep the classified statements and the uses for the next run, with every entry
        of a file still in the project."""
        self._cache.keep(cache_key(path, self.project_dir) for path in self.files.values())
        self._cache.save()
        self._uses.save()  # entries this run used: the violations' files as they are now

    # -- string references ---------------------------------------------------------------

    @cached_property
    def string_references(self) -> list[FoundReference]:
        """Every string reference of the project's modules, resolved (empty when strings
        are off); files that could not be parsed are among :attr:`errors`."""
        if self._string_scan is None:
            return []
        from archguard.application.strings import StringFinder

        finder = StringFinder(self.config, self.inventory, self.files, self.project_dir, None,
                              self._string_scan.result())
        for error in finder.errors:
            self.error(str(error))
        return list(finder.references())


@dataclass
class _Reading:
    """A file :meth:`Project.read_ahead` reads: its statements when known, else the
    statements cache's ``lookup``; the uses cache's lookup when uses are asked for."""

    module: str
    path: Path
    relative: str
    statements: list[ImportStatement] | None
    lookup: Lookup[list[ImportStatement]] | None = None
    uses: Lookup[dict[int, tuple[UseSite, ...]]] | None = None

    @property
    def size(self) -> int:
        return len((self.uses or self.lookup).data)  # type: ignore[union-attr]


def _halves(work: list[_Reading]) -> tuple[list[_Reading], list[_Reading]]:
    """``work`` in two parts of about the same bytes to read, the largest files first."""
    parts: tuple[list[_Reading], list[_Reading]] = ([], [])
    sizes = [0, 0]
    for reading in sorted(work, key=lambda r: -r.size):
        smaller = 0 if sizes[0] <= sizes[1] else 1
        parts[smaller].append(reading)
        sizes[smaller] += reading.size
    return parts

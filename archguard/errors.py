"""The exceptions archguard raises. Everything derives from :class:`ArchguardError`.

Violations are not exceptions: they are data, rendered by the reporters. These are the
conditions that stop a command: a configuration that cannot be used, a path that does not
exist, source that cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ArchguardError(Exception):
    """Root of archguard's errors. ``str(error)`` is the message shown to the user."""


@dataclass(frozen=True)
class Position:
    """A place in a file, 1-based line and column."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


class ConfigError(ArchguardError):
    """The configuration cannot be used: it names where, which key, and what would be valid."""

    def __init__(
        self,
        message: str,
        position: Position | None = None,
        *,
        key: str | None = None,
        suggestion: str | None = None,
        quotes_content: bool = True,
    ) -> None:
        self.message = message
        self.position = position
        self.key = key
        self.suggestion = suggestion
        #: Whether the message may quote the file's values; False when it names only keys
        #: and what the schema allows, so it can be shown for a file whose content must not.
        self.quotes_content = quotes_content
        super().__init__(self.render())

    def render(self) -> str:
        parts = []
        if self.position is not None:
            parts.append(f"{self.position}: ")
        if self.key:
            parts.append(f"{self.key}: ")
        parts.append(self.message)
        if self.suggestion:
            parts.append(f" (did you mean '{self.suggestion}'?)")
        return "".join(parts)


class ConfigNotFoundError(ConfigError):
    """No configuration where one was looked for."""


class UsageError(ArchguardError):
    """A command used wrongly: a missing or contradictory option, an unknown module."""


class ProjectError(ArchguardError):
    """The project directory, or a package the configuration names, is not usable."""


class SourceSyntaxError(ArchguardError):
    """Analysed source that cannot be parsed. Keeps the file, line and offending text."""

    def __init__(self, path: Path, line: int | None, message: str, text: str | None = None):
        self.path = path
        self.line = line
        self.message = message
        self.text = text
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: cannot parse: {message}")

    def __reduce__(self):
        return type(self), (self.path, self.line, self.message, self.text)

"""Reading the audit's Markdown the way a person does: sections by heading, tables by rows."""

from __future__ import annotations


def sections(markdown: str, level: str = "## ") -> dict[str, str]:
    """Each heading of ``level`` with the text under it, up to the next one."""
    found: dict[str, str] = {}
    current = None
    for line in markdown.splitlines():
        if line.startswith(level):
            current = line[len(level):].strip()
            found[current] = ""
        elif current is not None:
            found[current] += line + "\n"
    return found


def tables(text: str) -> list[list[dict[str, str]]]:
    """Every Markdown table of ``text``, each as a list of rows keyed by header."""
    found, rows, header = [], [], None
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in line.strip()[1:-1].split(" | ")]
            if header is None:
                header = cells
            elif not set(line.replace("|", "").strip()) <= {"-"}:
                rows.append(dict(zip(header, cells, strict=True)))
            continue
        if header is not None:
            found.append(rows)
        rows, header = [], None
    return found

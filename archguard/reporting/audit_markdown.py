"""The audit as Markdown: the sections of :mod:`archguard.reporting.audit_sections`, one
``##`` heading each, tables as GitHub-flavoured Markdown. Every text is printable (see
:mod:`archguard.reporting.escape`): a name that holds a newline would start a line of its
own."""

from __future__ import annotations

from archguard.domain.audit import AuditReport
from archguard.reporting.audit_sections import Block, Table, sections, title
from archguard.reporting.escape import markdown_text, printable


def audit_to_markdown(report: AuditReport) -> str:
    lines = [f"# {printable(title(report))}"]
    for section in sections(report):
        lines += ["", f"## {section.title}"]
        for block in section.blocks:
            lines += _block(block)
    if report.errors:
        lines += ["", "## Files that could not be read", ""]
        lines += [f"- `{_cell(error)}`" for error in report.errors]
    return "\n".join(lines) + "\n"


def _block(block: Block) -> list[str]:
    lines: list[str] = []
    if block.heading:
        lines += ["", f"### {printable(block.heading)}"]
    for paragraph in block.paragraphs:
        lines += ["", printable(paragraph)]
    if block.items:
        lines.append("")
        lines += [f"- {printable(item)}" for item in block.items]
    for table in block.tables:
        lines += _table(table)
    return lines


def _table(table: Table) -> list[str]:
    lines = [""]
    if table.file:
        lines += [f"File: `{_cell(table.file)}`", ""]
    elif table.caption:
        lines += [f"**{table.caption}**", ""]
    lines.append("| " + " | ".join(_cell(c) for c in table.columns) + " |")
    lines.append("|" + "---|" * len(table.columns))
    for row in table.rows:
        cells = [f"`{_cell(cell)}`" if index in table.code and cell != "-" else _cell(cell)
                 for index, cell in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    if table.notes:
        lines.append("")
        lines += [f"**Fix** {_cell(note.removeprefix('Fix '))}" for note in table.notes]
    return lines


def _cell(text: str) -> str:
    """A table cell's text: printable, ``|`` escaped, backticks made quotes (a cell may be
    shown as code)."""
    return markdown_text(text).replace("`", "'")

"""``archguard explain``: what a contract kind or a finding rule checks, why, and how to fix
what it reports."""

from __future__ import annotations

from typing import Annotated

import typer

from archguard.cli import completion
from archguard.errors import UsageError


def explain_command(
    rule: Annotated[str | None, typer.Argument(
        help="A contract kind (category_layering, structure, ...), a finding rule "
             "(missing-init, unused-ignore, ...) or a rewrite recipe (move-function, ...). "
             "Without it, every one is listed.",
        autocompletion=completion.explained_ids)] = None,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="Print every rule's documentation as one Markdown page.")] = False,
) -> None:
    """Explain a contract kind, a finding rule or a rewrite recipe: what it checks or does,
    why, an example, the fix or what can go wrong."""
    from archguard.reporting.rule_docs import rule_docs, rules_markdown

    if markdown:
        typer.echo(rules_markdown(), nl=False)
        return
    docs = rule_docs()
    if rule is None:
        width = max(map(len, docs))
        for doc in docs.values():
            typer.echo(f"{doc.id:<{width}}  {doc.what:<16}  {doc.title}")
        return
    doc = docs.get(rule) or docs.get(rule.replace("-", "_")) or docs.get(rule.replace("_", "-"))
    if doc is None:
        from archguard.config.schema import nearest

        hint = nearest(rule, tuple(docs))
        raise UsageError(f"no contract kind, finding rule or recipe '{rule}'"
                         + (f" (did you mean '{hint}'?)" if hint else "")
                         + "; `archguard explain` lists them")
    typer.echo(doc.render(), nl=False)

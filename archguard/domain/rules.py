"""What each rule archguard applies says of itself: the text ``archguard explain`` prints and
SARIF's rule descriptions carry. Contract kinds and finding rules each have one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocBlock:
    """A rule's documentation: what it checks, why it matters, an example, how to fix it."""

    what: str
    why: str
    example: str
    fix: str

    def render(self, title: str) -> str:
        """Plain text, one section a heading, as ``archguard explain`` prints it."""
        sections = [title, "=" * len(title)]
        for heading, body in (("What it checks", self.what), ("Why", self.why),
                              ("Example", self.example), ("How to fix", self.fix)):
            sections += ["", heading, _indent(body) if heading == "Example" else body]
        return "\n".join(sections) + "\n"

    def markdown(self, title: str) -> str:
        """The same as Markdown (SARIF's ``help.markdown``)."""
        return (f"## {title}\n\n**What it checks.** {self.what}\n\n**Why.** {self.why}\n\n"
                f"**Example.**\n\n```\n{self.example}\n```\n\n**How to fix.** {self.fix}\n")


@dataclass(frozen=True)
class RecipeDoc:
    """A rewrite recipe's documentation: what it does, when it applies, why, the code
    before and after, and what can go wrong."""

    what: str
    when: str
    why: str
    before: str
    after: str
    risks: str

    def render(self, title: str) -> str:
        """Plain text, one section a heading, as ``archguard explain`` prints it."""
        sections = [title, "=" * len(title)]
        for heading, body in (("What it does", self.what), ("When it applies", self.when),
                              ("Why", self.why), ("Before", self.before),
                              ("After", self.after), ("What can go wrong", self.risks)):
            code = heading in ("Before", "After")
            sections += ["", heading, _indent(body) if code else body]
        return "\n".join(sections) + "\n"

    def markdown(self, title: str) -> str:
        return (f"## {title}\n\n**What it does.** {self.what}\n\n**When it applies.** "
                f"{self.when}\n\n**Why.** {self.why}\n\n**Before.**\n\n```python\n"
                f"{self.before}\n```\n\n**After.**\n\n```python\n{self.after}\n```\n\n"
                f"**What can go wrong.** {self.risks}\n")


@dataclass(frozen=True)
class FindingRule:
    """A rule that reports something about the declared architecture or the source, rather
    than a dependency that breaks a contract: ``missing-init``, ``unused-ignore``."""

    id: str
    title: str
    severity: str
    doc: DocBlock


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())

"""A file's comments by line, as the tokenizer sees them: the text of a string literal that
looks like a comment (``"# archguard: ignore"`` in a docstring) is not one."""

from __future__ import annotations

import io
import tokenize

#: What every inline ignore holds: a file without it has no ignore to find.
IGNORE_MARK = b"archguard:"


def comment_lines(data: bytes, lines: list[str]) -> list[str]:
    """``lines`` (the file ``data`` split into lines) with only their comments kept, each
    line's comment or ''; a file that cannot be tokenized keeps none, so that no ignore is
    honoured that may not be a comment."""
    if IGNORE_MARK not in data:
        return lines
    comments = [""] * len(lines)
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type == tokenize.COMMENT and token.start[0] <= len(comments):
                comments[token.start[0] - 1] = token.string
    except (tokenize.TokenError, SyntaxError):
        return [""] * len(lines)
    return comments

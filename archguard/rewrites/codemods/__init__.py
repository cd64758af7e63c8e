"""Source transformations for the mechanical rewrites, written with libcst.

Each is a pure function from the text of a file (and what to change in it) to the new
text: comments, blank lines and formatting outside the changed statements are kept, and
running one on its own output changes nothing. What cannot be done mechanically raises
:class:`CodemodError` with the line and the reason; nothing is read from or written to
disk here.
"""

from __future__ import annotations

from archguard.errors import ArchguardError


class CodemodError(ArchguardError):
    """A rewrite that cannot be applied to this source as it is."""

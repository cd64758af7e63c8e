"""Exit codes, the same for every command."""

OK = 0
#: Contracts are broken (check), or the prediction failed (simulate).
VIOLATIONS = 1
#: Bad usage or configuration, a missing project, unreadable input.
USAGE_ERROR = 2
#: Standard output's reader stopped reading (``archguard check | head``).
READER_GONE = 141

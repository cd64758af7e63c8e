"""The bad-input corpus: hostile, broken and racing inputs for every command, each case
asserting the exit code, that no traceback is printed, and that the message names the file
(and the line where there is one)."""

"""Exit codes of every `ddas` and `ddas-mock` command, documented in the README."""

OK = 0  # no errors (warnings allowed); everything accepted
CONTENT_ERROR = 1  # content has errors / rejected by the receiver
USAGE = 2  # usage or I/O problem (missing file, bad option, unreadable key)
NOT_DELIVERED = 3  # not delivered after retries (receiver unreachable, retry budget spent)
LOCKED = 4  # another run holds the journal lock

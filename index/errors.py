"""Named index failures; messages are safe to show a user (Swedish)."""


class QueryError(ValueError):
    """The query cannot be understood; the message tells the user how to write it."""


class IndexBusy(RuntimeError):
    """Another process holds the index writer."""


class IndexMissing(RuntimeError):
    """No serving index exists yet."""


class IndexDamaged(RuntimeError):
    """The serving index is incomplete or unreadable (a file deleted or cut short)."""

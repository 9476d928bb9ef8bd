"""Named ingest failures, each with a reason a person understands."""


class UnreadableFile(Exception):
    """A file that cannot be ingested. `reason` is a short code, the message is for people."""

    def __init__(self, reason: str, message: str, stage: str = "extract"):
        super().__init__(message)
        # encrypted, corrupt, empty, no-text, too-large, unknown-format, unreadable
        self.reason = reason
        self.stage = stage              # read, extract, structure, index

"""Named ingest failures, each with a reason a person understands."""


class UnreadableFile(Exception):
    """A file that cannot be ingested. `reason` is a short code, the message is for people."""

    def __init__(self, reason: str, message: str, stage: str = "extract"):
        super().__init__(message)
        self.reason = reason            # encrypted, corrupt, empty, no-text, too-large, unknown-format
        self.stage = stage              # read, extract, structure, index

"""Named ingest failures, each with a reason a person understands."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Failure:
    """One line of the ingest report: a file that was not ingested, and why (refs #16).

    `stage` is where it failed (read, extract, ocr, structure); `reason` a short code
    (unreadable, too-large, tidsgräns, …); `message` is Swedish, for whoever reads the report."""
    path: str
    stage: str
    reason: str
    message: str

    def to_dict(self) -> dict:
        """The report's record (path, stage, reason, message): what the JSON and CSV reports,
        the run history and `IngestReport.failed` hold."""
        return asdict(self)


class UnreadableFile(Exception):
    """A file that cannot be ingested. `reason` is a short code, the message is for people."""

    def __init__(self, reason: str, message: str, stage: str = "extract"):
        super().__init__(message)
        # encrypted, corrupt, empty, no-text, too-large, unknown-format, unreadable
        self.reason = reason
        self.stage = stage              # read, extract, structure, index

    def to_failure(self, path: str) -> Failure:
        """This error as the report line of the file at `path`."""
        return Failure(path=path, stage=self.stage, reason=self.reason, message=str(self))

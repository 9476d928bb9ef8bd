"""The archive's named errors; each message is safe to show a user."""


class NotFound(LookupError):
    """No such record; the message is safe to show a user."""


class Gone(LookupError):
    """The record was withdrawn; the message is safe to show a user."""

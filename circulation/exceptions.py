"""Domain exceptions of circulation. Messages are Chinese (through gettext) and shown as is."""


class CirculationError(Exception):
    """Base of circulation's refusals; ``messages`` lists what to tell the user."""

    def __init__(self, message, messages=None):
        super().__init__(message)
        self.messages = list(messages) if messages else [str(message)]


class NotAllowed(CirculationError):
    """The acting user may not do this."""


class DistributionFrozen(CirculationError):
    """The issue is signed: its distribution is a snapshot and cannot change."""


class LedgerError(CirculationError):
    """A copy-ledger operation that does not fit the ledger's state."""


class ImportRejected(CirculationError):
    """An import file was refused; ``messages`` names rows and columns; nothing was written."""

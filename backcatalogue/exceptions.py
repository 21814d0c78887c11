"""Domain exceptions of backcatalogue. Messages are Chinese (through gettext) and shown as is."""


class ImportNotAllowed(Exception):
    """The acting user may not import past issues."""

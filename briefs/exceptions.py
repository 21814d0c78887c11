"""Domain exceptions of briefs. Messages are Chinese and shown to users as they are."""


class BriefsError(Exception):
    """Base class: a rule of the editorial office refused the action."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

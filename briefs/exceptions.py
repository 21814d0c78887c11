"""Domain exceptions of briefs. Messages are Chinese and shown to users as they are."""


class BriefsError(Exception):
    """Base class: a rule of the editorial office refused the action."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(BriefsError):
    """The workflow refused an action: wrong state, wrong person, or a guard said no.

    ``messages`` holds every reason (guards may give several); ``message`` is them joined.
    """

    def __init__(self, message: str | list[str]):
        messages = [str(m) for m in message] if isinstance(message, list | tuple) else [str(message)]
        super().__init__("；".join(messages))
        self.messages = messages


class IssueLocked(BriefsError):
    """The issue is outside 草稿 (in review, signed or released): its content cannot change."""


class StaleEdit(BriefsError):
    """Somebody saved the same issue or article after this form was opened."""


class WorkflowFieldsProtected(BriefsError):
    """A write outside the workflow tried to set status, stage, numbers, dates or signer."""


class NotAllowed(BriefsError):
    """The acting user lacks the permission this write needs."""

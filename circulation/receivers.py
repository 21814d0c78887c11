"""Circulation's hooks into the briefs workflow; each delegates to a service or selector."""

from briefs.states import Action

from . import selectors, services


def on_issue_transitioned(sender, *, issue, action, user=None, **kwargs):
    """Freeze the distribution at 签发 and, where a copy ledger rule applies, number the copies;
    void the snapshot when the sign-off is revoked."""
    if action == Action.SIGN_OFF:
        services.snapshot_freeze(issue=issue, user=user)
        services.copies_number_at_sign_off(issue=issue, user=user)
    elif action == Action.REVOKE_SIGN_OFF:
        services.snapshot_void(issue=issue, user=user)


def release_guard(*, issue, user=None, **kwargs) -> list[str]:
    """Refuse 印发 when more copies are allocated than printed, or when a copy ledger rule applies
    and the copies are not numbered."""
    return selectors.release_errors(issue)

"""Circulation's hooks into the briefs workflow; each delegates to a service or selector."""

from . import selectors, services


def on_issue_transitioned(sender, *, issue, action, user=None, **kwargs):
    """Freeze the distribution at 签发; void the snapshot when the sign-off is revoked."""
    if action == "sign_off":
        services.snapshot_freeze(issue=issue, user=user)
    elif action == "revoke_sign_off":
        services.snapshot_void(issue=issue, user=user)


def release_guard(*, issue, user=None, **kwargs) -> list[str]:
    """Refuse 印发 when more copies are allocated than printed."""
    return selectors.release_errors(issue)

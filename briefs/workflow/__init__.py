"""The review workflow (三审 and 签发): states 草稿 → 送审 (stage after stage) → 已签发 → 已印发.

- ``actions``: one policy per action (from, to, who may, what it writes) — the transition table;
- ``transition``: ``issue_transition``, the one function that moves an issue;
- ``numbering``: 第N期 / 总第M期 at 签发, without gaps or duplicates;
- ``chains``: each series' review stages and who holds them;
- ``notifications``: the emails sent after a transition commits.

Nothing else writes an issue's status, stage, numbers, dates or signer (the models refuse it; the
historical loader in ``briefs.services`` is the documented exception for published issues).
See docs/workflow.md and docs/architecture.md.
"""

from ..states import Action
from .actions import POLICIES
from .chains import DEFAULT_CHAIN, review_chain_ensure, stage_holders, user_holds_stage
from .numbering import NumberPreview, issue_number_preview
from .transition import (
    allowed_actions,
    can_perform,
    issue_approve,
    issue_sign_off,
    issue_submit,
    issue_transition,
    refusal,
)

# action → (from status, to status), derived from the policies.
TRANSITIONS = {action: (policy.from_status, policy.to_status) for action, policy in POLICIES.items()}
ACTIONS = tuple(POLICIES)
ACTION_LABELS = dict(Action.choices)
COMMENT_REQUIRED = {action for action, policy in POLICIES.items() if policy.comment_required}

# The action names as module constants, for code written against the earlier module.
SUBMIT, WITHDRAW, APPROVE, SIGN_OFF, REQUEST_CHANGES, REVOKE_SIGN_OFF, RELEASE = (
    Action.SUBMIT,
    Action.WITHDRAW,
    Action.APPROVE,
    Action.SIGN_OFF,
    Action.REQUEST_CHANGES,
    Action.REVOKE_SIGN_OFF,
    Action.RELEASE,
)

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "COMMENT_REQUIRED",
    "DEFAULT_CHAIN",
    "TRANSITIONS",
    "Action",
    "NumberPreview",
    "allowed_actions",
    "can_perform",
    "issue_approve",
    "issue_number_preview",
    "issue_sign_off",
    "issue_submit",
    "issue_transition",
    "refusal",
    "review_chain_ensure",
    "stage_holders",
    "user_holds_stage",
]

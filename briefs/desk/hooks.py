"""Connections of the issue desk, imported once from BriefsConfig.ready."""

from briefs.extensions import register_transition_guard
from briefs.readiness import sign_off_guard
from briefs.rendering import approval_receivers  # noqa: F401 - archives the 审批单 at 签发

register_transition_guard("sign_off", sign_off_guard)

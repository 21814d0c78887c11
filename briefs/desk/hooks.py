"""Connections of the issue desk, imported once from BriefsConfig.ready."""

from briefs.extensions import register_transition_guard
from briefs.readiness import sign_off_guard
from briefs.states import Action

register_transition_guard(Action.SIGN_OFF, sign_off_guard)

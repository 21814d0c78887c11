"""Signals the briefs workflow sends. Receivers run inside the transition's transaction, so a
receiver that raises rolls the transition back; side effects outside the database (email,
files) belong on ``transaction.on_commit``."""

from django.dispatch import Signal

# kwargs: issue, action (str), from_status, to_status, user, comment
issue_transitioned = Signal()

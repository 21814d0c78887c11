"""Who may fetch circulation's stored files (zhiku.media serves /media/ through these guards)."""

from .models import Instruction


def instruction_scan_visible(user, name: str) -> bool:
    """The scan of a leader's 批示: whoever may view the issue and its instructions."""
    return (
        user.has_perm("briefs.view_issue")
        and user.has_perm("circulation.view_instruction")
        and Instruction.objects.filter(scan=name).exists()
    )

"""Who may fetch briefs' stored files (zhiku.media serves /media/ through these guards)."""

from zhiku.media import register_media_folder

from .models import Issue, PaperSignOff


def archived_pdf_visible(user, name: str) -> bool:
    """A signed issue's archived PDF: whoever may view issues, and only a file an issue points to.

    The archived 审批单 lies in the same folder but is not vouched for here: its one way out is
    the desk's ``issue_approval_pdf`` view, which checks the same permission."""
    return user.has_perm("briefs.view_issue") and Issue.objects.filter(archived_pdf=name).exists()


def paper_sign_off_scan_visible(user, name: str) -> bool:
    """The scan of a paper sign-off: whoever may view the issue it signed."""
    return user.has_perm("briefs.view_issue") and PaperSignOff.objects.filter(scan=name).exists()


def register_media_guards() -> None:
    register_media_folder("archive", archived_pdf_visible)
    register_media_folder("signoff", paper_sign_off_scan_visible)

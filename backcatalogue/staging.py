"""Files uploaded for preview, kept in the media store until they are committed.

Several app servers share the media store and the session store, never a process's memory, so
the uploaded bytes wait there under a random token; the session maps tokens to the file name
and checksum the preview showed, so a commit imports exactly what was previewed, by the same user.
"""

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

SESSION_KEY = "backcatalogue_staged"


def _path(user, token: str) -> str:
    return "backcatalogue/staging/%d/%s.bin" % (user.pk, token)


def stage(request, *, name: str, data: bytes) -> str:
    token = uuid.uuid4().hex
    default_storage.save(_path(request.user, token), ContentFile(data))
    staged = request.session.get(SESSION_KEY, {})
    staged[token] = {"name": name, "sha256": hashlib.sha256(data).hexdigest()}
    request.session[SESSION_KEY] = staged
    return token


def take(request, token: str) -> tuple[str, bytes] | None:
    """The staged file's name and bytes, removed from staging; None when unknown or altered."""
    staged = request.session.get(SESSION_KEY, {})
    entry = staged.pop(token, None)
    request.session[SESSION_KEY] = staged
    if entry is None:
        return None
    path = _path(request.user, token)
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    default_storage.delete(path)
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return entry["name"], data


def claim(request, tokens) -> list[dict]:
    """Hand staged files to a background job: their session entries are removed (a token is
    used once) and returned with the owner, so the job can read them without the request."""
    staged = request.session.get(SESSION_KEY, {})
    claimed = []
    for token in tokens:
        entry = staged.pop(token, None)
        if entry is not None:
            claimed.append({"token": token, "user_id": request.user.pk, **entry})
    request.session[SESSION_KEY] = staged
    return claimed


def read_claimed(entry: dict) -> bytes | None:
    """A claimed file's bytes, left in place (a retried job reads them again); None when it is
    gone or altered."""
    path = "backcatalogue/staging/%d/%s.bin" % (entry["user_id"], entry["token"])
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    return data if hashlib.sha256(data).hexdigest() == entry["sha256"] else None


def discard_claimed(entries) -> None:
    for entry in entries:
        default_storage.delete("backcatalogue/staging/%d/%s.bin" % (entry["user_id"], entry["token"]))

"""IssueDocument ⇄ canonical JSON: how a signed issue's document is frozen and read back.

The JSON is canonical (sorted keys, no spaces, UTF-8), so the same document always gives the
same text and the same SHA-256. Blocks carry their kind. Image files are stored relative to
MEDIA_ROOT, so a frozen document does not depend on where the media folder is mounted.
"""

import dataclasses
import hashlib
import json
from pathlib import Path

from django.conf import settings

from .document import Article, Cell, Footer, Heading, Image, IssueDocument, Masthead, Paragraph, Run, Table

FORMAT_VERSION = 1
_BLOCK_KINDS = {"heading": Heading, "paragraph": Paragraph, "table": Table, "image": Image}
_KIND_OF = {cls: kind for kind, cls in _BLOCK_KINDS.items()}


class FrozenDocumentError(ValueError):
    """A frozen document that cannot be trusted: its checksum does not match, or it is unreadable."""


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def _relative_media_path(path: str | None) -> str | None:
    if not path:
        return None
    try:
        return Path(path).resolve().relative_to(_media_root()).as_posix()
    except ValueError:
        return None  # outside MEDIA_ROOT: never printed anyway (see selectors._media_path)


def _absolute_media_path(relative: str | None) -> str | None:
    if not relative:
        return None
    root = _media_root()
    candidate = (root / relative).resolve()
    return str(candidate) if root in candidate.parents and candidate.is_file() else None


def _block_to_dict(block) -> dict:
    data = dataclasses.asdict(block)
    if isinstance(block, Image):
        data["path"] = _relative_media_path(block.path)
    data["kind"] = _KIND_OF[type(block)]
    return data


def _runs(items) -> tuple[Run, ...]:
    return tuple(Run(**item) for item in items)


def _block_from_dict(data: dict):
    data = dict(data)
    kind = data.pop("kind")
    if kind == "heading":
        return Heading(level=data["level"], runs=_runs(data["runs"]))
    if kind == "paragraph":
        return Paragraph(runs=_runs(data["runs"]), marker=data["marker"], quote=data["quote"])
    if kind == "table":
        rows = tuple(tuple(Cell(**cell) for cell in row) for row in data["rows"])
        return Table(rows=rows, caption=data["caption"])
    if kind == "image":
        data["path"] = _absolute_media_path(data["path"])
        return Image(**data)
    raise FrozenDocumentError(f"unknown block kind {kind!r}")


def document_to_json(document: IssueDocument) -> str:
    """``document`` as canonical JSON text."""
    data = {
        "version": FORMAT_VERSION,
        "masthead": dataclasses.asdict(document.masthead),
        "articles": [
            {"title": a.title, "byline": a.byline, "blocks": [_block_to_dict(b) for b in a.blocks]}
            for a in document.articles
        ],
        "footer": dataclasses.asdict(document.footer),
        "is_draft": document.is_draft,
        "file_stem": document.file_stem,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def document_from_json(text: str) -> IssueDocument:
    """The IssueDocument ``document_to_json`` wrote."""
    try:
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            raise FrozenDocumentError(f"unknown frozen document version {data.get('version')!r}")
        masthead = data["masthead"]
        return IssueDocument(
            masthead=Masthead(**{**masthead, "publishers": tuple(masthead["publishers"])}),
            articles=tuple(
                Article(title=a["title"], byline=a["byline"], blocks=tuple(_block_from_dict(b) for b in a["blocks"]))
                for a in data["articles"]
            ),
            footer=Footer(**data["footer"]),
            is_draft=data["is_draft"],
            file_stem=data["file_stem"],
        )
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise FrozenDocumentError(f"unreadable frozen document: {exc}") from exc


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

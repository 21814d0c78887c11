"""Import and export definitions: the recipient columns (Chinese headers, cell rules) shared by
the import (admin, service, command) and the export, and the dispatch sheet's columns read back
for receipts. Validation is plain Python over the rows read once by ``tables.read_table``."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Category, Channel, Recipient

# The recipient columns, in the order of the spreadsheet and of the admin form.
RECIPIENT_FIELDS = (
    "kind",
    "name",
    "title",
    "short_name",
    "full_name",
    "category",
    "protocol_order",
    "mailing_address",
    "contact",
    "channel",
    "default_copies",
    "is_active",
)
CONTACT_FIELDS = ("mailing_address", "contact")
REQUIRED_HEADERS = ("kind", "name", "title", "short_name", "category")
TEXT_LIMITS = {"name": 30, "title": 50, "short_name": 50, "full_name": 100, "mailing_address": 200, "contact": 100}
YES = ("是", "1", "true", "yes", "有效", "y")
NO = ("否", "0", "false", "no", "无效", "n")


def recipient_headers() -> dict[str, str]:
    """Field name → Chinese column title (the model's verbose names)."""
    return {name: str(Recipient._meta.get_field(name).verbose_name) for name in RECIPIENT_FIELDS}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(text: str, choices) -> str:
    for code, label in choices:
        if text == str(label) or text == code:
            return code
    raise ValueError(
        _("Unknown value “%(value)s”; expected one of: %(allowed)s.")
        % {"value": text, "allowed": "、".join(str(label) for _code, label in choices)}
    )


def _positive(text: str, default: int) -> int:
    if not text:
        return default
    try:
        number = float(text)
    except ValueError:
        raise ValueError(_("Write a whole number.")) from None
    if number <= 0 or not number.is_integer():
        raise ValueError(_("Write a positive whole number."))
    return int(number)


def _yes_no(text: str) -> bool:
    lowered = text.lower()
    if not lowered or lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError(_("Write 是 or 否."))


@dataclass
class RecipientRows:
    """The outcome of validating a recipients file: the rows ready to save (field values in
    RECIPIENT_FIELDS order, then the printed name and the spreadsheet row) or the errors."""

    rows: list[list]
    errors: list[str]


def validate_recipient_rows(headers: list[str], rows: list[tuple[int, tuple]]) -> RecipientRows:
    """Every cell checked, every error named by spreadsheet row and Chinese column; duplicates
    within the file refused, naming the first row."""
    titles = recipient_headers()
    known = set(titles.values())
    missing = [titles[name] for name in REQUIRED_HEADERS if titles[name] not in headers]
    unknown = [h for h in headers if h and h not in known]
    if missing or unknown:
        return RecipientRows(
            rows=[],
            errors=[
                _("Wrong column headers. Missing: %(missing)s; not recognised: %(unknown)s. Expected: %(expected)s.")
                % {
                    "missing": "、".join(missing) or _("none"),
                    "unknown": "、".join(unknown) or _("none"),
                    "expected": "、".join(titles.values()),
                }
            ],
        )
    index = {name: headers.index(title) for name, title in titles.items() if title in headers}
    required = _("This cell is required.")
    kinds, categories, channels = Recipient.Kind.choices, Category.choices, Channel.choices
    person, body = Recipient.Kind.PERSON.value, Recipient.Kind.BODY.value
    seen: dict[str, int] = {}
    valid: list[list] = []
    errors: list[str] = []
    for number, values in rows:
        cells = {name: _text(values[i]) if i < len(values) else "" for name, i in index.items()}
        problems: dict[str, str] = {}
        parsed: dict = {name: cells.get(name, "") for name in RECIPIENT_FIELDS}
        for name, choices, default in (
            ("kind", kinds, None),
            ("category", categories, None),
            ("channel", channels, Channel.COURIER.value),
        ):
            text = cells.get(name, "")
            if not text:
                if default is None:
                    problems[name] = required
                parsed[name] = default
                continue
            try:
                parsed[name] = _choice(text, choices)
            except ValueError as exc:
                problems[name] = str(exc)
        for name, default in (("protocol_order", 100), ("default_copies", 1)):
            try:
                parsed[name] = _positive(cells.get(name, ""), default)
            except ValueError as exc:
                problems[name] = str(exc)
        try:
            parsed["is_active"] = _yes_no(cells.get("is_active", ""))
        except ValueError as exc:
            problems["is_active"] = str(exc)
        if parsed["kind"] == body and not parsed["short_name"] and "short_name" not in problems:
            problems["short_name"] = required
        if parsed["kind"] == person and not parsed["title"] and "title" not in problems:
            problems["title"] = required
        for name, limit in TEXT_LIMITS.items():
            if len(parsed[name]) > limit and name not in problems:
                problems[name] = _("At most %(limit)s characters.") % {"limit": limit}
        printed = parsed["short_name"] if parsed["kind"] == body else parsed["name"] + parsed["title"]
        if printed and not problems:
            if printed in seen:
                key = "short_name" if parsed["kind"] == body else "title"
                problems[key] = _("Duplicate recipient “%(name)s”: already on row %(row)s.") % {
                    "name": printed,
                    "row": seen[printed],
                }
            else:
                seen[printed] = number
        if problems:
            errors.extend(
                _("Row %(row)s, column “%(column)s”: %(message)s")
                % {"row": number, "column": titles[name], "message": message}
                for name, message in problems.items()
            )
            continue
        valid.append([parsed[name] for name in RECIPIENT_FIELDS] + [printed, number])
    return RecipientRows(rows=valid, errors=errors)


# --- the dispatch sheet read back (receipts) -------------------------------------------------


def dispatch_sheet_labels() -> dict[str, str]:
    """The dispatch sheet's column titles the receipts import reads."""
    return {
        "printed_name": str(gettext_lazy("Addressee")),
        "copy_numbers": str(gettext_lazy("Copy numbers")),
        "signer": str(gettext_lazy("Signature")),
        "signed_on": str(gettext_lazy("Date signed")),
    }


def recipient_row_display(row: list) -> list:
    """A validated row as the spreadsheet wrote it: choice labels, 是/否."""
    labels = {
        "kind": dict(Recipient.Kind.choices),
        "category": dict(Category.choices),
        "channel": dict(Channel.choices),
    }
    shown = []
    for name, value in zip(RECIPIENT_FIELDS, row, strict=False):
        if name in labels:
            value = str(labels[name].get(value, value))
        elif name == "is_active":
            value = "是" if value else "否"
        shown.append(value)
    return shown

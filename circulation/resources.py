"""Import and export definitions (django-import-export): recipients, an issue's distribution and
the dispatch sheet (发文签收单). Column headers are Chinese; CSV is read in UTF-8 (with or without
BOM) or GBK, written with a BOM; cells that a spreadsheet would run as a formula are escaped."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import Result

from .models import Category, Channel, Recipient

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """A cell starting with = + - @ tab or CR would run as a formula: prefix a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise GBK as Chinese Excel saves it (GB18030 is its superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValueError(gettext("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX.")) from exc



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


class CSV(base_formats.CSV):
    """CSV that detects its encoding on import and starts with a BOM on export."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = decode_text(in_stream)
        return super(base_formats.TextFormat, self).create_dataset(in_stream, **kwargs)

    def export_data(self, dataset, **kwargs):
        # Cells are escaped by the resources (EscapingResourceMixin); the project-wide setting
        # would turn every number into text, so it is bypassed here.
        data = dataset.export(self.get_title(), **kwargs)
        return data if data.startswith("\ufeff") else "\ufeff" + data

    def is_binary(self):
        # The file is kept as bytes so that the encoding is detected, not assumed.
        return True

    def get_read_mode(self):
        return "rb"


class XLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        # Escaped by the resources; numbers stay numbers.
        return dataset.export(self.get_title(), **kwargs)


FORMATS = {"xlsx": XLSX, "csv": CSV}


class LabelChoiceWidget(widgets.Widget):
    """Reads and writes a choice by its Chinese label (the code is accepted too)."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        for code, label in self.choices:
            if text == str(label) or text == code:
                return code
        raise ValueError(
            gettext("Unknown value “%(value)s”; expected one of: %(allowed)s.")
            % {"value": text, "allowed": "、".join(str(label) for _code, label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        for code, label in self.choices:
            if code == value:
                return str(label)
        return value or ""


class YesNoWidget(widgets.Widget):
    YES = ("是", "1", "true", "yes", "有效", "y")
    NO = ("否", "0", "false", "no", "无效", "n")

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip().lower()
        if not text or text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(gettext("Write 是 or 否."))

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class PositiveIntWidget(widgets.Widget):
    def __init__(self, default=None, **kwargs):
        self.default = default
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return self.default
        try:
            number = int(float(text))
        except ValueError:
            raise ValueError(gettext("Write a whole number.")) from None
        if number <= 0 or number != float(text):
            raise ValueError(gettext("Write a positive whole number."))
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return escape_formula(value or "")


class EscapingResourceMixin:
    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class SpreadsheetResult(Result):
    """django-import-export counts data rows from 1; people read the row number Excel shows,
    where the header is row 1. Every row number this result holds is the spreadsheet's."""

    HEADER_ROWS = 1

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + self.HEADER_ROWS, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + self.HEADER_ROWS, row, errors)

    def row_errors(self):
        # The base class re-counts the reported rows (skipped ones change the count); the error
        # rows keep the number of the row they came from.
        return [(error_row.number, error_row.errors) for error_row in self.error_rows]


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


def import_error_messages(result, resource) -> list[str]:
    """Chinese messages naming the spreadsheet row (the header is row 1) and the column, the same
    for the admin's preview, the service and the command line."""
    messages = [_error_text(error.error) for error in result.base_errors]
    for invalid in result.invalid_rows:
        for attribute, errors in invalid.error_dict.items():
            column = resource.column_label(attribute) if attribute in resource.fields else attribute
            for error in errors:
                messages.append(
                    gettext("Row %(row)s, column “%(column)s”: %(message)s")
                    % {"row": invalid.number, "column": column, "message": error}
                )
    for number, row_errors in result.row_errors():
        for error in row_errors:
            messages.append(gettext("Row %(row)s: %(message)s") % {"row": number, "message": _error_text(error.error)})
    return messages


KIND_CHOICES = Recipient.Kind.choices


class RecipientResource(EscapingResourceMixin, resources.ModelResource):
    """Recipients keyed by their printed name: a known name updates, a new one is added."""

    kind = fields.Field("kind", _("Kind"), widget=LabelChoiceWidget(KIND_CHOICES))
    name = fields.Field("name", _("Personal name"), widget=TextWidget())
    title = fields.Field("title", _("Job title"), widget=TextWidget())
    short_name = fields.Field("short_name", _("Short name"), widget=TextWidget())
    full_name = fields.Field("full_name", _("Full name"), widget=TextWidget())
    category = fields.Field("category", _("Category"), widget=LabelChoiceWidget(Category.choices))
    protocol_order = fields.Field("protocol_order", _("Protocol order"), widget=PositiveIntWidget(default=100))
    mailing_address = fields.Field("mailing_address", _("Mailing address"), widget=TextWidget())
    contact = fields.Field("contact", _("Contact"), widget=TextWidget())
    channel = fields.Field("channel", _("Delivery channel"), widget=LabelChoiceWidget(Channel.choices))
    default_copies = fields.Field("default_copies", _("Default copies"), widget=PositiveIntWidget(default=1))
    is_active = fields.Field("is_active", _("Still in use"), widget=YesNoWidget())

    REQUIRED_HEADERS = ("kind", "name", "title", "short_name", "category")

    class Meta:
        model = Recipient
        fields = RECIPIENT_FIELDS
        import_id_fields = ()
        use_bulk = True
        batch_size = 2000
        skip_diff = False
        clean_model_instances = False
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Column titles are lazy translations; import-export hashes and compares them for every
        # cell, which made a 10,000-row import spend a third of its time in gettext. A resource
        # lives for one request, in one language: resolve them once.
        for field in self.fields.values():
            field.column_name = str(field.column_name)
        self._existing: dict[str, Recipient] = {}
        self._seen: dict[str, int] = {}

    @classmethod
    def get_result_class(cls):
        return SpreadsheetResult

    def import_data(self, dataset, **kwargs):
        result = super().import_data(dataset, **kwargs)
        # What the admin's preview lists above its table, worded as the service words it.
        result.spreadsheet_messages = import_error_messages(result, self)
        return result

    # --- the whole file -------------------------------------------------------------------
    def column_label(self, attribute: str) -> str:
        return str(self.fields[attribute].column_name)

    def before_import(self, dataset, **kwargs):
        """Headers first: a file with the wrong columns is refused before any row is read."""
        headers = [str(h).strip() if h is not None else "" for h in (dataset.headers or [])]
        dataset.headers = headers
        known = {self.column_label(name) for name in self._meta.fields}
        missing = [self.column_label(name) for name in self.REQUIRED_HEADERS if self.column_label(name) not in headers]
        unknown = [h for h in headers if h and h not in known]
        if missing or unknown:
            # Nothing of a file with the wrong columns is read.
            dataset.wipe()
            raise ValidationError(
                gettext(
                    "Wrong column headers. Missing: %(missing)s; not recognised: %(unknown)s. Expected: %(expected)s."
                )
                % {
                    "missing": "、".join(missing) or gettext("none"),
                    "unknown": "、".join(unknown) or gettext("none"),
                    "expected": "、".join(self.column_label(n) for n in self._meta.fields),
                }
            )
        self._existing = {r.printed_name: r for r in Recipient.objects.all()}
        self._seen = {}

    def get_instance(self, instance_loader, row):
        return self._existing.get(self._printed_name(row))

    def _cell(self, row, attribute) -> str:
        value = row.get(self.column_label(attribute))
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def _printed_name(self, row) -> str:
        kind_label = self._cell(row, "kind")
        if kind_label in (str(Recipient.Kind.BODY.label), Recipient.Kind.BODY.value):
            return self._cell(row, "short_name")
        return self._cell(row, "name") + self._cell(row, "title")

    # --- one row --------------------------------------------------------------------------
    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        required = gettext("This cell is required.")
        if not instance.kind and "kind" not in errors:
            errors["kind"] = [required]
        if not instance.category and "category" not in errors:
            errors["category"] = [required]
        if not instance.channel:
            instance.channel = Channel.COURIER
        if instance.kind == Recipient.Kind.BODY and not instance.short_name and "short_name" not in errors:
            errors["short_name"] = [required]
        if instance.kind == Recipient.Kind.PERSON and not instance.title and "title" not in errors:
            errors["title"] = [required]
        printed = instance.compute_printed_name()
        line = kwargs.get("row_number")
        if printed and not errors:
            if printed in self._seen:
                key = "short_name" if instance.kind == Recipient.Kind.BODY else "title"
                errors[key] = [
                    gettext("Duplicate recipient “%(name)s”: already on row %(row)s.")
                    % {"name": printed, "row": self._seen[printed]}
                ]
            else:
                self._seen[printed] = line
        for attribute, limit in (("name", 30), ("title", 50), ("short_name", 50), ("full_name", 100)):
            if len(getattr(instance, attribute) or "") > limit and attribute not in errors:
                errors[attribute] = [gettext("At most %(limit)s characters.") % {"limit": limit}]
        if errors:
            # Keyed by the Chinese column header, so the admin's preview names the column.
            raise ValidationError({self.column_label(k) if k in self.fields else k: v for k, v in errors.items()})
        instance.printed_name = printed

    def import_row(self, row, instance_loader, **kwargs):
        # Row numbers as the spreadsheet shows them: the header is row 1.
        kwargs["row_number"] = (kwargs.get("row_number") or 0) + 1
        return super().import_row(row, instance_loader, **kwargs)

    def dehydrate_kind(self, obj):
        return str(obj.get_kind_display())


class RecipientFastResource(RecipientResource):
    """The same rules without the per-row diff (for command-line and large imports)."""

    class Meta(RecipientResource.Meta):
        skip_diff = True


@dataclass
class DispatchRow:
    serial: int
    printed_name: str
    full_name: str
    category: str
    copies: int
    copy_numbers: str
    channel: str
    mailing_address: str
    contact: str


class DistributionResource(EscapingResourceMixin, resources.Resource):
    """An issue's distribution, in print order."""

    serial = fields.Field("serial", _("No."), widget=widgets.IntegerWidget(coerce_to_string=False))
    category = fields.Field("category", _("Category"), widget=LabelChoiceWidget(Category.choices))
    printed_name = fields.Field("printed_name", _("Name as printed"))
    full_name = fields.Field("full_name", _("Full name"))
    copies = fields.Field("copies", _("Copies"), widget=widgets.IntegerWidget(coerce_to_string=False))
    channel = fields.Field("channel", _("Delivery channel"), widget=LabelChoiceWidget(Channel.choices))
    mailing_address = fields.Field("mailing_address", _("Mailing address"))
    contact = fields.Field("contact", _("Contact"))

    class Meta:
        fields = ("serial", "category", "printed_name", "full_name", "copies", "channel", "mailing_address", "contact")


class DispatchSheetResource(EscapingResourceMixin, resources.Resource):
    """发文签收单: one row per recipient with copies, copy numbers, channel, and blank columns for
    the signature and the date."""

    serial = fields.Field("serial", _("No."), widget=widgets.IntegerWidget(coerce_to_string=False))
    printed_name = fields.Field("printed_name", _("Addressee"))
    full_name = fields.Field("full_name", _("Full name"))
    copies = fields.Field("copies", _("Copies"), widget=widgets.IntegerWidget(coerce_to_string=False))
    copy_numbers = fields.Field("copy_numbers", _("Copy numbers"))
    channel = fields.Field("channel", _("Delivery channel"), widget=LabelChoiceWidget(Channel.choices))
    signer = fields.Field(column_name=_("Signature"), dehydrate_method="blank")
    signed_on = fields.Field(column_name=_("Date signed"), dehydrate_method="blank")

    class Meta:
        fields = ("serial", "printed_name", "full_name", "copies", "copy_numbers", "channel", "signer", "signed_on")

    def blank(self, obj):
        return ""

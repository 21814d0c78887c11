"""Import and export definitions. ``RecipientResource`` (django-import-export) is the engine of
the recipient import (admin upload → preview → confirm, the service, ``manage.py
import_recipients``) and of the plain recipient export (CSV/XLSX data through tablib): Chinese
column headers, one widget per cell rule, the printed name as the natural key, bulk writes.

What the library does not do, and we keep around it:
- reading the upload: ``tables.read_table`` checks size, rows and zip inflation before parsing
  and words every refusal in Chinese (the library's formats have no limits and English errors);
- the pages: our own Chinese upload → preview → confirm views, not the library's stock admin;
- printed sheets (dispatch sheet, distribution list, 签收情况): ``sheets.py`` lays them out for
  A4 with openpyxl; the library has no print layout.
"""

import csv
import io
import logging

import tablib
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from .exceptions import ImportRejected
from .models import Category, Channel, Recipient
from .sheets import CSV_CHUNK_ROWS, FORMULA_FIRST_CHARACTERS, encoding_without_bom, escape_formula

logger = logging.getLogger(__name__)

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
# Columns the import adds to the dataset it reads: the spreadsheet's row number (for messages)
# and the printed name (the natural key). Not resource columns of the file.
ROW_COLUMN = "__row__"
PRINTED_NAME_COLUMN = "__printed_name__"


def recipient_headers() -> dict[str, str]:
    """Field name → Chinese column title (the model's verbose names)."""
    return {name: str(Recipient._meta.get_field(name).verbose_name) for name in RECIPIENT_FIELDS}


def cell_text(value) -> str:
    """A cell as the text the widgets read: 10.0 from a spreadsheet is 10, None is empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- widgets: one cell rule each ------------------------------------------------------------------


class TextWidget(widgets.Widget):
    """Trimmed text of at most ``limit`` characters."""

    # Its export renders text as it is (the library's Widget.render: None as empty, which the
    # csv module writes the same): RecipientResource.csv_chunks writes the value.
    export_as_is = True

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if len(text) > self.limit:
            raise ValueError(_("At most %(limit)s characters.") % {"limit": self.limit})
        return text


class ChoiceLabelWidget(widgets.Widget):
    """A choice written by its Chinese label (the code is accepted too); empty gives the default,
    or is refused when there is none."""

    def __init__(self, choices, default=None):
        super().__init__()
        self.choices = choices
        self.default = default
        self._codes: dict[str, str] = {}
        self._language = None
        self._labels: dict[str, str] = {}
        self._labels_language = None

    def codes(self) -> dict[str, str]:
        """Label (and code) → code in the active language; built once per language, not per cell."""
        language = translation.get_language()
        if language != self._language or not self._codes:
            self._codes = {code: code for code, _label in self.choices}
            self._codes.update((str(label), code) for code, label in self.choices)
            self._language = language
        return self._codes

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.default is None:
                raise ValueError(_("This cell is required."))
            return self.default
        code = self.codes().get(text)
        if code is None:
            raise ValueError(
                _("Unknown value “%(value)s”; expected one of: %(allowed)s.")
                % {"value": text, "allowed": "、".join(str(label) for _code, label in self.choices)}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return self.export_renderer()(value)

    def export_domain(self):
        """The values whose renderings RecipientResource.csv_chunks works out once per export."""
        return [code for code, _label in self.choices]

    def export_renderer(self):
        """Code → label in the active language, translated once (per export, see
        RecipientResource.export_resource) rather than once per cell."""
        language = translation.get_language()
        if language != self._labels_language or not self._labels:
            self._labels = {code: str(label) for code, label in self.choices}
            self._labels_language = language
        labels = self._labels
        return lambda value: labels.get(value, value or "")


class PositiveIntegerWidget(widgets.Widget):
    """A positive whole number (10.0 from a spreadsheet is 10); empty gives the default."""

    def __init__(self, default: int):
        super().__init__(coerce_to_string=False)
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return self.default
        try:
            number = float(text)
        except ValueError:
            raise ValueError(_("Write a whole number.")) from None
        if number <= 0 or not number.is_integer():
            raise ValueError(_("Write a positive whole number."))
        return int(number)

    export_as_is = True

    def render(self, value, obj=None, **kwargs):
        return value  # a number stays a number in the XLSX


class YesNoWidget(widgets.Widget):
    """是/否 (and the usual spellings); empty is 是."""

    def clean(self, value, row=None, **kwargs):
        lowered = cell_text(value).lower()
        if not lowered or lowered in YES:
            return True
        if lowered in NO:
            return False
        raise ValueError(_("Write 是 or 否."))

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"

    def export_domain(self):
        return [True, False]


def _export_renderer(widget):
    renderer = getattr(widget, "export_renderer", None)
    return renderer() if renderer is not None else widget.render


def _field(name: str, widget) -> fields.Field:
    # The column name is set to the Chinese verbose name when the resource is made (the
    # language is known then, not at import time).
    return fields.Field(attribute=name, column_name=name, widget=widget)


class RecipientResource(resources.ModelResource):
    """Recipients as the spreadsheet has them. Every cell rule is a widget; rules across cells
    (a person needs a title, a body a short name; a printed name once per file) are in
    ``import_instance``. A known printed name updates that recipient, a new one is added, in
    bulk; a dry run writes nothing at all."""

    kind = _field("kind", ChoiceLabelWidget(Recipient.Kind.choices))
    name = _field("name", TextWidget(TEXT_LIMITS["name"]))
    title = _field("title", TextWidget(TEXT_LIMITS["title"]))
    short_name = _field("short_name", TextWidget(TEXT_LIMITS["short_name"]))
    full_name = _field("full_name", TextWidget(TEXT_LIMITS["full_name"]))
    category = _field("category", ChoiceLabelWidget(Category.choices))
    protocol_order = _field("protocol_order", PositiveIntegerWidget(default=100))
    mailing_address = _field("mailing_address", TextWidget(TEXT_LIMITS["mailing_address"]))
    contact = _field("contact", TextWidget(TEXT_LIMITS["contact"]))
    channel = _field("channel", ChoiceLabelWidget(Channel.choices, default=Channel.COURIER.value))
    default_copies = _field("default_copies", PositiveIntegerWidget(default=1))
    is_active = _field("is_active", YesNoWidget())
    # The natural key: the name the footer prints (unique in the database).
    printed_name = fields.Field(attribute="printed_name", column_name=PRINTED_NAME_COLUMN)

    class Meta:
        model = Recipient
        fields = (*RECIPIENT_FIELDS, "printed_name")
        import_order = (*RECIPIENT_FIELDS, "printed_name")
        export_order = RECIPIENT_FIELDS
        import_id_fields = ("printed_name",)
        # One query for all the known recipients of the file, not one per row.
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = 1000
        use_transactions = True
        skip_diff = True  # the preview shows a summary and the first rows, never a diff
        clean_model_instances = False  # the widgets check every cell; full_clean would query per row

    def __init__(self, *, progress=None, **kwargs):
        """``progress``: a callable ``progress(done, total, message)`` (a job's), told as rows are checked."""
        super().__init__(**kwargs)
        for name, title in recipient_headers().items():
            self.fields[name].column_name = title
        self._first_row: dict[str, int] = {}
        self._progress = progress
        self._rows_seen = 0
        self._rows_total = 0

    # --- import ---

    def before_import(self, dataset, **kwargs):
        """Adds the printed name (the key the instance loader looks up) to the rows."""
        self._first_row = {}
        self._rows_seen, self._rows_total = 0, len(dataset)
        if PRINTED_NAME_COLUMN in dataset.headers:  # a kept dataset, confirmed after its preview
            return
        column = {name: self.fields[name].column_name for name in ("kind", "name", "title", "short_name")}
        body = {Recipient.Kind.BODY.value, str(Recipient.Kind.BODY.label)}
        printed = [
            cell_text(row[column["short_name"]])
            if cell_text(row[column["kind"]]) in body
            else cell_text(row[column["name"]]) + cell_text(row[column["title"]])
            for row in dataset.dict
        ]
        dataset.append_col(printed, header=PRINTED_NAME_COLUMN)

    def _row_seen(self) -> None:
        """Tell ``progress`` about every 2 % of the rows (and the last): the bar moves, the cache
        is not written per row."""
        self._rows_seen += 1
        step = max(1, self._rows_total // 50)
        if self._progress is not None and (self._rows_seen % step == 0 or self._rows_seen == self._rows_total):
            self._progress(
                self._rows_seen,
                self._rows_total,
                _("Checked %(done)s of %(total)s rows") % {"done": self._rows_seen, "total": self._rows_total},
            )

    def import_instance(self, instance, row, **kwargs):
        self._row_seen()
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        required = ValidationError(_("This cell is required."))
        if "kind" not in errors:
            if instance.kind == Recipient.Kind.BODY and not instance.short_name and "short_name" not in errors:
                errors["short_name"] = [required]
            if instance.kind == Recipient.Kind.PERSON and not instance.title and "title" not in errors:
                errors["title"] = [required]
        instance.printed_name = instance.compute_printed_name()
        if not errors:
            number = row.get(ROW_COLUMN) or kwargs.get("row_number")
            first = self._first_row.setdefault(instance.printed_name, number)
            if first != number:
                key = "short_name" if instance.kind == Recipient.Kind.BODY else "title"
                errors[key] = [
                    ValidationError(
                        _("Duplicate recipient “%(name)s”: already on row %(row)s.")
                        % {"name": instance.printed_name, "row": first}
                    )
                ]
        if errors:
            raise ValidationError(errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # The library writes a dry run and rolls it back; ours checks and counts, and writes nothing.
        if dry_run:
            self.create_instances.clear()
            return
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run:
            self.update_instances.clear()
            return
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)

    # --- export ---

    def get_export_fields(self, selected_fields=None):
        return [f for f in super().get_export_fields(selected_fields) if f.attribute != "printed_name"]

    def export(self, queryset=None, **kwargs):
        self._export_cells = None  # worked out on the first row of this export (export_resource)
        return super().export(queryset, **kwargs)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """The row ``Field.export`` would make — each field's attribute rendered by its widget,
        formulas escaped — with the fields, their renderers and the choices' labels looked up once
        per export: the library looks them up again for every cell (a dozen calls each), which
        was most of a 10,000-row export. No field here has a dehydrate method or a dotted path."""
        plan = getattr(self, "_export_cells", None)
        if plan is None or plan[0] is not selected_fields:
            cells = [
                (field.attribute, _export_renderer(field.widget)) for field in self.get_export_fields(selected_fields)
            ]
            plan = self._export_cells = (selected_fields, cells)
        return [escape_formula(render(getattr(instance, attribute))) for attribute, render in plan[1]]

    def csv_chunks(self, queryset, selected_fields=None, codec: str = "utf-8-sig"):
        """The bytes of ``export(queryset, export_fields=selected_fields).export("csv")`` encoded
        with ``codec`` (a BOM once, at the head), in chunks of a thousand rows, written straight
        from one query's tuples: the library makes a model instance and a dataset row per
        recipient, three times the work of the csv writer itself.

        Driven by the same fields, headers and order as the export; each widget's own ``render``
        decides its cells: a widget with a short list of values (choices, 是/否) renders each of
        them once per export, one whose render leaves the value as it is (text, numbers) is not
        called, any other widget is called per cell. Formula starters are escaped as in
        ``export_field``. The fields are model columns (no dehydrate method, no dotted path)."""
        fields = self.get_export_fields(selected_fields)
        lookups, text_columns, calls = [], [], []
        for index, field in enumerate(fields):
            widget = field.widget
            if hasattr(widget, "export_domain"):
                lookups.append(
                    (index, {value: escape_formula(widget.render(value)) for value in widget.export_domain()}, widget)
                )
            elif getattr(widget, "export_as_is", False):
                text_columns.append(index)  # numbers are skipped by the str test below
            else:
                calls.append((index, widget))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.get_export_headers(selected_fields))
        chunk = []
        first = True
        for values in queryset.values_list(*(field.attribute for field in fields)):
            row = list(values)
            for index, renderings, widget in lookups:
                value = row[index]
                rendered = renderings.get(value)
                row[index] = rendered if rendered is not None else escape_formula(widget.render(value))
            for index in text_columns:
                value = row[index]
                if value.__class__ is str and value[:1] in FORMULA_FIRST_CHARACTERS:
                    row[index] = "'" + value
            for index, widget in calls:
                row[index] = escape_formula(widget.render(row[index]))
            chunk.append(row)
            if len(chunk) == CSV_CHUNK_ROWS:
                writer.writerows(chunk)
                chunk = []
                yield out.getvalue().encode(codec if first else encoding_without_bom(codec))
                first = False
                out.seek(0)
                out.truncate()
        writer.writerows(chunk)
        if chunk or first:
            yield out.getvalue().encode(codec if first else encoding_without_bom(codec))

    def display_row(self, instance, selected_fields=None) -> list:
        """A recipient as the spreadsheet writes it (choice labels, 是/否), unescaped: for print."""
        return [field.export(instance) for field in self.get_export_fields(selected_fields)]

    def export_field(self, field, instance, **kwargs):
        # = + - @ and their full-width forms ＝＋－＠ (Excel and WPS run those too) get a quote. The
        # library's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT knows only the ASCII ones, and works
        # only in its own admin formats, not on ``export()``.
        return escape_formula(super().export_field(field, instance, **kwargs))


def recipient_dataset(headers: list[str], rows: list[tuple[int, tuple]]) -> tablib.Dataset:
    """The rows read from an upload as the dataset ``RecipientResource`` imports: the Chinese
    columns (absent optional ones empty), every cell as text (so the dataset can be kept as JSON
    between preview and confirm), and the spreadsheet's row number. Wrong headers are refused."""
    titles = recipient_headers()
    missing = [titles[name] for name in REQUIRED_HEADERS if titles[name] not in headers]
    unknown = [h for h in headers if h and h not in titles.values()]
    if missing or unknown:
        raise ImportRejected(
            _("Wrong column headers. Missing: %(missing)s; not recognised: %(unknown)s. Expected: %(expected)s.")
            % {
                "missing": "、".join(missing) or _("none"),
                "unknown": "、".join(unknown) or _("none"),
                "expected": "、".join(titles.values()),
            }
        )
    position = [headers.index(title) if title in headers else None for title in titles.values()]
    dataset = tablib.Dataset(headers=[*titles.values(), ROW_COLUMN])
    for number, values in rows:
        dataset.append([cell_text(values[i]) if i is not None and i < len(values) else "" for i in position] + [number])
    return dataset


def dataset_to_json(dataset: tablib.Dataset) -> dict:
    return {"headers": list(dataset.headers), "rows": [list(row) for row in dataset]}


def dataset_from_json(data: dict) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=data["headers"])
    for row in data["rows"]:
        dataset.append(row)
    return dataset


def import_messages(result, dataset: tablib.Dataset) -> list[str]:
    """Every problem of an import result, in Chinese, by spreadsheet row and Chinese column."""
    titles = recipient_headers()
    order = {name: i for i, name in enumerate(RECIPIENT_FIELDS)}
    row_index = dataset.headers.index(ROW_COLUMN) if ROW_COLUMN in dataset.headers else None

    def spreadsheet_row(number: int):
        return dataset[number - 1][row_index] if row_index is not None else number + 1

    messages: list[str] = []
    for invalid in result.invalid_rows:
        row = spreadsheet_row(invalid.number)
        for name in sorted(invalid.error_dict, key=lambda n: order.get(n, len(order))):
            for message in invalid.error_dict[name]:
                if name in titles:
                    messages.append(
                        _("Row %(row)s, column “%(column)s”: %(message)s")
                        % {"row": row, "column": titles[name], "message": message}
                    )
                else:
                    messages.append(_("Row %(row)s: %(message)s") % {"row": row, "message": message})
    for error_row in result.error_rows:
        for error in error_row.errors:
            # An unexpected failure (a database error): logged; the user gets the row, not a trace.
            logger.error("recipient import: row %s failed: %r", error_row.number, error.error)
        messages.append(_("Row %(row)s could not be saved.") % {"row": spreadsheet_row(error_row.number)})
    for error in result.base_errors:
        logger.error("recipient import failed: %r", error.error)
        messages.append(_("The import failed; nothing was saved."))
    return messages


# --- the dispatch sheet read back (receipts) -------------------------------------------------


def dispatch_sheet_labels() -> dict[str, str]:
    """The dispatch sheet's column titles the receipts import reads."""
    return {
        "printed_name": str(gettext_lazy("Addressee")),
        "copy_numbers": str(gettext_lazy("Copy numbers")),
        "signer": str(gettext_lazy("Signature")),
        "signed_on": str(gettext_lazy("Date signed")),
    }

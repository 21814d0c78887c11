"""Imports with limits (issue 10, finding 3) and contact data only for 发行 and the administrator
(finding 9): size and row caps refused before parsing, an XLSX zip bomb refused before it is
read, a preview that shows a summary and the first rows, Chinese messages only."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from circulation import services
from circulation.exceptions import ImportRejected
from circulation.models import Recipient
from tests.factories import RecipientFactory, role_user
from zhiku import roles

from .files import bad_category_csv, make_csv, make_xlsx, person_row

pytestmark = pytest.mark.django_db


def _upload(client, data, name):
    return client.post(
        reverse("admin:circulation_recipient_import"), {"import_file": SimpleUploadedFile(name, data), "preview": "1"}
    )


def test_file_over_the_size_cap_is_refused_before_parsing(client, clerk, settings, monkeypatch):
    """Over CIRCULATION_IMPORT_MAX_BYTES the file is refused in Chinese, and nothing parses it."""
    settings.CIRCULATION_IMPORT_MAX_BYTES = 1024
    from circulation import tables

    monkeypatch.setattr(tables, "_csv_rows", lambda data: pytest.fail("parsed an oversized file"))
    client.force_login(clerk)
    html = _upload(client, make_csv([person_row(n) for n in range(1, 100)]), "r.csv").content.decode()
    assert "文件过大：最多 0.0 MB。" in html or "文件过大" in html
    assert Recipient.objects.count() == 0


def test_row_cap(clerk, settings):
    """More rows than CIRCULATION_IMPORT_MAX_ROWS: refused in Chinese (CSV before parsing, XLSX
    while reading, without reading the rest)."""
    settings.CIRCULATION_IMPORT_MAX_ROWS = 100
    rows = [person_row(n) for n in range(1, 200)]
    for data, name in ((make_csv(rows), "r.csv"), (make_xlsx(rows), "r.xlsx")):
        with pytest.raises(ImportRejected) as exc:
            services.recipients_import(data=data, file_name=name, user=clerk)
        assert exc.value.messages == ["文件超过 100 行，请拆分成较小的文件。"]
    assert Recipient.objects.count() == 0


def _bomb() -> bytes:
    """A small XLSX whose shared strings inflate to 80 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_xlsx([person_row(1)]))) as source, zipfile.ZipFile(
        buffer, "w", zipfile.ZIP_DEFLATED
    ) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/padding.xml", b" " * (80 * 1024 * 1024))
    return buffer.getvalue()


def test_xlsx_that_inflates_too_far_is_refused_before_it_is_read(clerk, monkeypatch):
    data = _bomb()
    assert len(data) < 1024 * 1024
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened the bomb"))
    with pytest.raises(ImportRejected) as exc:
        services.recipients_import(data=data, file_name="bomb.xlsx", user=clerk)
    assert "解压后为 80 MB" in exc.value.messages[0]


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 not really a zip", b"\x00\x01garbage"],
)
def test_broken_files_get_a_chinese_message(client, clerk, data):
    """No 'BadZipFile' or library words on the page."""
    client.force_login(clerk)
    html = _upload(client, data, "r.xlsx").content.decode()
    assert "无法按 XLSX 读取该文件。" in html
    assert "BadZipFile" not in html and "InvalidDimensions" not in html and "Traceback" not in html


def test_workbook_with_wrong_dimensions_is_read(clerk):
    """A workbook whose stored dimension is wrong (A1:B2 for 12 columns and 3 rows) is read by its
    rows, not by what it claims."""
    data = make_xlsx([person_row(1), person_row(2)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = content.replace(b"<sheetData>", b'<dimension ref="A1:B2"/><sheetData>', 1)
            target.writestr(item, content)
    summary = services.recipients_import(data=buffer.getvalue(), file_name="r.xlsx", user=clerk)
    assert summary.created == 2


def test_preview_shows_summary_errors_and_only_the_first_rows(client, clerk):
    """1,000 valid rows: the preview says how many and shows 20 of them, not all."""
    client.force_login(clerk)
    response = _upload(client, make_csv([person_row(n) for n in range(1, 1001)]), "r.csv")
    html = response.content.decode()
    assert "共 1000 行，全部有效" in html and "前 20 行" in html
    assert "<td>测试00020</td>" in html and "测试00021" not in html
    assert len(html) < 100_000


def test_preview_lists_every_error(client, clerk):
    rows = [person_row(n) for n in range(1, 101)]
    for n in (10, 50, 90):
        rows[n][5] = "抄"
    client.force_login(clerk)
    html = _upload(client, make_csv(rows), "r.csv").content.decode()
    assert "共 3 处问题" in html
    for row in (12, 52, 92):
        assert "第 %s 行“类别”列" % row in html  # noqa: UP031


def test_import_command_on_the_same_path(tmp_path, clerk, capsys):
    """manage.py import_recipients FILE [--dry-run]: the dry run saves nothing; errors are Chinese."""
    path = tmp_path / "r.csv"
    path.write_bytes(make_csv([person_row(1), person_row(2)], encoding="gbk"))
    out = io.StringIO()
    call_command("import_recipients", str(path), "--dry-run", "--user", clerk.username, stdout=out)
    assert "已检查，未保存" in out.getvalue() and Recipient.objects.count() == 0
    call_command("import_recipients", str(path), "--user", clerk.username, stdout=out)
    assert Recipient.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(bad_category_csv())
    with pytest.raises(CommandError) as exc:
        call_command("import_recipients", str(bad), "--user", clerk.username, stdout=out)
    assert "第 2 行“类别”列" in str(exc.value)


@pytest.mark.parametrize("role", [roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER])
def test_contact_data_hidden_from_other_roles(client, role):
    """Other staff see a recipient's page but not its address or phone number."""
    recipient = RecipientFactory(name="甲", title="书记", mailing_address="人民路 1 号机要室", contact="0512-66668888")
    client.force_login(role_user(role, username="u-" + role))
    html = client.get(reverse("admin:circulation_recipient_change", args=[recipient.pk])).content.decode()
    assert "甲" in html and "人民路 1 号机要室" not in html and "0512-66668888" not in html


@pytest.mark.parametrize("role", [roles.CIRCULATION, roles.ADMINISTRATOR])
def test_contact_data_visible_to_circulation_and_administrator(client, role):
    recipient = RecipientFactory(name="甲", title="书记", mailing_address="人民路 1 号机要室", contact="0512-66668888")
    client.force_login(role_user(role, username="u-" + role))
    response = client.get(reverse("admin:circulation_recipient_change", args=[recipient.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "人民路 1 号机要室" in html and "0512-66668888" in html

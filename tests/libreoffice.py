"""LibreOffice as an office uses it: a file converted to PDF (``soffice --headless``), for tests
that check how our Word and Excel files print outside Microsoft Office."""

import shutil
import subprocess
from pathlib import Path

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


def libreoffice_pdf(tmp_path: Path, data: bytes, name: str) -> Path:
    """Write ``data`` as ``tmp_path/name``, convert it with a private profile (parallel runs don't
    clash) and return the PDF's path."""
    source = tmp_path / name
    source.write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()
    command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    return source.with_suffix(".pdf")

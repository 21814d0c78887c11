"""System checks for what the machine must have for printing: CJK fonts and harfbuzz-subset.

They warn (not fail) so the admin still runs; the message says what to install on Debian/Ubuntu.
They run on every manage.py command, so they only ask fontconfig's cache (fc-list, ~10 ms) and
the linker cache; WeasyPrint itself is never imported here (that alone takes half a second).
"""

import ctypes.util
import shutil
import subprocess

from django.conf import settings
from django.core.checks import Warning, register

INSTALL_HINT = "sudo apt-get install -y fonts-noto-cjk fonts-lxgw-wenkai libharfbuzz-subset0"


def _installed_families() -> set[str] | None:
    """Family names fontconfig knows for Chinese, or None when fontconfig cannot be asked."""
    if not shutil.which("fc-list"):
        return None
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in out.splitlines() for name in line.split(",")}


@register("zhiku")
def check_printing_dependencies(app_configs, **kwargs):
    warnings = []
    if ctypes.util.find_library("harfbuzz-subset") is None:
        warnings.append(
            Warning(
                "libharfbuzz-subset0 is missing: PDF rendering falls back to fontTools and takes tens of seconds.",
                hint=INSTALL_HINT,
                id="zhiku.W001",
            )
        )
    families = _installed_families()
    if families is None:
        warnings.append(
            Warning(
                "fontconfig (fc-list) is not available: fonts for printing cannot be found.",
                hint="sudo apt-get install -y fontconfig",
                id="zhiku.W003",
            )
        )
        return warnings
    if not {"Noto Serif CJK SC", "Noto Sans CJK SC"} <= families:
        warnings.append(
            Warning(
                "Noto CJK SC fonts are missing: printed Chinese text would use wrong or missing glyphs.",
                hint=INSTALL_HINT,
                id="zhiku.W002",
            )
        )
    # Every stack in ZHIKU_FONTS needs one installed font, or Pango silently picks any font.
    for role, stack in getattr(settings, "ZHIKU_FONTS", {}).items():
        if not families.intersection(stack):
            warnings.append(
                Warning(
                    "No font of the ZHIKU_FONTS['{}'] stack is installed ({}).".format(role, ", ".join(stack)),
                    hint=INSTALL_HINT,
                    id="zhiku.W004",
                )
            )
    return warnings

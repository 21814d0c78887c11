"""System checks for what the machine must have for printing: CJK fonts and harfbuzz-subset.

They warn (not fail) so the admin still runs; the message says what to install on Debian/Ubuntu.
"""

import ctypes.util
import shutil
import subprocess

from django.core.checks import Warning, register

INSTALL_HINT = "sudo apt-get install -y fonts-noto-cjk fonts-lxgw-wenkai libharfbuzz-subset0"


def _installed_families() -> set[str]:
    if not shutil.which("fc-list"):
        return set()
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
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
    if not {"Noto Serif CJK SC", "Noto Sans CJK SC"} <= families:
        warnings.append(
            Warning(
                "Noto CJK SC fonts are missing: printed Chinese text would use wrong or missing glyphs.",
                hint=INSTALL_HINT,
                id="zhiku.W002",
            )
        )
    return warnings

"""The locks (requirements*.lock, what `make` installs) pin what requirements*.txt ask for."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#\\]+)")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


@pytest.mark.parametrize("wanted, lock", [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")])
def test_lock_pins_every_requirement_at_its_version(wanted, lock):
    """After editing requirements*.txt, `make lock` must be run: a package missing from the lock,
    or locked at another version, fails here."""
    asked, locked = _pins(ROOT / wanted), _pins(ROOT / lock)
    assert {name: (version, locked.get(name)) for name, version in asked.items() if locked.get(name) != version} == {}


def test_dev_lock_holds_the_runtime_lock():
    """The development lock (what make installs) has every runtime package at the runtime version."""
    runtime, dev = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    assert {name: (v, dev.get(name)) for name, v in runtime.items() if dev.get(name) != v} == {}

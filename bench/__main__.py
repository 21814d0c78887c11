"""`make bench`: run every bench/bench_*.py module's ``main()`` in turn.

Benchmarks are never part of the test run. Each prints its figures and a ratio against a
baseline measured in the same run, so the numbers mean something on any machine.
Run one with `python -m bench NAME` (e.g. `python -m bench pdf`).
"""

import importlib
import logging
import os
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiku.settings.test")
    import django

    django.setup()
    # The request log and django-axes' login notes would bury the figures; warnings still show.
    logging.disable(logging.INFO)
    wanted = set(argv)
    names = sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_")
    )
    for name in names:
        if wanted and name.removeprefix("bench_") not in wanted:
            continue
        print("=== %s ===" % name, flush=True)
        importlib.import_module("bench." + name).main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

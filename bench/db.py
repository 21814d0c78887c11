"""A throwaway database for benchmarks: Django's test-database machinery, outside pytest."""

from contextlib import contextmanager


@contextmanager
def bench_database():
    """Create a fresh test database (SQLite file or PostgreSQL, by DATABASE_URL), migrate, yield, drop."""
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        yield
    finally:
        runner.teardown_databases(old_config)
        teardown_test_environment()

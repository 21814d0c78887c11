"""Job functions the tests enqueue (jobs take a dotted path, so they live in a module)."""

CALLS: list = []


def add(*, a: int, b: int, progress) -> dict:
    CALLS.append(("add", a, b))
    progress(1, 2, "已算一半")
    return {"sum": a + b}


def flaky(*, fail_times: int) -> str:
    """Raises on its first ``fail_times`` calls, then succeeds."""
    CALLS.append(("flaky", fail_times))
    if sum(1 for call in CALLS if call[0] == "flaky") <= fail_times:
        raise ConnectionError("temporary failure")
    return "ok"


def record_sent(*, event: int) -> None:
    CALLS.append(("sent", event))

"""Helpers for the query-count tests: a page runs the same number of queries at two data sizes."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_queries(client, path: str) -> int:
    """How many queries one GET of the page runs (it must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def assert_queries_do_not_grow(client, path: str, grow: Callable[[], object]) -> None:
    """Grow the data once, count; grow it four more times, count again: the counts must match."""
    grow()
    page_queries(client, path)  # a warm-up: one-off work for a new session (sign-in checks) is not the page's
    small = page_queries(client, path)
    for _ in range(4):
        grow()
    assert page_queries(client, path) == small

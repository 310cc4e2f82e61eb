"""The read: figures from the cache, or worked out and kept there, under their data versions."""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from django.core.cache import cache

from coachprog.figures.models import DataVersion, Topic

T = TypeVar("T")
# Keys name the day the figures are for, so yesterday's are never read again; this only frees memory.
KEEP_SECONDS = 2 * 24 * 3600


def data_versions(topics: Iterable[Topic]) -> tuple[str, ...]:
    """The topics' current versions, in one query ("" for a topic whose data never changed here)."""
    topics = sorted(set(topics))
    tokens = dict(DataVersion.objects.filter(topic__in=topics).values_list("topic", "token"))
    return tuple(tokens.get(topic, "") for topic in topics)


def cached_figures(
    name: str, *, topics: Iterable[Topic], parts: Sequence[object], compute: Callable[[], T]
) -> T:
    """`compute()`, kept in the cache until the data of any of `topics` changes.

    `parts` are whatever else the figures depend on (the day, settings). A miss works the figures
    out and keeps them only if no topic changed meanwhile, so figures from a mix of old and new
    data are never kept.
    """
    topics = list(topics)
    versions = data_versions(topics)
    digest = hashlib.sha256(repr((tuple(parts), versions)).encode()).hexdigest()[:32]
    key = f"figures:{name}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    value = compute()
    if data_versions(topics) == versions:
        cache.set(key, value, KEEP_SECONDS)
    return value

"""Figures worked out once per change of the data they read, and kept in the cache.

Some figures read a lot of rows (programme health's run charts read every project's score history
and a year of meetings). They are kept in the cache under a key made of the *data versions* of what
they read: one row per topic (meetings, progress scores …) in `DataVersion`. Each service that
changes such data calls `data_versions_bump(topic)` after its writes, in its own transaction, so the
new version is seen exactly when the new data is, and the next read works the figures out afresh.
Nothing expires by time, and a cache miss (an empty or unreachable Redis) gives the same figures.

The versions live in the database rather than the cache so that they commit with the data, and
survive a Redis outage: while Redis is down the cache falls back to the database's, and versions
kept there would have been out of date once Redis answered again.
"""

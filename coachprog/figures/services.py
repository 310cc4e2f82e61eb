"""The one write: a topic's data changed."""

from uuid import uuid4

from coachprog.figures.models import DataVersion, Topic


def data_versions_bump(*topics: Topic) -> None:
    """Give each topic a new version, so figures cached from its data are worked out again.

    Call it after the writes, inside the service's transaction: the new version commits with the
    data (a reader that sees it sees the data), and the row lock it takes is held only until the
    commit. One statement for every topic, so two services never lock the rows in different orders.
    """
    token = uuid4().hex
    topics = sorted(set(topics))
    if DataVersion.objects.filter(topic__in=topics).update(token=token) < len(topics):
        for topic in topics:  # the first change of a topic ever: its row is made now
            DataVersion.objects.update_or_create(topic=topic, defaults={"token": token})

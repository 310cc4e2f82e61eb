"""Each confidential field's many-rows rule (Confidential.readable_among, used by the admin's
lists and the downloads) agrees with its row-by-row rule (may_read, the pages' rule), for every
demo role on every row of the demo programme: the two forms of one rule may never drift apart."""

import pytest

from coachprog.accounts.models import User
from coachprog.privacy import _personal_data, field_readable, rows_readable
from tests.coachprog.world import EMAILS, build_world

RULES = [
    pytest.param(entry.model, rule, id=f"{entry.model._meta.label}-{'+'.join(rule.fields)}")
    for entry in _personal_data.values()
    for rule in entry.confidential
    if rule.readable_among is not None
]


@pytest.fixture(scope="module")
def world(demo, django_db_blocker):
    with django_db_blocker.unblock():
        return build_world()


@pytest.mark.parametrize(("model", "rule"), RULES)
def test_the_many_rows_rule_agrees_with_the_row_by_row_rule_for_every_role(demo_db, world, model, rule):
    rows = list(model._default_manager.order_by("pk")[:300])
    assert rows, f"the demo programme has no {model._meta.verbose_name_plural} to compare on"

    for role, email in EMAILS.items():
        person = User.objects.get(email=email)
        row_by_row = {row.pk for row in rows if field_readable(person, row, rule)}

        assert rows_readable(person, rows, rule) == row_by_row, f"{role} on {model._meta.label} {rule.fields}"

"""Writes for a cohort's subscribable calendar link: issue (or replace) and revoke its secret."""

import secrets

from django.db import transaction
from django.utils import timezone

from coachprog.accounts.models import User
from cohorts.models import Cohort, CohortCalendarToken


@transaction.atomic
def cohort_calendar_token_issue(*, cohort: Cohort, issued_by: User) -> CohortCalendarToken:
    """A new secret for the cohort's feed; any earlier link stops working at once."""
    token, _ = CohortCalendarToken.objects.update_or_create(
        cohort=cohort,
        defaults={"token": secrets.token_urlsafe(32), "created_by": issued_by, "created_at": timezone.now()},
    )
    return token


def cohort_calendar_token_revoke(*, cohort: Cohort) -> bool:
    """Switch the cohort's feed link off; True if there was one. Subscribed calendars stop updating."""
    deleted, _ = CohortCalendarToken.objects.filter(cohort=cohort).delete()
    return bool(deleted)

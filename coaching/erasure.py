"""What erasing a departed person means for coaching (registered with coachprog.privacy at start-up)."""

from django.db.models import Q
from django.utils import timezone

from coaching.models import Assignment, CoachProfile, NextStep, SupervisionLog
from coachprog.privacy import erased_name


def coaching_erasure_blockers(person) -> list[str]:
    """Teams and supervisees must be handed over before their coach or supervisor is erased."""
    reasons = [
        f"{person} coaches {assignment.project}: end the assignment first."
        for assignment in Assignment.objects.filter(coach=person)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()))
        .select_related("project")
    ]
    reasons += [
        f"{person} supervises {profile.coach}: choose another supervisor first."
        for profile in CoachProfile.objects.filter(supervisor=person, is_active=True).select_related("coach")
    ]
    return reasons


def coaching_erase(person) -> None:
    """Private reflections are the coach's alone, so they go; logs, notes and updates stay as history.

    A next step owned by the person by name (the owner is typed, not linked) is given the placeholder
    name that replaces theirs everywhere else.
    """
    SupervisionLog.objects.filter(coach=person).update(reflection="", reflection_shared=False)
    CoachProfile.objects.filter(coach=person).update(is_active=False)
    if person.display_name.strip():
        owner = {"owner": erased_name(person)}
        NextStep.objects.filter(owner__iexact=person.display_name.strip()).update(**owner)
        NextStep.history.filter(owner__iexact=person.display_name.strip()).update(**owner)

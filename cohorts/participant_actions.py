"""Actions other apps offer beside a cohort's participants.

`cohorts` cannot import `coaching`, yet a programme lead makes a participant who completed
the cohort a coach straight from the participants page. Coaching registers a provider here
at start-up; the page shows what each provider offers for each enrolment.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cohorts.models import Cohort, Enrolment


@dataclass(frozen=True)
class ParticipantAction:
    label: str
    url: str
    primary: bool = False  # the one action the page wants a lead to notice


# Given the user and the enrolments shown, the actions for each enrolment by its pk (a few queries in all).
ParticipantActions = Callable[[object, Cohort, Sequence[Enrolment]], dict[int, list[ParticipantAction]]]
_providers: list[ParticipantActions] = []


def register_participant_actions(provider: ParticipantActions) -> None:
    if provider not in _providers:
        _providers.append(provider)


def attach_participant_actions(user, cohort: Cohort, enrolments: Sequence[Enrolment]) -> None:
    """Set `enrolment.actions` on each enrolment: every provider's actions, in registration order."""
    for enrolment in enrolments:
        enrolment.actions = []
    for provider in _providers:
        offered = provider(user, cohort, enrolments)
        for enrolment in enrolments:
            enrolment.actions.extend(offered.get(enrolment.pk, []))

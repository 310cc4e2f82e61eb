"""The demo programme's objects that the URL matrix and the form fuzzing point at.

Roles are the demo accounts around the discharge project (its team member, coach and
sponsor) and the people who must not see it (the other coach and sponsor), with the QI
lead and a programme lead; Cohort 10 is where both coaches trained.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from coaching.models import Assignment, CoachProfile, MeetingLog, MonthlyUpdate, SupervisionLog
from coaching.services import assignment_start
from coachprog.accounts.models import User
from coachprog.accounts.services import invitation_send, invitation_token
from coachprog.outbox.models import Message
from coachprog.outbox.services import unsubscribe_token
from cohorts.models import Application, Cohort, Enrolment, Session
from cohorts.services import calendar_token_issue, cohort_calendar_token_issue
from cohorts.services.applications import application_manager_token
from projects.models import ChartNote, DriverNode, MeasurePhase, Project
from projects.services import project_close, project_create, team_member_add

EMAILS = {
    "member": "member@example.org",
    "coach": "coach@example.org",
    "other_coach": "coach2@example.org",
    "sponsor": "sponsor@example.org",
    "other_sponsor": "sponsor2@example.org",
    "qi_lead": "qilead@example.org",
    "lead": "lead@example.org",
}


@dataclass
class World:
    """The demo objects URLs point at, by name (`values`), e.g. world.values["project"]."""

    values: dict


def build_world() -> World:
    """Look up (and add the few missing) demo objects; call inside the demo's module transaction."""
    project = Project.objects.get(title="Timely discharge summaries")
    measure = project.measures.order_by("pk").first()
    coach = User.objects.get(email=EMAILS["coach"])
    cohort = Cohort.objects.get(number=10)
    session = cohort.sessions.filter(kind=Session.Kind.WORKSHOP).order_by("starts_at").first()
    cohort11 = Cohort.objects.get(number=11)
    future_session = cohort11.sessions.order_by("starts_at").first()
    enrolment = Enrolment.objects.get(cohort=cohort, participant=coach)
    points = list(measure.data_points.order_by("period"))
    phase = MeasurePhase.objects.create(
        measure=measure, starts_on=points[len(points) // 2].period, reason="Matrix", created_by=coach
    )
    invitation = invitation_send(
        email="newcomer@example.org", invited_by=User.objects.get(email=EMAILS["lead"])
    )
    pending = Application.objects.filter(cohort=cohort11, status=Application.Status.SUBMITTED).first()
    closed_project = _closed_project(project, coach)
    return World(
        values={
            "cohort": cohort.pk,
            "session": session.pk,
            "material": session.materials.first().pk,
            "enrolment": enrolment.pk,
            "future_session": future_session.pk,
            "cohort11": cohort11.pk,
            "manager_token": application_manager_token(pending),
            "pending_application": pending.pk,
            "calendar_token": calendar_token_issue(person=coach).token,
            "cohort_calendar_token": cohort_calendar_token_issue(
                cohort=cohort, issued_by=User.objects.get(email=EMAILS["lead"])
            ).token,
            "project": project.pk,
            # A completed project in the same directorate, with the same sponsor, team member and coach.
            "closed_project": closed_project.pk,
            "membership": project.memberships.get(person__email=EMAILS["member"]).pk,
            "measure": measure.pk,
            "pdsa": project.pdsa_cycles.order_by("pk").first().pk,
            "node": DriverNode.objects.filter(project=project).order_by("pk").first().pk,
            "phase": phase.pk,
            "point": points[0].pk,
            "note": ChartNote.objects.filter(measure__project=project).first().pk,
            "meeting": MeetingLog.objects.filter(project=project, coach=coach).order_by("-met_on").first().pk,
            "supervision": SupervisionLog.objects.filter(coach=coach).order_by("-held_on").first().pk,
            "update": MonthlyUpdate.objects.filter(project=project, status="ready")
            .order_by("-month")
            .first()
            .pk,
            "draft": MonthlyUpdate.objects.get(project=project, status="draft").pk,
            "member": User.objects.get(email=EMAILS["member"]).pk,
            "assignment": Assignment.objects.get(project=project, coach=coach, ends_on__isnull=True).pk,
            "coach_profile": CoachProfile.objects.get(coach=coach).pk,
            # People and structure: the demo programme, the coach's directorate (Newham), whose QI
            # lead is the demo QI lead, and the demo's only programme lead.
            "programme": cohort.programme_id,
            "directorate": coach.organisation_unit_id,
            "qi_lead_user": User.objects.get(email=EMAILS["qi_lead"]).pk,
            "lead_user": User.objects.get(email=EMAILS["lead"]).pk,
            "invitation": invitation.pk,
            "notification": Message.objects.create(
                key="matrix:notification",
                kind=Message.Kind.GENERAL,
                recipient=coach,
                to_address=coach.email,
                subject="Hello",
                text="Hello.",
                html="<p>Hello.</p>",
                status=Message.Status.SENT,
                next_attempt_at=timezone.now(),
                claimed_at=timezone.now(),
                sent_at=timezone.now(),
            ).pk,
            "failed_message": Message.objects.create(
                key="matrix:failed",
                kind=Message.Kind.GENERAL,
                to_address="nobody@example.org",
                subject="Bounced",
                text="Hello.",
                html="<p>Hello.</p>",
                status=Message.Status.FAILED,
                next_attempt_at=timezone.now(),
                last_error="550 No such user",
            ).pk,
            "unsubscribe_token": unsubscribe_token(user_id=coach.pk, kind="coach_nudge"),
            "invitation_token": invitation_token(invitation),
        }
    )


def _closed_project(project: Project, coach: User) -> Project:
    """A completed project around the discharge project's people: its team member, coach and sponsor."""
    lead = User.objects.get(email=EMAILS["lead"])
    today = timezone.localdate()
    closed = project_create(
        title="Discharge lounge pilot",
        directorate=project.directorate,
        aim_what="Increase the discharges through the lounge before noon",
        aim_how_much="to 60%",
        aim_by_when=today,
        sponsor=project.sponsor,
        started_on=today - timedelta(days=200),
        created_by=lead,
    )
    team_member_add(project=closed, person=User.objects.get(email=EMAILS["member"]))
    assignment_start(coach=coach, project=closed, starts_on=today - timedelta(days=200), assigned_by=lead)
    return project_close(
        project=closed, status=Project.Status.COMPLETED, outcome_summary="Reached 62%.", closed_by=lead
    )


def kw(**names: str) -> Callable[[World], dict]:
    """URL kwargs from world values: kw(pk="cohort") → {"pk": <Cohort 10's pk>}."""
    return lambda world: {arg: world.values[name] for arg, name in names.items()}


def literal(**kwargs) -> Callable[[World], dict]:
    return lambda world: kwargs


def client_for(role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(email=EMAILS[role]))
    return client

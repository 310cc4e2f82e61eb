"""Exports follow the pages' rules (issue 11): no download hands anyone text their pages would not
show them.

Every free-text field of every model is either confidential, with the rule its pages use, or
listed as open (`coachprog.privacy.register_personal_data`). The world below is the permission
fixtures' people around projects A and B (tests/conftest.py) with rows of every model that
holds free text; each confidential field of each row gets a unique marker. Each role's pages
are read to learn which markers the app shows them; then every download the app offers (the
subject access exports and every CSV, Excel and calendar file) is taken by every role, and
may hold no other marker, except in text the downloader wrote themselves.
"""

import io
import re
import zipfile
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from coaching.models import Assignment, MeetingLog, MonthlyUpdate, SupervisionLog, UpdateComment
from coachprog.accounts.models import AccessPolicy, Invitation
from coachprog.exports import XLSX_TYPE
from coachprog.outbox.models import Message
from coachprog.privacy import free_text_fields, personal_data_for
from cohorts.models import Application, Attendance, CalendarToken, Cohort, SessionMaterial
from cohorts.services import calendar_token_issue, cohort_calendar_token_issue
from projects.models import ChartNote, Measure, MeasurePhase, ProgressScoreChange, Project
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AttendanceFactory,
    CohortFactory,
    DataPointFactory,
    DriverNodeFactory,
    EnrolmentFactory,
    MeasureFactory,
    MeetingLogFactory,
    MessageFactory,
    MonthlyUpdateFactory,
    NextStepFactory,
    PDSACycleFactory,
    SessionFactory,
    SupervisionLogFactory,
    UserFactory,
    london,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(london(date(2025, 11, 1), time(12)), tick=False),
]

OUR_APPS = {"accounts", "outbox", "cohorts", "projects", "coaching"}
ROLES = ["member", "coach", "other_coach", "sponsor", "other_sponsor", "qi_lead", "lead", "unrelated"]
MARKER = re.compile(r"zq\d{4}q")
# Every download the app offers; `test_every_download_is_checked` finds new ones in the URLs.
DOWNLOADS = {
    "person_export",
    "my_data_export",
    "projects:export",
    "projects:data_export",
    "cohorts:attendance_export",
    "coaching:overview_export",
    "coaching:health_export",
    "coaching:meeting_export",
    "coaching:project_meeting_export",
    "coaching:monthly_update_export",
    "coaching:supervision_export",
    "projects:pdsa_export",
    "cohorts:cohort_calendar",
    "cohorts:personal_calendar",
    "cohorts:applications_export",
    "cohorts:participants_export",
    "cohorts:cohort_calendar_feed",
}


def _models_in_exports() -> list[type[models.Model]]:
    """Our apps' models, and any other app's that point at a person (a subject access export holds them)."""
    user = get_user_model()
    found = []
    for model in apps.get_models():
        if model._meta.auto_created or hasattr(model, "instance_type"):  # history tables
            continue
        linked = any(
            getattr(field, "concrete", False) and field.is_relation and field.related_model is user
            for field in model._meta.get_fields()
        )
        if model._meta.app_label in OUR_APPS or linked:
            found.append(model)
    return found


def _classified(model: type[models.Model]) -> set[str]:
    entry = personal_data_for(model)
    if entry is None:
        return set()
    return set(entry.open_text).union(*(rule.fields for rule in entry.confidential))


def _confidential_text(model: type[models.Model]) -> list[tuple[str, object]]:
    """(field, rule) for each confidential free-text field of the model."""
    entry = personal_data_for(model)
    text = set(free_text_fields(model))
    return [(name, rule) for rule in entry.confidential for name in rule.fields if name in text]


# --- the classification -------------------------------------------------------------------------


def test_every_free_text_field_is_confidential_with_a_rule_or_listed_as_open():
    unclassified = [
        f"{model._meta.label}.{name}"
        for model in _models_in_exports()
        for name in free_text_fields(model)
        if name not in _classified(model)
    ]

    assert unclassified == []


def test_the_rules_name_only_fields_the_models_have():
    unknown = []
    for model in _models_in_exports():
        names = {field.name for field in model._meta.get_fields()}
        entry = personal_data_for(model)
        writers = {rule.writer for rule in entry.confidential if rule.writer} if entry else set()
        unknown += [f"{model._meta.label}.{name}" for name in (_classified(model) | writers) - names]

    assert unknown == []


def test_every_download_is_checked():
    def downloads(patterns, prefix="", namespace=None):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from downloads(pattern.url_patterns, route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and (
                "<str:fmt>" in route or route.endswith(".ics") or (pattern.name or "").endswith("export")
            ):
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    assert set(downloads(get_resolver().url_patterns)) == DOWNLOADS


# --- the world ----------------------------------------------------------------------------------


@pytest.fixture
def world(
    team_member, coach, other_coach, sponsor, other_sponsor, qi_lead, programme_lead, unrelated_user
) -> dict:
    """Rows of every model with free text, touching each role the ways the app lets them."""
    people = {
        "member": team_member,
        "coach": coach,
        "other_coach": other_coach,
        "sponsor": sponsor,
        "other_sponsor": other_sponsor,
        "qi_lead": qi_lead,
        "lead": programme_lead,
        "unrelated": unrelated_user,
    }
    now = timezone.now()
    project_a = coach.assignments.get().project
    project_b = other_coach.assignments.get().project
    lead = programme_lead

    # Cohorts: the coaches trained in a running cohort the QI lead facilitates in; the team
    # member is drafting an application to an open one.
    cohort = CohortFactory(status=Cohort.Status.RUNNING, name="Autumn")
    session = SessionFactory(cohort=cohort, notes="Planning", online_url="https://example.org/join")
    session.facilitators.add(qi_lead)
    SessionMaterial.objects.create(
        session=session, title="Slides", url="https://example.org/s", added_by=lead
    )
    application = ApplicationFactory(
        cohort=cohort, applicant=coach, status=Application.Status.ACCEPTED, decided_by=lead, decided_at=now
    )
    enrolment = EnrolmentFactory(cohort=cohort, participant=coach, application=application)
    AttendanceFactory(session=session, enrolment=enrolment, note="Unwell", recorded_by=lead)
    theirs = EnrolmentFactory(cohort=cohort, participant=other_coach)
    AttendanceFactory(
        session=session,
        enrolment=theirs,
        status=Attendance.Status.APOLOGIES,
        note="On leave",
        recorded_by=other_coach,
    )
    open_cohort = CohortFactory(status=Cohort.Status.OPEN)
    SessionFactory(cohort=open_cohort)
    ApplicationFactory(
        cohort=open_cohort, applicant=team_member, status=Application.Status.DRAFT, submitted_at=None
    )
    calendar_token_issue(person=coach)
    # The lead shares the running cohort's calendar link; an application the lead accepted with a reason.
    cohort_calendar_token_issue(cohort=cohort, issued_by=lead)
    Application.objects.filter(pk=application.pk).update(
        override_unmet="No answer from the line manager", override_reason="Confirmed by phone"
    )

    # Projects: each has a driver diagram, a measure with data, a chart note, a new phase and a
    # frozen baseline, a PDSA cycle; the team member changed A's progress score.
    measures = {}
    for project, recorder in ((project_a, team_member), (project_b, other_coach)):
        DriverNodeFactory(project=project)
        PDSACycleFactory(project=project)
        measure = MeasureFactory(
            project=project, baseline_points=3, baseline_reason="Steady", baseline_set_by=recorder
        )
        Measure.objects.filter(pk=measure.pk).update(baseline_set_at=now)
        points = DataPointFactory.create_batch(8, measure=measure, recorded_by=recorder, note="Point")
        MeasurePhase.objects.create(
            measure=measure, starts_on=points[5].period, reason="New rota", created_by=recorder
        )
        ChartNote.objects.create(measure=measure, on=points[2].period, text="Audit", created_by=recorder)
        measures[project.pk] = measure
    ProgressScoreChange.objects.create(
        project=project_a,
        score=Decimal("1.0"),
        previous_score=Decimal("0.5"),
        changed_by=team_member,
        changed_at=now,
        reason="Team formed",
    )

    # Coaching: a former coach of A, a meeting on each project (the team member and the sponsor
    # came to A's), supervision (one reflection shared with the QI lead, one not), updates,
    # a draft and comments.
    AssignmentFactory(
        coach=UserFactory(display_name="Former coach of A"),
        project=project_a,
        role=Assignment.Role.SECOND,
        starts_on=date(2024, 6, 3),
        ends_on=date(2024, 12, 20),
        end_reason="Moved away",
    )
    meeting = MeetingLogFactory(coach=coach, project=project_a, met_on=date(2025, 10, 6))
    meeting.attendees.add(team_member, sponsor)
    NextStepFactory(meeting=meeting)
    other_meeting = MeetingLogFactory(coach=other_coach, project=project_b, met_on=date(2025, 10, 7))
    other_meeting.attendees.add(other_sponsor)
    NextStepFactory(meeting=other_meeting)
    for shared in (False, True):
        SupervisionLogFactory(
            coach=coach,
            supervisor=qi_lead,
            reflection_shared=shared,
            will_try="Silence",
            supervisor_note="Ok",
        )
    SupervisionLogFactory(coach=other_coach, supervisor=None, kind=SupervisionLog.Kind.TRUST_WIDE)
    for project, author, reader in ((project_a, coach, sponsor), (project_b, other_coach, other_sponsor)):
        update = MonthlyUpdateFactory(
            project=project, author=author, month=date(2025, 9, 1), ready=True, sponsor_ask="Space"
        )
        MonthlyUpdate.objects.filter(pk=update.pk).update(acknowledged_by=reader, acknowledged_at=now)
        UpdateComment.objects.create(update=update, author=reader, body="Thank you")
        UpdateComment.objects.create(update=update, author=author, body="Glad to")
    MonthlyUpdateFactory(project=project_a, author=coach, month=date(2025, 10, 1), narrative="Draft")

    # E-mail: a sent message to each role, a failed one to the sponsor, a queued one to the coach.
    for person in people.values():
        MessageFactory(recipient=person, text="Hello", html="<p>Hello</p>", headers={"X-Id": "1"})
    MessageFactory(recipient=sponsor, status=Message.Status.FAILED, last_error="550 Mailbox full")
    MessageFactory(recipient=coach, status=Message.Status.PENDING)

    # Accounts and sign-in: an accepted invitation, the access policy, e-mail addresses, a
    # two-factor device, and a change the lead made in the admin site.
    Invitation.objects.create(
        email=team_member.email,
        invited_by=lead,
        expires_at=now + timedelta(days=7),
        accepted_at=now,
        accepted_by=team_member,
    )
    AccessPolicy.objects.update_or_create(
        pk=AccessPolicy.SINGLETON_PK,
        defaults={
            "allowed_signup_domains": "example.org",
            "require_two_factor_for_leads": False,
            "updated_by": lead,
            "updated_at": now,
        },
    )
    for person in people.values():
        EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=True)
    Authenticator.objects.create(user=coach, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DP"})
    LogEntry.objects.create(
        user=lead,
        content_type=ContentType.objects.get_for_model(Project),
        object_id=str(project_a.pk),
        object_repr="Project A",
        action_flag=CHANGE,
        change_message="Changed title",
    )
    return {
        "people": people,
        "projects": [project_a, project_b],
        "measures": list(measures.values()),
        "cohorts": [cohort, open_cohort],
        "meetings": [meeting, other_meeting],
    }


def _plant_markers() -> dict[str, tuple[str, int, str]]:
    """A unique marker in every confidential free-text field of every row: marker → (model, id, field)."""
    planted, count = {}, 0
    for model in _models_in_exports():
        if personal_data_for(model) is None:
            continue
        fields = _confidential_text(model)
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True):
            values = {}
            for name, _ in fields:
                count += 1
                marker = f"zq{count:04d}q"
                planted[marker] = (model._meta.label, pk, name)
                json_field = isinstance(model._meta.get_field(name), models.JSONField)
                values[name] = [marker] if json_field else marker
            model._default_manager.filter(pk=pk).update(**values)
    return planted


def _writers(planted: dict) -> dict[int, set[str]]:
    """Person id → the markers in text they wrote (each rule names its writer field, if any)."""
    written: dict[int, set[str]] = {}
    for marker, (label, pk, name) in planted.items():
        model = apps.get_model(label)
        rule = dict(_confidential_text(model))[name]
        if rule.writer:
            writer_id = model._default_manager.filter(pk=pk).values_list(rule.writer, flat=True).get()
            written.setdefault(writer_id, set()).add(marker)
    return written


def _markers_in(response) -> set[str]:
    content = response.content
    if response["Content-Type"] == XLSX_TYPE:
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            content = b"".join(workbook.read(name) for name in workbook.namelist())
    # iCalendar folds long lines with CRLF and a space.
    return set(MARKER.findall(content.replace(b"\r\n ", b"").decode()))


def _clients(people: dict) -> dict[str, Client]:
    clients = {}
    for role, person in people.items():
        clients[role] = Client()
        # A fresh copy: the planted password is in the database, and the session must match it.
        clients[role].force_login(get_user_model().objects.get(pk=person.pk))
    return clients


def _pages(world: dict) -> list[str]:
    """Every page that shows the world's free text to someone."""
    pages = [
        reverse(name)
        for name in (
            "coaching:coach_home",
            "coaching:qi_lead_home",
            "coaching:sponsor_home",
            "coaching:programme_overview",
            "coaching:overview",
            "coaching:coach_load",
            "coaching:health",
            "coaching:supervision_list",
            "projects:list",
            "cohorts:list",
            "cohorts:sessions",
            "cohorts:my_applications",
            "cohorts:calendar_link",
            "outbox:notifications",
            "outbox:status",
            "accounts:invitation_list",
            "accounts:access_policy",
            "account_email",
            "person_list",
        )
    ]
    for project in world["projects"]:
        pages += [
            project.get_absolute_url(),
            reverse("projects:driver_diagram", args=[project.pk]),
            reverse("projects:pdsa_list", args=[project.pk]),
            reverse("coaching:project_coaches", args=[project.pk]),
        ]
        pages += [cycle.get_absolute_url() for cycle in project.pdsa_cycles.all()]
    pages += [measure.get_absolute_url() for measure in world["measures"]]
    pages += [meeting.get_absolute_url() for meeting in world["meetings"]]
    pages += [log.get_absolute_url() for log in SupervisionLog.objects.all()]
    for update in MonthlyUpdate.objects.all():
        pages.append(update.get_absolute_url())
        if update.status == MonthlyUpdate.Status.DRAFT:
            pages.append(reverse("coaching:monthly_update_edit", args=[update.pk]))
    for cohort in world["cohorts"]:
        pages += [
            cohort.get_absolute_url(),
            reverse("cohorts:apply", args=[cohort.pk]),
            reverse("cohorts:applications", args=[cohort.pk]),
            reverse("cohorts:participants", args=[cohort.pk]),
            reverse("cohorts:attendance_matrix", args=[cohort.pk]),
            reverse("cohorts:my_attendance", args=[cohort.pk]),
            reverse("cohorts:planner", args=[cohort.pk]),
        ]
        pages += [
            reverse("cohorts:application", args=[cohort.pk, application.pk])
            for application in cohort.applications.exclude(status=Application.Status.DRAFT)
        ]
        for session in cohort.sessions.all():
            pages += [
                session.get_absolute_url(),
                reverse("cohorts:register", args=[cohort.pk, session.pk]),
                reverse("cohorts:planner_session_edit", args=[cohort.pk, session.pk]),
            ]
    pages += [message.get_absolute_url() for message in Message.objects.all()]
    return pages


def _downloads(world: dict) -> list[str]:
    """Every download a signed-in person may ask for, in every format."""
    urls = [reverse("my_data_export")]
    for fmt in ("csv", "xlsx"):
        urls += [
            reverse("projects:export", args=[fmt]),
            reverse("coaching:overview_export", args=[fmt]),
            reverse("coaching:health_export", args=[fmt]),
            reverse("coaching:meeting_export", args=[fmt]),
            reverse("coaching:monthly_update_export", args=[fmt]),
            reverse("coaching:supervision_export", args=[fmt]),
        ]
        for project in world["projects"]:
            urls += [
                reverse("coaching:project_meeting_export", args=[project.pk, fmt]),
                reverse("projects:pdsa_export", args=[project.pk, fmt]),
            ]
        urls += [reverse("projects:data_export", args=[m.project_id, m.pk, fmt]) for m in world["measures"]]
        urls += [reverse("cohorts:attendance_export", args=[c.pk, fmt]) for c in world["cohorts"]]
        urls += [reverse("cohorts:applications_export", args=[c.pk, fmt]) for c in world["cohorts"]]
        urls += [reverse("cohorts:participants_export", args=[c.pk, fmt]) for c in world["cohorts"]]
    urls += [reverse("cohorts:cohort_calendar", args=[c.pk]) for c in world["cohorts"]]
    return urls


# --- the marker test ----------------------------------------------------------------------------


def test_no_download_shows_anyone_a_marker_their_pages_do_not(world):
    people = world["people"]
    planted = _plant_markers()
    written = _writers(planted)
    clients = _clients(people)
    pages = _pages(world)
    shown = {role: set() for role in ROLES}
    for role in ROLES:
        for url in pages:
            response = clients[role].get(url)
            if response.status_code == 200:
                shown[role] |= _markers_in(response)
    # What each person may have: what their pages show them, and what they wrote.
    allowed = {role: shown[role] | written.get(people[role].pk, set()) for role in ROLES}
    # The pages were read: the coach's pages show their two reflections, the lead's neither.
    logs = set(SupervisionLog.objects.filter(coach=people["coach"]).values_list("pk", flat=True))
    reflections = {m for m, (_, pk, name) in planted.items() if name == "reflection" and pk in logs}
    assert len(reflections) == 2
    assert reflections <= shown["coach"]
    assert not reflections & shown["lead"]

    leaks = []
    taken = dict.fromkeys(ROLES, 0)
    for role in ROLES:
        for url in _downloads(world):
            response = clients[role].get(url)
            if response.status_code == 200:
                taken[role] += 1
                leaks += [(role, url, planted[m]) for m in sorted(_markers_in(response) - allowed[role])]
        # The lead's export of this person is handed to them: it holds only what both may have.
        response = clients["lead"].get(reverse("person_export", args=[people[role].pk]))
        both = allowed[role] & allowed["lead"]
        leaks += [("lead", f"export of {role}", planted[m]) for m in sorted(_markers_in(response) - both)]
    token = people["coach"].calendar_token.token
    response = Client().get(reverse("cohorts:personal_calendar", args=[token]))
    leaks += [("coach", "calendar", planted[m]) for m in sorted(_markers_in(response) - allowed["coach"])]
    # The cohort's shared link is public: it may hold only what the cohort's participants see.
    # (The planted marker replaced the token, so the lead issues a working one first.)
    running = world["cohorts"][0]
    feed = cohort_calendar_token_issue(cohort=running, issued_by=people["lead"]).token
    response = Client().get(reverse("cohorts:cohort_calendar_feed", args=[feed]))
    assert response.status_code == 200
    leaks += [("anyone", "cohort feed", planted[m]) for m in sorted(_markers_in(response) - shown["coach"])]

    assert leaks == [], "\n".join(map(str, leaks))
    # Everyone: their own data and the project list (CSV and Excel); the teams: their measure's
    # data; the QI lead: the overview and a facilitator's cohort calendar; the lead: everything.
    # Coaching's downloads add, in both formats: everyone's monthly updates; their project's meetings
    # and PDSA cycles for the teams, sponsors and QI lead; all meetings and supervision dates for
    # coaches, the QI lead and the lead.
    assert taken == {
        "member": 12,
        "coach": 16,
        "other_coach": 16,
        "sponsor": 11,
        "other_sponsor": 11,
        "qi_lead": 18,
        "lead": 39,
        "unrelated": 5,
    }


def test_markers_reach_the_people_allowed_to_read_them(world):
    people = world["people"]
    planted = _plant_markers()
    clients = _clients(people)

    def marker(model, name, **lookup) -> str:
        pk = model.objects.get(**lookup).pk
        return next(m for m, found in planted.items() if found == (model._meta.label, pk, name))

    def export(role, of=None) -> set[str]:
        if of is None:
            return _markers_in(clients[role].get(reverse("my_data_export")))
        return _markers_in(clients[role].get(reverse("person_export", args=[people[of].pk])))

    unshared = marker(SupervisionLog, "reflection", coach=people["coach"], reflection_shared=False)
    shared = marker(SupervisionLog, "reflection", coach=people["coach"], reflection_shared=True)
    notes = marker(MeetingLog, "notes", coach=people["coach"])
    token = marker(CalendarToken, "token", person=people["coach"])
    apologies = marker(Attendance, "note", recorded_by=people["other_coach"])
    lead_note = marker(Attendance, "note", recorded_by=people["lead"])
    draft = marker(MonthlyUpdate, "narrative", status=MonthlyUpdate.Status.DRAFT)
    sponsor_comment = marker(UpdateComment, "body", author=people["sponsor"])

    # The coach's own copy is complete; the lead's export of them leaves out what only they read.
    assert {unshared, shared, notes, token, draft} <= export("coach")
    assert notes in export("lead", of="coach")
    assert not {unshared, shared, token} & export("lead", of="coach")
    # The supervisor has the reflection the coach shared with them, and only that one.
    assert shared in export("qi_lead")
    assert unshared not in export("qi_lead")
    # A team member and a sponsor came to the meeting; neither gets its notes or the draft.
    assert not {notes, draft} & (export("member") | export("sponsor"))
    assert sponsor_comment in export("sponsor")
    assert sponsor_comment in export("lead", of="sponsor")
    # Apologies are the participant's own words; the lead's note on the register is not theirs.
    assert apologies in export("other_coach")
    assert lead_note not in export("coach")
    assert lead_note in export("lead")

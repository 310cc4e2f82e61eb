"""seed_scale: scale data that keeps every rule, demo accounts with their loads, and no second run.

The command runs once for the module, at a tiny size (a second time first, to check that the
same seed gives the same data), and is rolled back when the module is done; each test runs in
its own savepoint on top of it.
"""

import itertools
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.test import override_settings
from django.utils import timezone

from coaching.demo.common import DEMO_ACCOUNTS, DEMO_PASSWORD
from coaching.demo.scale import PRESETS, DemoLoads, ScaleSizes
from coaching.models import Assignment, CoachProfile, MeetingLog, MonthlyUpdate, SupervisionLog
from coaching.roles import Role, roles_for
from coachprog.accounts.models import AccessPolicy, Directorate, User
from cohorts.attendance import attendance_matrix
from cohorts.models import Application, Attendance, Cohort, Enrolment, Session
from cohorts.services.applications import cohort_enrolled_count
from projects.data_rules import data_point_problems
from projects.models import (
    LIVE_STATUSES,
    DataPoint,
    Measure,
    PDSACycle,
    ProgressScoreChange,
    Project,
    TeamMembership,
)
from projects.services import measure_errors, pdsa_cycle_errors, project_errors

pytestmark = pytest.mark.django_db

SIZES = ScaleSizes(projects=24, directorates=4, coaches=8, cohorts=3, measures=3)
ARGUMENTS = ["--preset", "small", "--projects", "24", "--directorates", "4", "--coaches", "8"]
ARGUMENTS += ["--cohorts", "3", "--measures", "3", "--seed", "7"]
APP_LABELS = {"accounts", "cohorts", "projects", "coaching", "account"}
SAMPLE = 25  # rows of each model checked with full_clean, spread over the table


def snapshot() -> dict[str, list]:
    """The data in content only (primary keys differ between runs on PostgreSQL), in a fixed order."""
    return {
        "people": sorted(User.objects.values_list("email", "display_name", "organisation_unit__name")),
        "projects": sorted(
            Project.objects.values_list(
                "title", "directorate__name", "sponsor__email", "started_on", "status"
            )
        ),
        "points": sorted(
            DataPoint.objects.values_list(
                "measure__project__title", "measure__name", "period", "value", "numerator"
            )
        ),
        "meetings": sorted(
            MeetingLog.objects.values_list("project__title", "met_on", "coach__email", "progress_score")
        ),
        "applications": sorted(
            Application.objects.values_list("cohort__number", "applicant__email", "status")
        ),
        "attendance": sorted(
            Attendance.objects.values_list("session__title", "enrolment__participant__email", "status")
        ),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Run seed_scale twice from empty (keeping the second), and undo it all after the module."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        with transaction.atomic():
            call_command("seed_scale", *ARGUMENTS, stdout=StringIO())
            first = snapshot()
            transaction.set_rollback(True)
        output = StringIO()
        call_command("seed_scale", *ARGUMENTS, stdout=output)
        yield {
            "output": output.getvalue(),
            "first": first,
            "second": snapshot(),
            "two_factor_for_leads": AccessPolicy.current().require_two_factor_for_leads,
        }
        transaction.set_rollback(True)


def user(email: str) -> User:
    return User.objects.get(email=email)


# --- sizes and presets ----------------------------------------------------------------------------


def test_seed_scale_presets_hold_a_trust_and_a_network():
    small, large = PRESETS["small"], PRESETS["large"]

    assert small == ScaleSizes(projects=200, directorates=10, coaches=40, cohorts=4, measures=4)
    assert large == ScaleSizes(projects=10_000, directorates=250, coaches=2_000, cohorts=200, measures=4)


def test_seed_scale_demo_loads_at_the_large_preset_are_the_issues():
    assert DemoLoads.for_sizes(PRESETS["large"]) == DemoLoads(
        coach_teams=10, sponsor_projects=20, member_projects=6, qi_directorates=5, supervisees=30
    )


def test_seed_scale_refuses_impossible_sizes():
    with pytest.raises(CommandError, match="--coaches must be at least 2"):
        call_command("seed_scale", "--preset", "small", "--coaches", "1", stdout=StringIO())


def test_seed_scale_makes_the_sizes_asked_for(seeded):
    counts = {
        "projects": Project.objects.count(),
        "directorates": Directorate.objects.count(),
        "coaches": CoachProfile.objects.count(),
        "cohorts": Cohort.objects.count(),
        "measures": Measure.objects.count(),
    }

    assert counts == {"projects": 24, "directorates": 4, "coaches": 8, "cohorts": 3, "measures": 72}


def test_seed_scale_fills_the_models_the_pages_read(seeded):
    empty = [
        model._meta.label
        for model in (
            Session,
            Application,
            Enrolment,
            Attendance,
            DataPoint,
            PDSACycle,
            ProgressScoreChange,
            Assignment,
            MeetingLog,
            SupervisionLog,
            MonthlyUpdate,
        )  # fmt: skip
        if not model.objects.exists()
    ]

    assert empty == []


def test_seed_scale_same_seed_gives_the_same_data(seeded):
    assert seeded["first"] == seeded["second"]


def test_seed_scale_says_what_it_made_and_how_long_it_took(seeded):
    lines = seeded["output"].splitlines()

    assert lines[0].startswith("Seeding 24 projects in 4 directorates, 8 coaches, 3 cohorts")
    assert [line.split()[0] for line in lines[1:6]] == [
        "people",
        "cohorts",
        "projects,",
        "assignments",
        "supervision",
    ]
    assert all(" s  " in line for line in lines[1:6])
    assert f"password “{DEMO_PASSWORD}”" in seeded["output"]


def test_seed_scale_refuses_a_database_that_holds_data(seeded):
    before = Project.objects.count()

    with pytest.raises(CommandError, match="already holds data"):
        call_command("seed_scale", "--preset", "small", stdout=StringIO())

    assert Project.objects.count() == before


# --- every row keeps its model's rules and the services' --------------------------------------------


def test_seed_scale_rows_pass_full_clean(seeded):
    failures = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in APP_LABELS or model.__name__.startswith("Historical"):
            continue
        rows = list(model._default_manager.order_by("pk"))
        rows = rows[:: max(1, len(rows) // SAMPLE)]
        for row in rows:
            try:
                row.full_clean()
            except Exception as error:  # noqa: BLE001 - every failure is reported together
                failures[f"{model._meta.label} {row.pk}"] = str(error)

    assert failures == {}


def test_seed_scale_data_points_keep_the_data_rules(seeded):
    today = timezone.localdate()
    problems = {
        point.pk: problem
        for point in DataPoint.objects.select_related("measure")
        if (
            problem := data_point_problems(
                point.measure,
                period=point.period,
                value=point.value,
                numerator=point.numerator,
                denominator=point.denominator,
                today=today,
            )
        )
    }

    assert problems == {}


def test_seed_scale_measures_cycles_and_live_projects_keep_the_services_rules(seeded):
    broken = [f"measure {m.pk}: {e}" for m in Measure.objects.all() if (e := measure_errors(m))]
    broken += [
        f"cycle {c.pk}: {e}"
        for c in PDSACycle.objects.select_related("follows")
        if (e := pdsa_cycle_errors(c))
    ]
    broken += [
        f"project {p.pk}: {e}"
        for p in Project.objects.filter(status__in=LIVE_STATUSES).select_related("sponsor")
        if (e := project_errors(p))
    ]

    assert broken == []


def test_seed_scale_meetings_are_by_a_coach_assigned_that_day_with_the_team(seeded):
    assigned = Assignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("met_on")),
        coach=OuterRef("coach"),
        project=OuterRef("project"),
        starts_on__lte=OuterRef("met_on"),
    )
    unassigned = MeetingLog.objects.exclude(Exists(assigned))
    on_the_team = TeamMembership.objects.filter(
        project=OuterRef("meetinglog__project"), person=OuterRef("user")
    )
    strangers = MeetingLog.attendees.through.objects.exclude(Exists(on_the_team))

    assert (unassigned.count(), strangers.count()) == (0, 0)
    assert MeetingLog.objects.filter(met_on__gt=timezone.localdate()).count() == 0


def test_seed_scale_score_history_ends_at_each_projects_score(seeded):
    mismatched = []
    for project in Project.objects.all():
        changes = list(ProgressScoreChange.objects.filter(project=project).order_by("changed_at", "pk"))
        chained = all(later.previous_score == earlier.score for earlier, later in itertools.pairwise(changes))
        latest = MeetingLog.objects.filter(project=project).order_by("-met_on").first()
        if (
            changes[-1].score != project.progress_score
            or not chained
            or changes[0].previous_score is not None
        ):
            mismatched.append(project.title)
        if latest and latest.progress_score != project.progress_score:
            mismatched.append(f"{project.title}: latest meeting")

    assert mismatched == []


def test_seed_scale_assignments_one_open_per_role_and_only_for_coaching_coaches(seeded):
    open_ones = Assignment.objects.filter(ends_on__isnull=True)
    per_role = open_ones.values("project", "role").annotate(n=Count("pk")).filter(n__gt=1)
    stood_down = open_ones.filter(coach__coach_profile__is_active=False)
    without_profile = Assignment.objects.filter(coach__coach_profile__isnull=True)

    assert (per_role.count(), stood_down.count(), without_profile.count()) == (0, 0, 0)


def test_seed_scale_supervisors_are_qi_leads(seeded):
    supervisors = User.objects.filter(supervisees__isnull=False).distinct()

    assert supervisors.filter(qi_lead_directorates__isnull=True).count() == 0


def test_seed_scale_attendance_only_for_the_cohorts_participants_at_held_sessions(seeded):
    now = timezone.now()
    wrong = Attendance.objects.exclude(enrolment__cohort=F("session__cohort"))
    early = Attendance.objects.filter(session__starts_at__gt=now).exclude(status=Attendance.Status.APOLOGIES)
    before_enrolling = [
        a.pk
        for a in Attendance.objects.select_related("session", "enrolment")
        if timezone.localdate(a.session.starts_at) < a.enrolment.enrolled_on
    ]

    assert (wrong.count(), early.count(), before_enrolling) == (0, 0, [])


def test_seed_scale_completed_cohorts_record_the_completion_rule(seeded):
    completed = Cohort.objects.filter(status=Cohort.Status.COMPLETED)
    rows = [row for cohort in completed for row in attendance_matrix(cohort).rows]

    assert completed.exists()
    assert {row.enrolment.pk: row.enrolment.status for row in rows} == {
        row.enrolment.pk: row.completion for row in rows
    }


def test_seed_scale_only_full_cohorts_keep_a_wait_list(seeded):
    waiting = Cohort.objects.filter(applications__status=Application.Status.WAITLISTED).distinct()

    assert [c.number for c in waiting if cohort_enrolled_count(c) < c.capacity] == []


def test_seed_scale_monthly_updates_report_past_months_and_drafts_carry_todays_score(seeded):
    this_month = timezone.localdate().replace(day=1)
    drafts = MonthlyUpdate.objects.filter(status=MonthlyUpdate.Status.DRAFT).select_related("project")

    assert MonthlyUpdate.objects.filter(month__gt=this_month).count() == 0
    assert {d.pk: d.progress_score for d in drafts} == {d.pk: d.project.progress_score for d in drafts}
    assert (
        MonthlyUpdate.objects.filter(status=MonthlyUpdate.Status.READY, ready_at__gt=timezone.now()).count()
        == 0
    )


# --- the demo accounts ------------------------------------------------------------------------------

LANDINGS = {
    "lead@example.org": "/programme/",
    "coach@example.org": "/coaching/",
    "coach2@example.org": "/coaching/",
    "sponsor@example.org": "/sponsor/",
    "sponsor2@example.org": "/sponsor/",
    "member@example.org": "/projects/",
    "qilead@example.org": "/coaching/supervisees/",
}


def test_seed_scale_turns_two_factor_off_for_the_demo(seeded):
    assert seeded["two_factor_for_leads"] is False


@pytest.mark.parametrize(("email", "landing"), LANDINGS.items())
def test_seed_scale_demo_account_signs_in_and_lands_on_its_home(client, seeded, email, landing):
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD}, follow=True)

    assert [url for url, _ in response.redirect_chain] == ["/", landing]
    assert response.status_code == 200


def test_seed_scale_demo_accounts_have_their_roles(seeded):
    roles = {email: roles_for(user(email))[0] for email, _, _ in DEMO_ACCOUNTS}

    assert roles == {
        "lead@example.org": Role.PROGRAMME_LEAD,
        "coach@example.org": Role.COACH,
        "coach2@example.org": Role.COACH,
        "sponsor@example.org": Role.SPONSOR,
        "sponsor2@example.org": Role.SPONSOR,
        "member@example.org": Role.TEAM_MEMBER,
        "qilead@example.org": Role.QI_LEAD,
    }
    assert user("lead@example.org").is_staff is True


def test_seed_scale_demo_accounts_hold_their_loads(seeded):
    loads = DemoLoads.for_sizes(SIZES)
    open_teams = Assignment.objects.filter(ends_on__isnull=True)
    qi_directorates = Directorate.objects.filter(qi_leads__email="qilead@example.org")
    in_them = CoachProfile.objects.filter(coach__organisation_unit__in=qi_directorates).count()
    held = {
        "coach": open_teams.filter(coach__email="coach@example.org").count(),
        "coach2": open_teams.filter(coach__email="coach2@example.org").count(),
        "sponsor": Project.objects.filter(sponsor__email="sponsor@example.org").count(),
        "sponsor2": Project.objects.filter(sponsor__email="sponsor2@example.org").count(),
        "member": Project.objects.filter(memberships__person__email="member@example.org").count(),
        "qi directorates": qi_directorates.count(),
        "supervisees": CoachProfile.objects.filter(supervisor__email="qilead@example.org").count(),
    }

    assert held == {
        "coach": loads.coach_teams,
        "coach2": loads.coach_teams,
        "sponsor": loads.sponsor_projects,
        "sponsor2": loads.sponsor_projects,
        "member": loads.member_projects,
        "qi directorates": loads.qi_directorates,
        "supervisees": min(loads.supervisees, in_them),
    }


def test_seed_scale_demo_coaches_share_no_team_past_or_present(seeded):
    coached = {
        email: set(Assignment.objects.filter(coach__email=email).values_list("project", flat=True))
        for email in ("coach@example.org", "coach2@example.org")
    }

    assert coached["coach@example.org"] & coached["coach2@example.org"] == set()


def test_seed_scale_demo_coaches_completed_a_cohort(seeded):
    completed = Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)

    assert sorted(
        completed.filter(participant__email__startswith="coach").values_list("participant__email", flat=True)
    ) == [
        "coach2@example.org",
        "coach@example.org",
    ]


# --- the pages open ---------------------------------------------------------------------------------


def test_seed_scale_coach_sponsor_and_lead_pages_open(client, seeded):
    coach_project = (
        Assignment.objects.filter(coach__email="coach@example.org", ends_on__isnull=True).first().project
    )
    meeting = MeetingLog.objects.filter(coach__email="coach@example.org").first()
    update = MonthlyUpdate.objects.filter(
        project__sponsor__email="sponsor@example.org", status=MonthlyUpdate.Status.READY
    ).first()
    cohort = Cohort.objects.filter(status=Cohort.Status.RUNNING).first()
    pages = {
        "coach@example.org": ["/coaching/", coach_project.get_absolute_url(), meeting.get_absolute_url()],
        "sponsor@example.org": ["/sponsor/", update.get_absolute_url()],
        "lead@example.org": [
            "/programme/",
            "/programme/health/",
            "/coaching/overview/",
            "/coaching/coaches/",
            "/projects/",
            "/cohorts/",
            cohort.get_absolute_url(),
        ],
    }
    statuses = {}
    for email, paths in pages.items():
        client.force_login(user(email))
        statuses.update({(email, path): client.get(path).status_code for path in paths})

    assert statuses == dict.fromkeys(statuses, 200)


def test_seed_scale_sponsors_latest_updates_count_their_signals(seeded):
    ready = MonthlyUpdate.objects.filter(
        project__sponsor__email="sponsor@example.org", status=MonthlyUpdate.Status.READY
    ).order_by("project", "month", "version")
    latest = {update.project_id: update for update in ready}

    assert latest
    assert [update.pk for update in latest.values() if update.signal_count is None] == []


def test_seed_scale_dates_are_never_in_the_future(seeded):
    today = timezone.localdate()
    future = Counter()
    future["meetings"] = MeetingLog.objects.filter(met_on__gt=today).count()
    future["supervision"] = SupervisionLog.objects.filter(held_on__gt=today).count()
    future["points"] = DataPoint.objects.filter(period__gt=today).count()
    future["projects"] = Project.objects.filter(started_on__gt=today).count()

    assert +future == Counter()

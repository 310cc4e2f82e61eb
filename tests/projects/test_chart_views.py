"""The measure page's chart, and the small forms that freeze a baseline, start phases and add notes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.forms import chart_errors_text
from projects.models import ChartNote, Measure, MeasurePhase
from projects.services import chart_note_add, measure_baseline_freeze, measure_phase_add
from tests.factories import DataPointFactory, MeasureFactory, PDSACycleFactory, UserFactory, first_of_month

pytestmark = pytest.mark.django_db

START = date(2025, 3, 3)


def _week(n: int) -> date:
    return START + timedelta(weeks=n)


def _add_points(measure: Measure, values, *, monthly: bool = False) -> Measure:
    for n, value in enumerate(values):
        period = first_of_month(n) if monthly else _week(n)
        if isinstance(value, tuple):
            DataPointFactory(
                measure=measure, period=period, value=None, numerator=value[0], denominator=value[1]
            )
        else:
            DataPointFactory(measure=measure, period=period, value=Decimal(str(value)))
    return measure


@pytest.fixture
def measure(project_a):
    """An XmR chart of 12 weekly points on project A, from 3 Mar 2025."""
    measure = MeasureFactory(project=project_a, chart=Measure.Chart.SPC)
    return _add_points(measure, [18, 17, 19, 18, 20, 17, 12, 11, 12, 10, 11, 12])


def _url(measure: Measure, action: str = "") -> str:
    return f"/projects/{measure.project_id}/measures/{measure.pk}/{action}"


def _messages(response) -> list[str]:
    """The messages a post left for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Writers --------------------------------------------------------------------------------


def test_writer_freezes_the_baseline_with_a_reason(client, team_member, measure):
    client.force_login(team_member)

    response = client.post(
        _url(measure, "baseline/"), {"baseline-points": "6", "baseline-reason": "Stable weeks before PDSA 1"}
    )

    assert (response.status_code, response["Location"]) == (302, _url(measure) + "#chart-decisions")
    measure.refresh_from_db()
    assert (measure.baseline_points, measure.baseline_reason, measure.baseline_set_by) == (
        6,
        "Stable weeks before PDSA 1",
        team_member,
    )
    assert _messages(response) == ["Baseline frozen at the first 6 points, to 7 Apr 2025."]


def test_writer_clears_the_baseline(client, team_member, measure):
    measure_baseline_freeze(measure=measure, points=6, reason="Stable", set_by=team_member)
    client.force_login(team_member)

    response = client.post(_url(measure, "baseline/clear/"))

    measure.refresh_from_db()
    assert (measure.baseline_points, measure.baseline_reason, measure.baseline_set_by) == (None, "", None)
    assert _messages(response) == [
        "The baseline is no longer frozen: the centre line comes from every point."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"baseline-points": "6", "baseline-reason": " "},
            "The baseline was not frozen. Reason: This field is required.",
        ),
        (
            {"baseline-points": "13", "baseline-reason": "All of it"},
            "The baseline was not frozen. Points in the baseline: The measure has only 12 data points.",
        ),
        (
            {"baseline-points": "0", "baseline-reason": "None of it"},
            "The baseline was not frozen. Points in the baseline: "
            "Ensure this value is greater than or equal to 1.",
        ),
    ],
)
def test_freezing_the_baseline_explains_what_is_wrong(client, team_member, measure, data, message):
    client.force_login(team_member)

    response = client.post(_url(measure, "baseline/"), data)

    measure.refresh_from_db()
    assert measure.baseline_points is None
    assert _messages(response) == [message]


def test_a_baseline_cannot_run_past_a_new_phase(client, team_member, measure):
    measure_phase_add(measure=measure, starts_on=_week(6), reason="Checklist adopted", created_by=team_member)
    client.force_login(team_member)

    response = client.post(
        _url(measure, "baseline/"), {"baseline-points": "8", "baseline-reason": "Too long"}
    )

    assert _messages(response) == [
        "The baseline was not frozen. Points in the baseline: The first phase has 6 points and a baseline "
        "cannot run past a recalculation: freeze fewer points, or remove the phase first."
    ]


def test_writer_starts_a_new_phase_and_removes_it(client, team_member, measure):
    client.force_login(team_member)

    added = client.post(
        _url(measure, "phases/"), {"phase-starts_on": "2025-04-14", "phase-reason": "Checklist adopted"}
    )
    phase = MeasurePhase.objects.get()
    added_messages = _messages(added)
    client.get(_url(measure))  # shows, and so uses up, the messages
    removed = client.post(_url(measure, f"phases/{phase.pk}/remove/"))

    assert (phase.starts_on, phase.reason, phase.created_by) == (
        date(2025, 4, 14),
        "Checklist adopted",
        team_member,
    )
    assert added_messages == ["New phase from 14 Apr 2025: the chart is recalculated from there."]
    assert _messages(removed) == ["The phase from 14 Apr 2025 is removed."]
    assert not MeasurePhase.objects.exists()


@pytest.mark.parametrize(
    ("starts_on", "reason", "message"),
    [
        (
            "2025-03-03",
            "From the start",
            "No new phase was started. First point of the new phase: Choose one of the measure's data points "
            "after the first, after the frozen baseline and not already starting a phase.",
        ),
        (
            "2025-04-15",
            "Not a data point",
            "No new phase was started. First point of the new phase: Choose one",
        ),
        ("2025-04-14", "", "No new phase was started. Reason: This field is required."),
        (
            "",
            "No point chosen",
            "No new phase was started. First point of the new phase: This field is required.",
        ),
    ],
)
def test_starting_a_phase_explains_what_is_wrong(client, team_member, measure, starts_on, reason, message):
    client.force_login(team_member)

    response = client.post(_url(measure, "phases/"), {"phase-starts_on": starts_on, "phase-reason": reason})

    assert not MeasurePhase.objects.exists()
    assert _messages(response)[0].startswith(message)


def test_a_new_phase_starts_after_the_frozen_baseline(client, team_member, measure):
    measure_baseline_freeze(measure=measure, points=6, reason="Stable", set_by=team_member)
    client.force_login(team_member)

    inside = _messages(
        client.post(_url(measure, "phases/"), {"phase-starts_on": "2025-04-07", "phase-reason": "Early"})
    )
    client.get(_url(measure))  # shows, and so uses up, the messages
    after = _messages(
        client.post(_url(measure, "phases/"), {"phase-starts_on": "2025-04-14", "phase-reason": "After"})
    )

    assert inside[0].startswith("No new phase was started. First point of the new phase: Choose one")
    assert after == ["New phase from 14 Apr 2025: the chart is recalculated from there."]
    assert list(MeasurePhase.objects.values_list("starts_on", flat=True)) == [date(2025, 4, 14)]


def test_writer_adds_a_chart_note(client, team_member, measure):
    client.force_login(team_member)

    response = client.post(
        _url(measure, "notes/"), {"note-on": "2025-03-12", "note-text": "Two locums on the ward"}
    )

    assert list(ChartNote.objects.values_list("on", "text", "created_by")) == [
        (date(2025, 3, 12), "Two locums on the ward", team_member.pk)
    ]
    assert _messages(response) == ["Note added at 12 Mar 2025."]


def test_adding_a_note_explains_what_is_wrong(client, team_member, measure):
    client.force_login(team_member)

    response = client.post(_url(measure, "notes/"), {"note-on": "12/03/2025x", "note-text": ""})

    assert not ChartNote.objects.exists()
    assert _messages(response) == [
        "The note was not added. Date: Enter a valid date. Note: This field is required."
    ]


def test_chart_errors_text_names_the_fields_of_a_service_error():
    by_field = ValidationError({"baseline_points": ["Choose between 1 and 3 points for the baseline."]})
    general = ValidationError("Measure phase with this Measure and Starts on already exists.")

    assert (
        chart_errors_text(by_field)
        == "Points in the baseline: Choose between 1 and 3 points for the baseline."
    )
    assert chart_errors_text(general) == "Measure phase with this Measure and Starts on already exists."


def test_writer_sees_the_chart_forms(client, team_member, measure):
    client.force_login(team_member)

    content = client.get(_url(measure)).content.decode()

    for action in ("baseline/", "phases/", "notes/"):
        assert f'action="{_url(measure, action)}"' in content


# --- Readers and outsiders --------------------------------------------------------------------


@pytest.fixture
def decided(measure, team_member):
    """The measure with a frozen baseline, a phase and a note, all made by the team member."""
    measure_baseline_freeze(measure=measure, points=6, reason="Stable weeks", set_by=team_member)
    phase = measure_phase_add(
        measure=measure, starts_on=_week(8), reason="Checklist adopted", created_by=team_member
    )
    chart_note_add(measure=measure, on=_week(2), text="Two locums", created_by=team_member)
    return measure, phase


def _decision_posts(measure, phase) -> list[tuple[str, dict]]:
    return [
        (_url(measure, "baseline/"), {"baseline-points": "4", "baseline-reason": "Shorter"}),
        (_url(measure, "baseline/clear/"), {}),
        (_url(measure, "phases/"), {"phase-starts_on": "2025-05-19", "phase-reason": "Another"}),
        (_url(measure, f"phases/{phase.pk}/remove/"), {}),
        (_url(measure, "notes/"), {"note-on": "2025-03-12", "note-text": "A sponsor's note"}),
    ]


def _state(measure):
    measure.refresh_from_db()
    phases = list(MeasurePhase.objects.values_list("starts_on", flat=True))
    return measure.baseline_points, measure.baseline_reason, phases, ChartNote.objects.count()


@pytest.mark.parametrize("post", range(5), ids=["freeze", "clear", "phase add", "phase remove", "note add"])
def test_reader_may_not_change_the_chart(client, sponsor, decided, post):
    measure, phase = decided
    before = _state(measure)
    client.force_login(sponsor)
    url, data = _decision_posts(measure, phase)[post]

    response = client.post(url, data)

    assert response.status_code == 403
    assert _state(measure) == before


# Writers are sent back to the chart; readers get 403; outsiders 404; people signed out go to sign in.
ROLE_STATUS = {
    "programme_lead": 302,
    "coach": 302,
    "team_member": 302,
    "former_coach": 403,
    "sponsor": 403,
    "qi_lead": 403,
    "other_coach": 404,
    "other_sponsor": 404,
    "unrelated_user": 404,
    "anonymous": "login",
    "inactive_user": "login",
}


@pytest.mark.parametrize("role", ROLE_STATUS)
@pytest.mark.parametrize("post", range(5), ids=["freeze", "clear", "phase add", "phase remove", "note add"])
def test_decision_posts_follow_the_permission_matrix(request, client, decided, role, post):
    measure, phase = decided
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    url, data = _decision_posts(measure, phase)[post]

    response = client.post(url, data)

    if ROLE_STATUS[role] == "login":
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == ROLE_STATUS[role]


@pytest.mark.parametrize("post", range(5), ids=["freeze", "clear", "phase add", "phase remove", "note add"])
def test_decision_urls_take_only_posts(client, team_member, decided, post):
    measure, phase = decided
    client.force_login(team_member)
    url, _ = _decision_posts(measure, phase)[post]

    assert client.get(url).status_code == 405


def test_reader_sees_the_chart_and_who_decided_what_but_no_forms(client, sponsor, team_member, decided):
    measure, _ = decided
    client.force_login(sponsor)

    response = client.get(_url(measure))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 880 ') == 1
    assert "NHS Making Data Count rules (XmR chart)" in content
    assert f"Frozen at the first 6 points by {team_member} on" in content
    assert "“Checklist adopted”" in content
    assert "Two locums" in content
    assert "<form" not in content.split('id="main-content"')[1]
    assert "baseline_form" not in response.context


# --- Every kind of chart, and the page's queries ---------------------------------------------------


def _discharge(project):
    """A weekly proportion on a run chart, frozen at 12 points, with a note and two PDSA cycles."""
    measure = MeasureFactory(
        project=project,
        value_type=Measure.ValueType.PROPORTION,
        better_direction=Measure.Direction.UP,
        target=Decimal("0.9"),
        unit="%",
    )
    _add_points(measure, [(20 + n % 3, 33) for n in range(16)] + [(28 + n % 2, 33) for n in range(10)])
    lead = UserFactory()
    measure_baseline_freeze(measure=measure, points=12, reason="Before the first PDSA cycle", set_by=lead)
    chart_note_add(measure=measure, on=_week(8), text="Two locum doctors on the ward", created_by=lead)
    for number, week in ((1, 12), (2, 15)):
        cycle = PDSACycleFactory(project=project, number=number, starts_on=_week(week))
        cycle.measures.add(measure)
    return measure


def _balancing(project):
    measure = MeasureFactory(project=project, better_direction=Measure.Direction.DOWN, unit="minutes")
    return _add_points(measure, [25, 27, 23, 26, 24, 28, 22, 25, 26, 24, 27, 23] * 2)


def _memory(project):
    """A run chart with a downward trend, lower is better, with a target."""
    measure = MeasureFactory(project=project, better_direction=Measure.Direction.DOWN, target=Decimal("28"))
    flat = [42, 44, 41, 43, 45, 42, 40, 44, 43, 41, 42, 44, 43, 41]
    return _add_points(measure, [*flat, 40, 38, 36, 35, 33, 31, 33, 32, 34, 33])


def _restraint(project):
    """An XmR chart with a downward shift, lower is better."""
    measure = MeasureFactory(
        project=project, chart=Measure.Chart.SPC, better_direction=Measure.Direction.DOWN
    )
    return _add_points(
        measure, [18.2, 17.1, 19.5, 16.8, 18.9, 17.7] * 3 + [11.2, 10.4, 12.1, 9.8, 11.5, 10.9, 11.7, 10.2]
    )


def _depot(project):
    """A monthly P chart with an upward shift, higher is better, with a target."""
    measure = MeasureFactory(
        project=project,
        chart=Measure.Chart.SPC,
        value_type=Measure.ValueType.PROPORTION,
        frequency=Measure.Frequency.MONTHLY,
        better_direction=Measure.Direction.UP,
        target=Decimal("0.85"),
    )
    return _add_points(
        measure, [(66 + n % 4, 120) for n in range(16)] + [(84 + n % 3, 120) for n in range(8)], monthly=True
    )


@pytest.mark.parametrize(
    ("build", "rule_set", "first_sentence"),
    [
        (
            _discharge,
            "Anhøj rules for run charts",
            "An unusually long run: 10 points in a row above the median",
        ),
        (_balancing, "Anhøj rules for run charts", None),
        (_memory, "Anhøj rules for run charts", "An unusually long run: 10 points in a row below the median"),
        (_restraint, "NHS Making Data Count rules (XmR chart)", "18 points in a row above the mean"),
        (_depot, "NHS Making Data Count rules (P chart)", "16 points in a row below the mean"),
    ],
    ids=["discharge", "balancing", "memory", "restraint", "depot"],
)
def test_measure_page_draws_every_kind_of_chart(
    client, programme_lead, project_a, build, rule_set, first_sentence
):
    measure = build(project_a)
    client.force_login(programme_lead)

    response = client.get(_url(measure))

    chart = response.context["chart"]
    content = response.content.decode()
    assert response.status_code == 200
    assert (chart.rule_set, content.count(chart.svg), content.count(chart.svg_compact)) == (rule_set, 1, 1)
    assert f"Rules: {rule_set}." in content
    assert len(chart.rows) == len(chart.points) == content.count('<th scope="row"')
    if first_sentence:
        assert chart.readings[0].text.startswith(first_sentence)
        assert chart.readings[0].text in content
    else:
        assert "No signals: the variation looks random (common cause)." in content


def _page_queries(client, measure) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(_url(measure))
    assert response.status_code == 200
    return len(captured)


def test_measure_page_queries_do_not_grow_with_the_data(client, team_member, project_a):
    client.force_login(team_member)
    sizes = {}
    for points in (10, 60):
        measure = MeasureFactory(project=project_a, chart=Measure.Chart.SPC)
        _add_points(measure, [10 + (n * 7) % 5 for n in range(points)])
        measure_baseline_freeze(measure=measure, points=8, reason="Stable", set_by=team_member)
        measure_phase_add(measure=measure, starts_on=_week(9), reason="Rota", created_by=team_member)
        chart_note_add(measure=measure, on=_week(3), text="Audit", created_by=team_member)
        for week in range(0, points, 10):
            cycle = PDSACycleFactory(project=project_a, starts_on=_week(week))
            cycle.measures.add(measure)
        sizes[points] = _page_queries(client, measure)

    assert sizes[10] == sizes[60]

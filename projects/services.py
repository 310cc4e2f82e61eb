"""Writes for projects, teams, progress scores, driver diagrams, measures, data points and PDSA cycles."""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from coachprog.accounts.models import Directorate, User
from coachprog.bounds import DATE_RANGE_TEXT, date_in_range
from coachprog.figures.models import Topic
from coachprog.figures.services import data_versions_bump
from projects.data_rules import data_point_problems, in_range, number_text, range_text
from projects.imports import ImportRow
from projects.models import (
    ARCHIVED_STATUSES,
    LIVE_STATUSES,
    PROGRESS_SCORES,
    ChartNote,
    DataPoint,
    DriverNode,
    Measure,
    MeasurePhase,
    PDSACycle,
    ProgressScoreChange,
    Project,
    TeamMembership,
)
from projects.periods import period_fits, period_text
from projects.permissions import archived_message, startable_directorates

# --- Projects: start, details, team, close and reopen ---------------------------------------------

# What starting and closing a project means for the apps built on projects (coaching makes a coach
# who starts a project its lead coach, and ends a closed project's coaching), registered from their
# AppConfig.ready(), as erasure is: `projects` cannot import them.
ProjectHook = Callable[..., None]


@dataclass(frozen=True)
class _LifecycleHooks:
    started: list[ProjectHook]
    closed: list[ProjectHook]


_lifecycle = _LifecycleHooks(started=[], closed=[])


def register_project_lifecycle(
    *, started: ProjectHook | None = None, closed: ProjectHook | None = None
) -> None:
    """`started(project=, started_by=)` runs when a project starts and `closed(project=, closed_by=)` when
    it is completed or closed, each inside the service's transaction."""
    for hook, registered in ((started, _lifecycle.started), (closed, _lifecycle.closed)):
        if hook is not None and hook not in registered:
            registered.append(hook)


# A project's details, in the order its form shows them; the services change these and no others.
PROJECT_DETAIL_FIELDS = (
    "title",
    "aim_what",
    "aim_how_much",
    "aim_by_when",
    "directorate",
    "sponsor",
    "started_on",
    "status",
)


def project_errors(project: Project, *, changed: Collection[str] = PROJECT_DETAIL_FIELDS) -> dict[str, str]:
    """The rules a live project's details keep, as messages by field (empty when it keeps them all).

    `changed` names the fields being set, so an old project is not refused for a sponsor who has
    since left. The database holds the title's uniqueness and the status; forms call this first to
    name the field.
    """
    errors: dict[str, str] = {}
    title = project.title.strip()
    if not title:
        errors["title"] = "Give the project a title."
    elif (
        project.directorate_id
        and Project.objects.filter(directorate_id=project.directorate_id, title__iexact=title)
        .exclude(pk=project.pk)
        .exists()
    ):
        errors["title"] = (
            f"{project.directorate} already has a project called “{title}”; choose another title."
        )
    if not project.aim_what.strip():
        errors["aim_what"] = "Say what will improve, and for whom."
    if not any(character.isdigit() for character in project.aim_how_much):
        errors["aim_how_much"] = "Say how much as a number: “by 30%”, “to 90%” or “from 42 to 28 days”."
    for name, label in (("aim_by_when", "The aim's date"), ("started_on", "The start date")):
        day = getattr(project, name)
        if day is not None and not date_in_range(day):
            errors[name] = f"{label} must be in the years {DATE_RANGE_TEXT}."
    dates_known = (
        project.aim_by_when and project.started_on and not errors.keys() & {"aim_by_when", "started_on"}
    )
    if dates_known and project.aim_by_when <= project.started_on:
        errors["aim_by_when"] = (
            f"The aim's date must be after the start date ({project.started_on:%-d %b %Y})."
        )
    if project.status not in LIVE_STATUSES:
        errors["status"] = "A project is active or on hold until it is closed, with its outcome."
    if "sponsor" in changed and project.sponsor_id and not project.sponsor.is_active:
        errors["sponsor"] = f"{project.sponsor}'s account is switched off; choose a sponsor who can sign in."
    return errors


def _check_project(project: Project, *, changed: Collection[str] = PROJECT_DETAIL_FIELDS) -> None:
    if errors := project_errors(project, changed=changed):
        raise ValidationError(errors)
    project.title = project.title.strip()
    project.full_clean()


def _refuse_archived(project: Project) -> None:
    if project.is_archived:
        raise ValidationError(archived_message(project))


@transaction.atomic
def project_create(
    *,
    title: str,
    directorate: Directorate,
    aim_what: str,
    aim_how_much: str,
    aim_by_when: date,
    sponsor: User,
    started_on: date,
    created_by: User,
    progress_score: Decimal = Decimal("0.5"),
    status: str = Project.Status.ACTIVE,
    created_at: datetime | None = None,
) -> Project:
    """Create a live project and the first entry of its progress-score history."""
    project = Project(
        title=title,
        directorate=directorate,
        aim_what=aim_what,
        aim_how_much=aim_how_much,
        aim_by_when=aim_by_when,
        sponsor=sponsor,
        started_on=started_on,
        progress_score=progress_score,
        status=status,
    )
    _check_project(project)
    project._history_user = created_by
    project.save()
    ProgressScoreChange.objects.create(
        project=project,
        score=progress_score,
        previous_score=None,
        changed_by=created_by,
        changed_at=created_at or timezone.now(),
        reason="Project created",
    )
    data_versions_bump(Topic.PROGRESS_SCORES)  # programme health counts it from its start date
    return project


@transaction.atomic
def project_start(*, started_by: User, team: Sequence[tuple[User, str]] = (), **details) -> Project:
    """Start a project where the starter may (leads and coaches anywhere, QI leads in their own
    directorates), with its team; apps built on projects add their part (coaching: its lead coach)."""
    unknown = set(details) - set(PROJECT_DETAIL_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown project fields: {', '.join(sorted(unknown))}.")
    directorate = details.get("directorate")
    if directorate is not None and not startable_directorates(started_by).filter(pk=directorate.pk).exists():
        raise ValidationError({"directorate": f"You cannot start projects in {directorate}."})
    people = [person.pk for person, _ in team]
    if len(people) != len(set(people)):
        raise ValidationError({"team": "Each person joins the team once; remove the repeated row."})
    project = project_create(created_by=started_by, **details)
    for person, role in team:
        team_member_add(
            project=project, person=person, role=role, joined_on=project.started_on, added_by=started_by
        )
    for hook in _lifecycle.started:
        hook(project=project, started_by=started_by)
    return project


@transaction.atomic
def project_update(*, project: Project, changed_by: User, **fields) -> Project:
    """Change a live project's details (its score and closing have services of their own)."""
    unknown = set(fields) - set(PROJECT_DETAIL_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown project fields: {', '.join(sorted(unknown))}.")
    locked = Project.objects.select_for_update().select_related("directorate", "sponsor").get(pk=project.pk)
    _refuse_archived(locked)
    changed = {name for name, value in fields.items() if getattr(locked, name) != value}
    moved_to = fields.get("directorate")
    if "directorate" in changed and not startable_directorates(changed_by).filter(pk=moved_to.pk).exists():
        raise ValidationError({"directorate": f"You cannot move projects into {moved_to}."})
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_project(locked, changed=changed)
    if changed:
        locked._history_user = changed_by
        locked.save()
    if "started_on" in changed:
        data_versions_bump(Topic.PROGRESS_SCORES)
    return locked


@transaction.atomic
def project_close(
    *, project: Project, status: str, outcome_summary: str, closed_by: User, closed_on: date | None = None
) -> Project:
    """Complete or close a project with its outcome: it becomes a read-only archive, still listed."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    _refuse_archived(locked)
    errors = {}
    if status not in ARCHIVED_STATUSES:
        errors["status"] = "Choose completed (it ran its course) or closed (it stopped early)."
    if not outcome_summary.strip():
        errors["outcome_summary"] = "Say what the project achieved and learned, for whoever reads it later."
    if errors:
        raise ValidationError(errors)
    locked.status, locked.outcome_summary = status, outcome_summary.strip()
    locked.closed_on = closed_on or timezone.localdate()
    locked.full_clean()
    locked._history_user = closed_by
    locked._change_reason = locked.get_status_display()
    locked.save()
    for hook in _lifecycle.closed:
        hook(project=locked, closed_by=closed_by)
    return locked


@transaction.atomic
def project_reopen(*, project: Project, reason: str, reopened_by: User) -> Project:
    """Make an archived project active again, keeping why (who and when are in its history)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not locked.is_archived:
        raise ValidationError(f"{locked} is {locked.get_status_display().lower()}, not closed.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the project is reopened."})
    locked.status, locked.closed_on, locked.reopen_reason = Project.Status.ACTIVE, None, reason.strip()
    locked.full_clean()
    locked._history_user = reopened_by
    locked._change_reason = "Reopened"
    locked.save()
    return locked


def team_member_add(
    *,
    project: Project,
    person: User,
    role: str = TeamMembership.Role.MEMBER,
    joined_on: date | None = None,
    added_by: User | None = None,
) -> TeamMembership:
    """Add a person to a live project's team, in one role."""
    _refuse_archived(Project.objects.get(pk=project.pk))  # the caller's copy may predate a closing
    if TeamMembership.objects.filter(project=project, person=person).exists():
        raise ValidationError({"person": f"{person} is already on the team of {project}."})
    if not person.is_active:
        raise ValidationError({"person": f"{person}'s account is switched off, so they cannot join a team."})
    membership = TeamMembership(project=project, person=person, role=role, joined_on=joined_on)
    membership.full_clean()
    membership._history_user = added_by
    membership.save()
    return membership


def team_member_remove(*, membership: TeamMembership, removed_by: User) -> None:
    """Take a person off a live project's team; its history keeps who they were, who removed them and when."""
    _refuse_archived(Project.objects.get(pk=membership.project_id))
    membership._history_user = removed_by
    membership._change_reason = "Removed from the team"
    membership.delete()


@transaction.atomic
def progress_score_change(
    *,
    project: Project,
    score: Decimal,
    changed_by: User,
    reason: str = "",
    changed_at: datetime | None = None,
) -> ProgressScoreChange | None:
    """Set the project's score and record who changed it, when and why; no entry when it is unchanged."""
    score = Decimal(score)
    if score not in PROGRESS_SCORES:
        raise ValidationError({"progress_score": f"{score} is not on the 0.5–5.0 progress scale."})
    locked = Project.objects.select_for_update().get(pk=project.pk)
    _refuse_archived(locked)
    project.progress_score = score  # keep the caller's instance in step with the database
    if locked.progress_score == score:
        return None
    change = ProgressScoreChange.objects.create(
        project=locked,
        score=score,
        previous_score=locked.progress_score,
        changed_by=changed_by,
        changed_at=changed_at or timezone.now(),
        reason=reason,
    )
    locked.progress_score = score
    locked.save(update_fields=["progress_score"])
    data_versions_bump(Topic.PROGRESS_SCORES)
    return change


def driver_node_add(
    *, project: Project, kind: str, text: str, parent: DriverNode | None = None
) -> DriverNode:
    expected_parent = {
        DriverNode.Kind.PRIMARY: None,
        DriverNode.Kind.SECONDARY: DriverNode.Kind.PRIMARY,
        DriverNode.Kind.CHANGE_IDEA: DriverNode.Kind.SECONDARY,
    }[kind]
    if (parent.kind if parent else None) != expected_parent or (parent and parent.project_id != project.pk):
        raise ValidationError(
            "A driver diagram runs aim → primary drivers → secondary drivers → change ideas; "
            "this node does not fit there."
        )
    position = (project.driver_nodes.filter(parent=parent).aggregate(m=Max("position"))["m"] or 0) + 1
    node = DriverNode(project=project, kind=kind, text=text, parent=parent, position=position)
    node.full_clean()
    node.save()
    return node


def driver_node_update(*, node: DriverNode, text: str) -> DriverNode:
    node.text = text.strip()
    node.full_clean()
    node.save(update_fields=["text"])
    return node


def driver_node_remove(*, node: DriverNode) -> None:
    """Remove a node; refused while it has children or PDSA cycles test it, so no history is lost."""
    if node.children.exists():
        raise ValidationError(f"“{node}” has drivers or change ideas under it; remove those first.")
    if node.pdsa_cycles.exists():
        raise ValidationError(f"PDSA cycles test “{node}”, so it stays in the diagram.")
    node.delete()


def measure_errors(measure: Measure) -> dict[str, str]:
    """The rules a measure's definition keeps, as messages by field (empty when it keeps them all).

    The database holds the range's order and a proportion's fractions; forms call this first to
    name the field, and the target must lie in the valid range, where every value lies.
    """
    errors: dict[str, str] = {}
    low, high = measure.lowest_value, measure.highest_value
    if measure.value_type == Measure.ValueType.PROPORTION:
        fraction = "A proportion's {} is a fraction from 0 to 1 (0.9 for 90%)."
        for name, label in (("lowest_value", "lowest value"), ("highest_value", "highest value")):
            if getattr(measure, name) is not None and not 0 <= getattr(measure, name) <= 1:
                errors[name] = fraction.format(label)
        if measure.target is not None and not 0 <= measure.target <= 1:
            errors["target"] = fraction.format("target")
    if low is not None and high is not None and low > high and not errors:
        errors["highest_value"] = (
            f"The highest value ({number_text(high)}) cannot be below the lowest value ({number_text(low)})."
        )
    if measure.target is not None and not errors and not in_range(measure.target, low, high):
        errors["target"] = (
            f"The target ({number_text(measure.target)}) must be in the measure's valid range: "
            f"{range_text(low, high)}."
        )
    return errors


def _check_measure(measure: Measure) -> None:
    if errors := measure_errors(measure):
        raise ValidationError(errors)


def measure_create(
    *,
    project: Project,
    name: str,
    kind: str,
    operational_definition: str,
    unit: str = "",
    lowest_value: Decimal | None = Decimal(0),
    highest_value: Decimal | None = None,
    better_direction: str = Measure.Direction.UP,
    target: Decimal | None = None,
    frequency: str = Measure.Frequency.WEEKLY,
    value_type: str = Measure.ValueType.VALUE,
    chart: str = Measure.Chart.RUN,
    run_rules: str = Measure.RunRules.ANHOEJ,
) -> Measure:
    """Add a measure to the project, with a valid range of 0 or more unless it says otherwise."""
    position = (project.measures.aggregate(m=Max("position"))["m"] or 0) + 1
    measure = Measure(
        project=project,
        name=name,
        kind=kind,
        operational_definition=operational_definition,
        unit=unit,
        lowest_value=lowest_value,
        highest_value=highest_value,
        better_direction=better_direction,
        target=target,
        frequency=frequency,
        value_type=value_type,
        chart=chart,
        run_rules=run_rules,
        position=position,
    )
    _check_measure(measure)
    measure.full_clean()
    measure.save()
    return measure


# A measure's definition, in the order a form shows it.
MEASURE_FIELDS = (
    "name",
    "kind",
    "operational_definition",
    "unit",
    "lowest_value",
    "highest_value",
    "better_direction",
    "target",
    "frequency",
    "value_type",
    "chart",
    "run_rules",
)
# How many periods a refusal names before it says "and N more".
NAMED_PERIODS = 3


def _periods_named(periods: Sequence[date]) -> str:
    named = ", ".join(period_text(period) for period in periods[:NAMED_PERIODS])
    more = len(periods) - NAMED_PERIODS
    return f"{named} and {more} more" if more > 0 else named


def _points_are(count: int) -> str:
    return f"{count} of the measure's data points {'is' if count == 1 else 'are'}"


def _data_conflicts(measure: Measure, before: Measure) -> dict[str, str]:
    """What in the measure's data a changed definition would break (read only when it changes)."""
    changed = {
        name
        for name in ("value_type", "frequency", "lowest_value", "highest_value")
        if getattr(measure, name) != getattr(before, name)
    }
    if not changed:
        return {}
    points = list(DataPoint.objects.filter(measure=measure).order_by("period"))
    if not points:
        return {}
    if "value_type" in changed:
        message = "This measure has data already, so it cannot switch between a value and a proportion."
        return {"value_type": message}
    errors: dict[str, str] = {}
    if "frequency" in changed:
        misfits = [p.period for p in points if not period_fits(p.period, measure.frequency)]
        if misfits:
            start = "the 1st of a month" if measure.frequency == Measure.Frequency.MONTHLY else "a Monday"
            errors["frequency"] = (
                f"{_points_are(len(misfits))} not on {start} "
                f"({_periods_named(misfits)}), so it cannot become "
                f"{measure.get_frequency_display().lower()}."
            )
    low, high = measure.lowest_value, measure.highest_value
    outside = [p for p in points if not in_range(p.number, low, high)]
    if outside and changed & {"lowest_value", "highest_value"}:
        field = (
            "lowest_value" if low is not None and any(p.number < low for p in outside) else "highest_value"
        )
        errors[field] = (
            f"{_points_are(len(outside))} outside {range_text(low, high)} "
            f"({_periods_named([p.period for p in outside])}): correct or remove them first, or "
            "choose a range that holds them."
        )
    return errors


@transaction.atomic
def measure_update(*, measure: Measure, **fields) -> Measure:
    """Change a measure's definition; its data must still keep the rules (value type, frequency, range)."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown measure fields: {', '.join(sorted(unknown))}.")
    before = Measure.objects.select_for_update().get(pk=measure.pk)
    for name, value in fields.items():
        setattr(measure, name, value)
    if errors := measure_errors(measure) or _data_conflicts(measure, before):
        raise ValidationError(errors)
    measure.full_clean()
    measure.save()
    return measure


def measure_baseline_freeze(*, measure: Measure, points: int, reason: str, set_by: User) -> Measure:
    """Freeze the centre line (and limits) on the first `points` points; a person's decision, recorded."""
    available = measure.data_points.count()
    if not 1 <= points <= available:
        raise ValidationError(
            {"baseline_points": f"Choose between 1 and {available} points for the baseline."}
        )
    first_phase = measure.phases.order_by("starts_on").values_list("starts_on", flat=True).first()
    if first_phase is not None:
        in_first_phase = measure.data_points.filter(period__lt=first_phase).count()
        if points > in_first_phase:
            message = (
                f"The first phase has {in_first_phase} points and a baseline cannot run past a "
                "recalculation: freeze fewer points, or remove the phase first."
            )
            raise ValidationError({"baseline_points": message})
    if not reason.strip():
        raise ValidationError({"baseline_reason": "Say why the baseline is frozen here."})
    measure.baseline_points, measure.baseline_reason = points, reason.strip()
    measure.baseline_set_by, measure.baseline_set_at = set_by, timezone.now()
    measure.full_clean()
    measure.save(update_fields=["baseline_points", "baseline_reason", "baseline_set_by", "baseline_set_at"])
    return measure


def measure_baseline_clear(*, measure: Measure) -> Measure:
    """Go back to a centre line calculated from every point."""
    measure.baseline_points, measure.baseline_reason = None, ""
    measure.baseline_set_by, measure.baseline_set_at = None, None
    measure.save(update_fields=["baseline_points", "baseline_reason", "baseline_set_by", "baseline_set_at"])
    return measure


def measure_phase_add(*, measure: Measure, starts_on: date, reason: str, created_by: User) -> MeasurePhase:
    """Recalculate the chart from a chosen period (a rebase), with the reason recorded."""
    if not measure.data_points.filter(period=starts_on).exists():
        raise ValidationError({"starts_on": "A new phase starts at one of the measure's data points."})
    if not measure.data_points.filter(period__lt=starts_on).exists():
        raise ValidationError(
            {"starts_on": "The first data point already starts the chart; choose a later one."}
        )
    if measure.baseline_points and measure.data_points.filter(period__lt=starts_on).count() < (
        measure.baseline_points
    ):
        raise ValidationError(
            {"starts_on": "A new phase cannot start inside the frozen baseline; choose a later point."}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the chart is recalculated from here."})
    phase = MeasurePhase(measure=measure, starts_on=starts_on, reason=reason.strip(), created_by=created_by)
    phase.full_clean()
    phase.save()
    return phase


def measure_phase_remove(*, phase: MeasurePhase) -> None:
    phase.delete()


def chart_note_add(*, measure: Measure, on: date, text: str, created_by: User) -> ChartNote:
    """Add a note to the chart at a date in the years 1900 to 2100."""
    if not date_in_range(on):
        raise ValidationError({"on": f"A note's date must be in the years {DATE_RANGE_TEXT}."})
    note = ChartNote(measure=measure, on=on, text=text.strip(), created_by=created_by)
    note.full_clean()
    note.save()
    return note


class ReplacementUnconfirmed(ValidationError):
    """The period already has a value, and the person has not confirmed replacing that value.

    `point` is the value recorded now and `replacement` the one offered (as "30" or "27/36"),
    so a page can ask "Replace 33 with 30?".
    """

    def __init__(self, point: DataPoint, replacement: str):
        self.point, self.replacement = point, replacement
        super().__init__(
            f"{period_text(point.period)} already has {point.display_value}: confirm to replace "
            f"{point.display_value} with {replacement}.",
            code="replacement_unconfirmed",
        )


def _shown(value: Decimal | None, numerator: int | None, denominator: int | None) -> str:
    return f"{numerator}/{denominator}" if value is None else number_text(value)


def _replaced_reason(previous: str, new: str) -> str:
    return f"Replaced {previous} with {new}"


@transaction.atomic
def data_point_record(
    *,
    measure: Measure,
    period: date,
    recorded_by: User,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
    note: str = "",
    replaces: str | None = None,
) -> DataPoint:
    """Record a measure's value for one period, keeping every rule of `projects.data_rules`.

    A period that has a value keeps it unless `replaces` names that value as the person saw it
    ("33"): otherwise `ReplacementUnconfirmed` says what would be replaced, so nobody replaces
    a value without seeing it, nor one that changed since. The history keeps both values, and
    the point returned says in `replaced` which value it replaced (None for a new period).
    """
    if errors := data_point_problems(
        measure, period=period, value=value, numerator=numerator, denominator=denominator
    ):
        raise ValidationError(errors)
    new = _shown(value, numerator, denominator)
    point = DataPoint.objects.select_for_update().filter(measure=measure, period=period).first()
    if point is not None and point.display_value != replaces:
        raise ReplacementUnconfirmed(point, new)
    replaced = None if point is None else point.display_value
    if point is None:
        point = DataPoint(measure=measure, period=period)
    else:
        point._change_reason = _replaced_reason(replaced, new)
    point.value, point.numerator, point.denominator = value, numerator, denominator
    point.note, point.recorded_by = note, recorded_by
    point._history_user = recorded_by
    point.full_clean()
    point.save()
    point.replaced = replaced
    return point


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


@transaction.atomic
def data_points_import(
    *,
    measure: Measure,
    rows: Sequence[ImportRow],
    recorded_by: User,
    replaces: Mapping[date, str] | None = None,
) -> ImportSummary:
    """Store many periods at once, all or nothing: any bad row stores none and names the row.

    Every row keeps the rules of `projects.data_rules`. A row for a period that has a value
    replaces it only if `replaces` maps the period to that value as the person previewed it,
    so a value recorded or changed since the preview is never replaced unseen.
    """
    replaces = replaces or {}
    periods = [row.period for row in rows]
    existing = {
        p.period: p for p in DataPoint.objects.select_for_update().filter(measure=measure, period__in=periods)
    }
    now, today = timezone.now(), timezone.localdate()
    to_create, to_update, errors = [], [], []
    for row in rows:
        problems = data_point_problems(
            measure,
            period=row.period,
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            today=today,
        )
        if problems:
            errors.append(f"Row {row.line}: {' '.join(problems.values())}")
            continue
        point = existing.get(row.period)
        new = _shown(row.value, row.numerator, row.denominator)
        if point is not None:
            previewed = replaces.get(row.period)
            if previewed != point.display_value:
                since = "" if previewed is None else f" (it held {previewed} when you previewed the import)"
                errors.append(
                    f"Row {row.line}: {period_text(row.period)} holds {point.display_value}{since}; "
                    "preview the import again to see what it replaces."
                )
                continue
            point._change_reason = f"{_replaced_reason(point.display_value, new)} by an import"
        else:
            point = DataPoint(measure=measure, period=row.period)
        point.value, point.numerator, point.denominator = row.value, row.numerator, row.denominator
        point.note, point.recorded_by, point.recorded_at = row.note, recorded_by, now
        try:
            point.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors.append(f"Row {row.line}: {' '.join(error.messages)}")
            continue
        (to_update if point.pk else to_create).append(point)
    if errors:
        raise ValidationError(errors)
    # The *_with_history helpers write the history rows a one-by-one save would have written.
    bulk_create_with_history(to_create, DataPoint, batch_size=500, default_user=recorded_by)
    fields = ["value", "numerator", "denominator", "note", "recorded_by", "recorded_at"]
    bulk_update_with_history(to_update, DataPoint, fields, batch_size=500, default_user=recorded_by)
    return ImportSummary(created=len(to_create), updated=len(to_update))


REMOVED_FROM_THE_MEASURE_PAGE = "Removed from the measure's page"


@transaction.atomic
def data_point_remove(*, point: DataPoint, removed_by: User) -> None:
    """Remove one period's value; its history keeps every field, who removed it and when.

    Refused while a recalculation (phase) starts at the point: the phase would lose its place.
    """
    if MeasurePhase.objects.filter(measure_id=point.measure_id, starts_on=point.period).exists():
        raise ValidationError(
            f"A new phase starts at {period_text(point.period)}; remove the phase first, under "
            "Chart decisions, then the data point."
        )
    point._history_user = removed_by
    point._change_reason = REMOVED_FROM_THE_MEASURE_PAGE
    point.delete()


def pdsa_cycle_errors(cycle: PDSACycle) -> dict[str, str]:
    """The rules a cycle keeps, as messages by field (empty when it keeps them all).

    The database enforces the core of these; forms call this first to name the field.
    """
    errors: dict[str, str] = {}
    idea = cycle.change_idea
    if idea and (idea.project_id != cycle.project_id or idea.kind != DriverNode.Kind.CHANGE_IDEA):
        errors["change_idea"] = "Choose a change idea from this project's driver diagram."
    if cycle.follows_id:
        earlier, seen = cycle.follows, {cycle.pk}
        if earlier.project_id != cycle.project_id:
            errors["follows"] = "A cycle can only follow a cycle of the same project."
        while earlier is not None and "follows" not in errors:
            if earlier.pk in seen:
                errors["follows"] = "A ramp cannot loop back on itself; choose an earlier cycle."
            seen.add(earlier.pk)
            earlier = earlier.follows
    if cycle.status == PDSACycle.Status.COMPLETED and not cycle.act_decision:
        errors["act_decision"] = "Choose adopt, adapt or abandon before completing the cycle."
    for name in ("starts_on", "completed_on"):
        day = getattr(cycle, name)
        if day is not None and not date_in_range(day):
            errors[name] = f"A PDSA cycle's dates must be in the years {DATE_RANGE_TEXT}."
    if "starts_on" in errors or "completed_on" in errors:
        return errors  # the order of the dates means little until both are in range
    if cycle.completed_on and not cycle.starts_on:
        errors["starts_on"] = "Give the start date of a completed cycle."
    elif cycle.completed_on and cycle.completed_on < cycle.starts_on:
        errors["completed_on"] = "A cycle cannot be completed before it starts."
    return errors


def _check_pdsa_cycle(cycle: PDSACycle) -> None:
    if errors := pdsa_cycle_errors(cycle):
        raise ValidationError(errors)


@transaction.atomic
def pdsa_cycle_create(
    *,
    project: Project,
    title: str,
    change_idea: DriverNode | None = None,
    follows: PDSACycle | None = None,
    measures=(),
    starts_on: date | None = None,
    **plan: str,
) -> PDSACycle:
    """Plan a new PDSA cycle, numbered next in the project."""
    # Lock the project row so two cycles planned at once do not take the same number.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    number = (project.pdsa_cycles.aggregate(m=Max("number"))["m"] or 0) + 1
    cycle = PDSACycle(
        project=project,
        number=number,
        title=title,
        change_idea=change_idea,
        follows=follows,
        starts_on=starts_on,
        **{f"plan_{k}": v for k, v in plan.items()},
    )
    _check_pdsa_cycle(cycle)
    cycle.full_clean()
    cycle.save()
    cycle.measures.set(measures)
    return cycle


@transaction.atomic
def pdsa_cycle_update(*, cycle: PDSACycle, measures=None, **fields) -> PDSACycle:
    """Record the Do, Study or Act of a cycle, or move its status on (completing dates it today)."""
    editable = {f.name for f in PDSACycle._meta.concrete_fields} - {"id", "project", "number"}
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError(f"Unknown PDSA fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(cycle, name, value)
    if cycle.status == PDSACycle.Status.COMPLETED and cycle.completed_on is None and cycle.starts_on:
        cycle.completed_on = max(cycle.starts_on, timezone.localdate())
    _check_pdsa_cycle(cycle)
    cycle.full_clean()
    cycle.save()
    if measures is not None:
        cycle.measures.set(measures)
    return cycle

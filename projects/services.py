"""Writes for projects, teams, progress scores, driver diagrams, measures, data points and PDSA cycles."""

from collections.abc import Sequence
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
from projects.imports import ImportRow
from projects.models import (
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
from projects.periods import period_problem, period_text


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
    """Create a project and the first entry of its progress-score history."""
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
    project.full_clean()
    project.save()
    ProgressScoreChange.objects.create(
        project=project,
        score=progress_score,
        previous_score=None,
        changed_by=created_by,
        changed_at=created_at or timezone.now(),
        reason="Project created",
    )
    return project


def team_member_add(
    *, project: Project, person: User, role: str = TeamMembership.Role.MEMBER, joined_on: date | None = None
) -> TeamMembership:
    membership = TeamMembership(project=project, person=person, role=role, joined_on=joined_on)
    membership.full_clean()
    membership.save()
    return membership


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


def measure_create(
    *,
    project: Project,
    name: str,
    kind: str,
    operational_definition: str,
    unit: str = "",
    better_direction: str = Measure.Direction.UP,
    target: Decimal | None = None,
    frequency: str = Measure.Frequency.WEEKLY,
    value_type: str = Measure.ValueType.VALUE,
    chart: str = Measure.Chart.RUN,
    run_rules: str = Measure.RunRules.ANHOEJ,
) -> Measure:
    position = (project.measures.aggregate(m=Max("position"))["m"] or 0) + 1
    measure = Measure(
        project=project,
        name=name,
        kind=kind,
        operational_definition=operational_definition,
        unit=unit,
        better_direction=better_direction,
        target=target,
        frequency=frequency,
        value_type=value_type,
        chart=chart,
        run_rules=run_rules,
        position=position,
    )
    measure.full_clean()
    measure.save()
    return measure


# A measure's definition, in the order a form shows it.
MEASURE_FIELDS = (
    "name",
    "kind",
    "operational_definition",
    "unit",
    "better_direction",
    "target",
    "frequency",
    "value_type",
    "chart",
    "run_rules",
)


def measure_update(*, measure: Measure, **fields) -> Measure:
    """Change a measure's definition; its value type is fixed once it has data."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown measure fields: {', '.join(sorted(unknown))}.")
    if fields.get("value_type", measure.value_type) != measure.value_type and measure.data_points.exists():
        message = "This measure has data already, so it cannot switch between a value and a proportion."
        raise ValidationError({"value_type": message})
    for name, value in fields.items():
        setattr(measure, name, value)
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


def _check_data_shape(
    measure: Measure, value: Decimal | None, numerator: int | None, denominator: int | None
) -> None:
    if measure.value_type == Measure.ValueType.PROPORTION:
        if numerator is None or denominator is None or value is not None:
            raise ValidationError("This measure is a proportion: give a numerator and a denominator.")
        if denominator <= 0 or not 0 <= numerator <= denominator:
            raise ValidationError(
                "The numerator must be between 0 and the denominator, which must be above 0."
            )
    elif value is None or numerator is not None or denominator is not None:
        raise ValidationError("This measure takes a single value.")


def data_point_record(
    *,
    measure: Measure,
    period: date,
    recorded_by: User,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
    note: str = "",
) -> DataPoint:
    """Record (or correct) a measure's value for one period (1900 to today), in the shape it expects."""
    if problem := period_problem(period):
        raise ValidationError({"period": problem})
    _check_data_shape(measure, value, numerator, denominator)
    point = DataPoint.objects.filter(measure=measure, period=period).first() or DataPoint(
        measure=measure, period=period
    )
    point.value, point.numerator, point.denominator = value, numerator, denominator
    point.note, point.recorded_by = note, recorded_by
    point.full_clean()
    point.save()
    return point


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


@transaction.atomic
def data_points_import(*, measure: Measure, rows: Sequence[ImportRow], recorded_by: User) -> ImportSummary:
    """Store many periods at once, all or nothing: any bad row stores none and names the row."""
    periods = [row.period for row in rows]
    existing = {p.period: p for p in DataPoint.objects.filter(measure=measure, period__in=periods)}
    now, today = timezone.now(), timezone.localdate()
    to_create, to_update, errors = [], [], []
    for row in rows:
        if problem := period_problem(row.period, today):
            errors.append(f"Row {row.line}: {problem}")
            continue
        point = existing.get(row.period) or DataPoint(measure=measure, period=row.period)
        point.value, point.numerator, point.denominator = row.value, row.numerator, row.denominator
        point.note, point.recorded_by, point.recorded_at = row.note, recorded_by, now
        try:
            _check_data_shape(measure, row.value, row.numerator, row.denominator)
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

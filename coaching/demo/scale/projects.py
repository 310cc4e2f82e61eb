"""Scale data's projects: aims, teams, score histories, driver diagrams, measures, data and PDSA cycles.

Projects are planned first (`plan_projects`), then their coaching (`CoachingPart.plan_coaching`),
so that each project is written once with the score its latest meeting gave it, and its
progress-score history ends there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from coaching.demo.common import local, monday
from coaching.demo.scale.words import (
    BALANCING_MEASURES,
    DRIVERS,
    OUTCOME_MEASURES,
    OUTCOMES,
    PROCESS_MEASURES,
    PROJECT_IDEAS,
    PROJECT_PLACES,
)
from coaching.models import Assignment
from coachprog.accounts.models import User
from projects.models import (
    LIVE_STATUSES,
    ChartNote,
    DataPoint,
    DriverNode,
    Measure,
    PDSACycle,
    ProgressScoreChange,
    Project,
    TeamMembership,
)
from projects.periods import DAILY, MONTHLY, WEEKLY, period_start

CREATED_SCORE = Decimal("0.5")  # project_create's default: intent to participate
POINTS_PER_MEASURE = (3, 13)  # fewest and most, so about 300,000 points for 40,000 measures
POINTS_PER_INSERT = 20_000
KINDS = [Measure.Kind.OUTCOME, Measure.Kind.PROCESS, Measure.Kind.PROCESS, Measure.Kind.BALANCING]
TEMPLATES = {
    Measure.Kind.OUTCOME: OUTCOME_MEASURES,
    Measure.Kind.PROCESS: PROCESS_MEASURES,
    Measure.Kind.BALANCING: BALANCING_MEASURES,
}
SOURCES = ["the electronic patient record", "Datix", "the ward's audit sheet", "the booking system"]


@dataclass
class ProjectPlan:
    """A project and everything that happened in it, planned before anything is written."""

    project: Project
    d: int  # its directorate's index
    team: list[TeamMembership]
    reserved: User | None = None  # a demo coach whose team this is
    spells: list[Assignment] = field(default_factory=list)
    meetings: list[tuple[date, User, Decimal]] = field(default_factory=list)  # (met on, coach, score)

    @property
    def live(self) -> bool:
        return self.project.status in LIVE_STATUSES

    @property
    def ends(self) -> date:
        """The last day of the project's work: today for a live project, else its closing date."""
        return self.project.closed_on or timezone.localdate()


@dataclass
class _MeasureSpec:
    measure: Measure
    template: tuple
    periods: list[date]
    improving: bool
    recorded_by: User


def _step_back(day: date, frequency: str) -> date:
    if frequency == MONTHLY:
        return (day - timedelta(days=1)).replace(day=1)
    return day - timedelta(days=1 if frequency == DAILY else 7)


class ProjectsPart:
    def plan_projects(self) -> None:
        rng, today = self.rng, self.today
        titles: list[set[str]] = [set() for _ in self.directorates]
        self.plans: list[ProjectPlan] = []
        for i in range(self.sizes.projects):
            d = i % len(self.directorates)
            age = rng.randint(7, 760)
            started = monday(today - timedelta(days=age))
            status, closed_on = Project.Status.ACTIVE, None
            if age > 365 and rng.random() < 0.5:
                status = Project.Status.COMPLETED if rng.random() < 0.7 else Project.Status.CLOSED
                closed_on = min(
                    started + timedelta(days=rng.randint(180, age - 7)), today - timedelta(days=7)
                )
            elif rng.random() < 0.04:
                status = Project.Status.ON_HOLD
            idea, aim, how_much = rng.choice(PROJECT_IDEAS)
            place = rng.choice(PROJECT_PLACES)
            where = f"in {place}" if place.startswith("the ") else f"on {place}"
            title, again = f"{idea} {where}", 1
            while title.lower() in titles[d]:  # titles are unique in a directorate
                again += 1
                title = f"{idea} {where} ({again})"
            titles[d].add(title.lower())
            project = Project(
                title=title,
                directorate=self.directorates[d],
                aim_what=f"{aim} {where}",
                aim_how_much=how_much,
                aim_by_when=started + timedelta(weeks=rng.randint(26, 78)),
                sponsor=rng.choice(self.sponsors_of[d]),
                started_on=started,
                status=status,
                closed_on=closed_on,
                outcome_summary=rng.choice(OUTCOMES) if closed_on else "",
            )
            people = rng.sample(self.staff_of[d], rng.randint(3, 6))
            team = [
                TeamMembership(
                    project=project, person=person, role=TeamMembership.Role.MEMBER, joined_on=started
                )
                for person in people
            ]
            team[0].role = TeamMembership.Role.LEAD
            if len(team) > 3 and rng.random() < 0.15:
                team[-1].role = TeamMembership.Role.SERVICE_USER
            self.plans.append(ProjectPlan(project=project, d=d, team=team))
        self._reserve_demo_loads()

    def _reserve_demo_loads(self) -> None:
        """The demo accounts' teams and projects, in the QI lead's directorates (their own first)."""
        loads, qi = self.loads, self.loads.qi_directorates
        second = min(1, len(self.directorates) - 1)

        def ordered(first: int) -> list[ProjectPlan]:
            return sorted(self.plans, key=lambda plan: (plan.d != first, plan.d >= qi))

        old_enough = self.today - timedelta(weeks=8)
        for coach, first in ((self.coach, 0), (self.coach2, second)):
            candidates = [
                p for p in ordered(first) if p.reserved is None and p.project.status == Project.Status.ACTIVE
            ]
            candidates.sort(key=lambda p: p.project.started_on > old_enough)  # teams that have met a while
            for plan in candidates[: loads.coach_teams]:
                plan.reserved = coach
        sponsored: list[ProjectPlan] = []
        for sponsor, first in ((self.sponsor, 0), (self.sponsor2, second)):
            mine = [p for p in ordered(first) if p.project.sponsor not in (self.sponsor, self.sponsor2)]
            for plan in mine[: loads.sponsor_projects]:
                plan.project.sponsor = sponsor
                if sponsor is self.sponsor:
                    sponsored.append(plan)
        live = [p for p in sponsored if p.live] + [p for p in ordered(0) if p.live and p not in sponsored]
        half = (loads.member_projects + 1) // 2
        chosen = live[:half] + [p for p in live[half:] if p not in sponsored][: loads.member_projects - half]
        for plan in chosen:
            plan.team.append(
                TeamMembership(project=plan.project, person=self.member, joined_on=plan.project.started_on)
            )

    def build_projects(self) -> None:
        plans = self.plans
        self.insert([plan.project for plan in plans])
        self.insert([membership for plan in plans for membership in plan.team])
        self.insert([change for plan in plans for change in self._score_history(plan)])
        ideas = self._driver_diagrams(plans)
        specs = self._measures(plans)
        self._data_points(specs)
        self._pdsa_cycles(plans, ideas, specs)

    def _score_history(self, plan: ProjectPlan) -> list[ProgressScoreChange]:
        """ "Project created", then each meeting that changed the score: it ends at the project's score."""
        project = plan.project
        starter = plan.spells[0].coach if plan.spells else self.lead
        changes = [
            ProgressScoreChange(
                project=project,
                score=CREATED_SCORE,
                previous_score=None,
                changed_by=starter,
                changed_at=local(project.started_on, time(9)),
                reason="Project created",
            )
        ]
        score = CREATED_SCORE
        for met_on, coach, new in plan.meetings:
            if new != score:
                changes.append(
                    ProgressScoreChange(
                        project=project,
                        score=new,
                        previous_score=score,
                        changed_by=coach,
                        changed_at=timezone.make_aware(datetime.combine(met_on, time(12))),
                        reason=f"Team meeting on {met_on:%-d %b %Y}",
                    )
                )
                score = new
        assert score == project.progress_score, project.title
        return changes

    def _driver_diagrams(self, plans: list[ProjectPlan]) -> dict[int, list[DriverNode]]:
        """Aim → a primary driver → a secondary driver → two change ideas, for each project."""
        texts = [self.rng.choice(DRIVERS) for _ in plans]
        primaries = self.insert(
            [
                DriverNode(project=plan.project, kind=DriverNode.Kind.PRIMARY, text=primary, position=1)
                for plan, (primary, _, _) in zip(plans, texts, strict=True)
            ]
        )
        secondaries = self.insert(
            [
                DriverNode(
                    project=plan.project,
                    kind=DriverNode.Kind.SECONDARY,
                    text=secondary,
                    parent=parent,
                    position=1,
                )
                for plan, parent, (_, secondary, _) in zip(plans, primaries, texts, strict=True)
            ]
        )
        ideas = self.insert(
            [
                DriverNode(
                    project=plan.project,
                    kind=DriverNode.Kind.CHANGE_IDEA,
                    text=idea,
                    parent=parent,
                    position=n,
                )
                for plan, parent, (_, _, ideas) in zip(plans, secondaries, texts, strict=True)
                for n, idea in enumerate(ideas, start=1)
            ]
        )
        by_project: dict[int, list[DriverNode]] = {}
        for idea in ideas:
            by_project.setdefault(idea.project_id, []).append(idea)
        return by_project

    def _measures(self, plans: list[ProjectPlan]) -> list[_MeasureSpec]:
        rng, count = self.rng, self.sizes.measures
        specs = []
        for plan in plans:
            kinds = [KINDS[n] if n < len(KINDS) else Measure.Kind.PROCESS for n in range(count)]
            used: set[str] = set()
            improving = plan.project.progress_score >= Decimal("3.0")
            lead = plan.team[0].person
            for position, kind in enumerate(kinds, start=1):
                template = rng.choice(TEMPLATES[kind])
                name = template[0]
                while name in used:  # names are unique in a project
                    template = rng.choice(TEMPLATES[kind])
                    name = template[0] if template[0] not in used else f"{template[0]} ({position})"
                used.add(name)
                measure = self._measure(plan, kind, name, template, position)
                periods = self._periods(plan, measure.frequency)
                if len(periods) >= 12 and rng.random() < 0.3:
                    # The team froze its baseline before testing changes: a person's decision, recorded.
                    measure.baseline_points = rng.randint(6, min(12, len(periods) - 2))
                    measure.baseline_reason = "Baseline before the first PDSA cycle"
                    measure.baseline_set_by = plan.spells[0].coach if plan.spells else self.lead
                    measure.baseline_set_at = min(self.now, local(periods[measure.baseline_points], time(10)))
                specs.append(_MeasureSpec(measure, template, periods, improving, lead))
        self.insert([spec.measure for spec in specs])
        notes = [
            ChartNote(
                measure=spec.measure,
                on=spec.periods[len(spec.periods) // 2],
                text=rng.choice(["New rota started", "Two locum doctors on the ward", "Ward refurbishment"]),
                created_by=spec.recorded_by,
            )
            for spec in specs
            if len(spec.periods) >= 6 and rng.random() < 0.03
        ]
        self.insert(notes)
        return specs

    def _measure(self, plan: ProjectPlan, kind: str, name: str, template: tuple, position: int) -> Measure:
        rng = self.rng
        _, unit, direction, value_type, level, _, highest, decimals = template
        frequency = rng.choices([WEEKLY, MONTHLY, DAILY], weights=[60, 35, 5])[0]
        proportion = value_type == Measure.ValueType.PROPORTION
        target = None
        if kind == Measure.Kind.OUTCOME and rng.random() < 0.5:
            if proportion:
                aim = min(0.95, level + 0.2) if direction == "up" else max(0.05, level - 0.1)
                target = Decimal(str(round(aim, 2)))
            else:
                target = Decimal(str(round(level * (0.7 if direction == "down" else 1.3), decimals)))
                if highest is not None:
                    target = min(target, Decimal(highest))
        period = {WEEKLY: "week", MONTHLY: "month", DAILY: "day"}[frequency]
        return Measure(
            project=plan.project,
            name=name,
            kind=kind,
            operational_definition=f"{name}, counted for each {period} from {rng.choice(SOURCES)}; "
            "the team's data lead checks the figure before it is entered.",
            unit=unit,
            better_direction=direction,
            target=target,
            lowest_value=Decimal(0),
            highest_value=Decimal(1) if proportion else (Decimal(highest) if highest is not None else None),
            frequency=frequency,
            value_type=value_type,
            chart=Measure.Chart.SPC if rng.random() < 0.3 else Measure.Chart.RUN,
            run_rules=Measure.RunRules.IHI if rng.random() < 0.15 else Measure.RunRules.ANHOEJ,
            position=position,
        )

    def _periods(self, plan: ProjectPlan, frequency: str) -> list[date]:
        """The periods with data: contiguous, ending at or just before the last one worked on."""
        rng = self.rng
        latest = period_start(plan.ends, frequency)
        if rng.random() < 0.4:
            latest = _step_back(latest, frequency)  # this period's figure is not in yet
        earliest = period_start(plan.project.started_on, frequency)
        wanted = rng.randint(*POINTS_PER_MEASURE)
        periods = []
        while latest >= earliest and len(periods) < wanted:
            periods.append(latest)
            latest = _step_back(latest, frequency)
        return periods[::-1]

    def _data_points(self, specs: list[_MeasureSpec]) -> None:
        rng, batch = self.rng, []
        for spec in specs:
            _, _, direction, value_type, level, spread, highest, decimals = spec.template
            n, measure_id, recorded_by_id = len(spec.periods), spec.measure.pk, spec.recorded_by.pk
            shift_at = round(n * 0.6) if spec.improving and n >= 8 else n
            if value_type == Measure.ValueType.PROPORTION:
                rate = min(0.95, max(0.05, level + rng.uniform(-0.1, 0.1)))
                better = min(0.98, rate + 0.15) if direction == "up" else max(0.02, rate - 0.1)
                size = rng.randint(20, 120)
            else:
                base = level * rng.uniform(0.8, 1.2)
                better = base * (0.75 if direction == "down" else 1.25)
            for i, period in enumerate(spec.periods):
                # By id: the measure is written already, and a third of a million rows go faster so.
                point = DataPoint(measure_id=measure_id, period=period, recorded_by_id=recorded_by_id)
                if value_type == Measure.ValueType.PROPORTION:
                    centre = better if i >= shift_at else rate
                    point.denominator = max(1, round(size * rng.uniform(0.8, 1.2)))
                    share = min(1.0, max(0.0, rng.gauss(centre, spread)))
                    point.numerator = min(point.denominator, round(point.denominator * share))
                else:
                    centre = better if i >= shift_at else base
                    value = max(0.0, rng.gauss(centre, spread))
                    if highest is not None:
                        value = min(value, highest)
                    point.value = Decimal(str(round(value, decimals)))
                batch.append(point)
            if len(batch) >= POINTS_PER_INSERT:
                self.insert(batch)
                batch = []
        self.insert(batch)

    def _pdsa_cycles(
        self, plans: list[ProjectPlan], ideas: dict[int, list[DriverNode]], specs: list[_MeasureSpec]
    ) -> None:
        """Up to three cycles a project: a test, a second cycle building on it, and one planned."""
        rng = self.rng
        outcome = {
            spec.measure.project_id: spec.measure for spec in reversed(specs) if spec.measure.position == 1
        }
        rounds: list[list[PDSACycle]] = [[], [], []]
        for plan in plans:
            project, ends = plan.project, plan.ends
            first_idea, second_idea = ideas[project.pk][0], ideas[project.pk][-1]
            starts = project.started_on + timedelta(days=rng.randint(28, 70))
            wanted = rng.choice([0, 1, 1, 2, 2, 3])
            if not wanted or starts > ends - timedelta(days=7):
                continue
            first = self._cycle(project, 1, first_idea, starts, ends, decision="adapt")
            rounds[0].append(first)
            number = 1
            if wanted >= 2 and first.completed_on:
                second = self._cycle(
                    project, 2, first_idea, first.completed_on + timedelta(days=7), ends, decision="adopt"
                )
                if second is not None:
                    second.follows, number = first, 2  # a ramp: the second builds on the first
                    rounds[1].append(second)
            if wanted == 3 and plan.live:
                rounds[2].append(
                    PDSACycle(
                        project=project,
                        number=number + 1,
                        title=f"Try: {second_idea.text.lower()}",
                        change_idea=second_idea,
                        status=PDSACycle.Status.PLANNED,
                        plan_question=f"Will {second_idea.text.lower()} help?",
                    )
                )
        for cycles in rounds:
            self.insert(cycles)
        self.insert(
            [
                PDSACycle.measures.through(pdsacycle=cycle, measure=outcome[cycle.project_id])
                for cycles in rounds
                for cycle in cycles
            ]
        )

    def _cycle(
        self, project: Project, number: int, idea: DriverNode, starts: date, ends: date, *, decision: str
    ) -> PDSACycle | None:
        """A cycle from `starts`: completed with `decision` if it finished by `ends`, else under way."""
        rng = self.rng
        if starts > ends:
            return None
        cycle = PDSACycle(
            project=project,
            number=number,
            title=f"{idea.text} ({'one shift' if number == 1 else 'every shift'})",
            change_idea=idea,
            starts_on=starts,
            plan_question=f"Will {idea.text.lower()} make a difference we can see on the chart?",
            plan_prediction="Half of the team will use it in the first week.",
            plan_who="The nurse in charge",
            plan_data="A tally at the end of each shift",
        )
        done = starts + timedelta(days=rng.randint(14, 35))
        if done <= ends:
            cycle.status, cycle.completed_on, cycle.act_decision = PDSACycle.Status.COMPLETED, done, decision
            cycle.do_what_happened = "Used on most shifts; the night shift needed a reminder."
            cycle.study_results = "Better than predicted on the day shift."
            cycle.act_next_step = (
                "Try it on every shift for two weeks." if decision == "adapt" else "Standard work."
            )
        else:
            cycle.status = rng.choice([PDSACycle.Status.DOING, PDSACycle.Status.STUDYING])
            cycle.do_what_happened = "Under way."
        return cycle

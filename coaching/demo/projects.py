"""Demo projects with measures, 20+ data points each (with real signals), drivers and PDSA cycles."""

from datetime import date, time, timedelta
from decimal import Decimal

from coaching.demo.common import (
    TEAM_NAMES,
    local,
    monday,
    slug,
)
from projects.models import DriverNode, Measure, Project, TeamMembership
from projects.services import (
    chart_note_add,
    data_point_record,
    driver_node_add,
    measure_baseline_freeze,
    measure_create,
    pdsa_cycle_create,
    pdsa_cycle_update,
    project_create,
    team_member_add,
)


class ProjectsPart:
    def build_projects(self) -> None:
        sponsor, sponsor2 = self.people["sponsor@example.org"], self.people["sponsor2@example.org"]
        this_week = monday(self.today)
        started = this_week - timedelta(weeks=28)
        team = iter(TEAM_NAMES)
        self.projects: dict[str, Project] = {}
        specs = [
            # key, title, directorate, sponsor, aim what/how much, scores over time
            (
                "discharge",
                "Timely discharge summaries",
                self.newham,
                sponsor,
                "Increase the proportion of discharge summaries that reach the GP within 24 hours",
                "to 90%",
            ),
            (
                "memory",
                "Shorter waits for the memory clinic",
                self.newham,
                sponsor2,
                "Reduce the wait from referral to first memory clinic appointment",
                "from 42 to 28 days",
            ),
            (
                "restraint",
                "Fewer restrictive interventions on Ruby Ward",
                self.tower_hamlets,
                sponsor,
                "Reduce restrictive interventions on Ruby Ward",
                "by 30%",
            ),
            (
                "depot",
                "Physical health checks for people on depot medication",
                self.tower_hamlets,
                sponsor2,
                "Increase the proportion of people on depot medication with an annual physical health check",
                "to 85%",
            ),
        ]
        for key, title, unit, project_sponsor, what, how_much in specs:
            project = project_create(
                title=title,
                directorate=unit,
                aim_what=what,
                aim_how_much=how_much,
                aim_by_when=this_week + timedelta(weeks=30),
                sponsor=project_sponsor,
                started_on=started,
                created_by=self.lead,
                created_at=local(started, time(9)),
            )
            self.projects[key] = project
            team_member_add(
                project=project,
                person=self.person(f"{slug(n := next(team))}@example.org", n, unit),
                role=TeamMembership.Role.LEAD,
            )
            for _ in range(2):
                team_member_add(
                    project=project, person=self.person(f"{slug(n := next(team))}@example.org", n, unit)
                )
        team_member_add(project=self.projects["discharge"], person=self.people["member@example.org"])

        self.build_discharge(this_week)
        self.build_memory(this_week)
        self.build_restraint(this_week)
        self.build_depot(this_week)

    def drivers(self, project: Project, primary: str, secondary: str, ideas: list[str]) -> list[DriverNode]:
        p = driver_node_add(project=project, kind=DriverNode.Kind.PRIMARY, text=primary)
        s = driver_node_add(project=project, kind=DriverNode.Kind.SECONDARY, text=secondary, parent=p)
        return [
            driver_node_add(project=project, kind=DriverNode.Kind.CHANGE_IDEA, text=i, parent=s)
            for i in ideas
        ]

    def series(self, measure: Measure, periods: list[date], values: list) -> None:
        for period, value in zip(periods, values, strict=True):
            if measure.value_type == Measure.ValueType.PROPORTION:
                num, den = value
                data_point_record(
                    measure=measure, period=period, numerator=num, denominator=den, recorded_by=self.lead
                )
            else:
                data_point_record(
                    measure=measure, period=period, value=Decimal(str(value)), recorded_by=self.lead
                )

    def build_discharge(self, this_week: date) -> None:
        project = self.projects["discharge"]
        ideas = self.drivers(
            project,
            "Reliable discharge process",
            "Summary written before the patient leaves",
            ["Discharge checklist on the ward round", "Pharmacy sign-off the day before"],
        )
        measure = measure_create(
            project=project,
            name="Discharge summaries sent within 24 hours",
            kind=Measure.Kind.PROCESS,
            operational_definition=(
                "Of all inpatient discharges in the week (Monday to Sunday), the number whose "
                "discharge summary was sent to the GP within 24 hours of the patient leaving the ward, "
                "from the EPR audit report."
            ),
            unit="%",
            better_direction=Measure.Direction.UP,
            target=Decimal("0.9"),
            value_type=Measure.ValueType.PROPORTION,
        )
        weeks = [this_week - timedelta(weeks=26 - i) for i in range(26)]
        self.discharge_measure = measure
        values = []
        for i in range(26):
            den = self.rng.randint(28, 40)
            rate = 0.62 if i < 16 else 0.84  # a shift after the checklist was adopted
            num = min(den, max(0, round(den * (rate + self.rng.uniform(-0.06, 0.06)))))
            values.append((num, den))
        self.series(measure, weeks, values)
        balancing = measure_create(
            project=project,
            name="Time spent on discharge paperwork",
            kind=Measure.Kind.BALANCING,
            operational_definition=(
                "Median minutes per discharge reported by nurses in a weekly two-question survey."
            ),
            unit="minutes",
            better_direction=Measure.Direction.DOWN,
        )
        self.series(balancing, weeks, [round(25 + self.rng.uniform(-4, 4)) for _ in range(26)])
        # The team froze its baseline before testing changes, and noted a staffing change.
        measure_baseline_freeze(
            measure=measure, points=12, reason="Baseline before the first PDSA cycle", set_by=self.lead
        )
        chart_note_add(
            measure=measure, on=weeks[8], text="Two locum doctors on the ward", created_by=self.lead
        )
        first = pdsa_cycle_create(
            project=project,
            title="Checklist on one ward round",
            change_idea=ideas[0],
            measures=[measure],
            starts_on=weeks[12],
            question="Will a checklist on the ward round get summaries started earlier?",
            prediction="Half of the summaries will be started before the patient leaves.",
            who="Ward doctors on Monday's round",
            data="Summary start time for each discharge",
        )
        pdsa_cycle_update(
            cycle=first,
            status="completed",
            completed_on=weeks[13],
            act_decision="adapt",
            do_what_happened="Used on two of three ward rounds.",
            study_results="7 of 12 started early; better than predicted.",
            act_next_step="Try on every ward round for two weeks.",
        )
        second = pdsa_cycle_create(
            project=project,
            title="Checklist on every ward round",
            change_idea=ideas[0],
            follows=first,
            measures=[measure],
            starts_on=weeks[15],
            question="Does the checklist hold on every round?",
            prediction="80% of summaries sent within 24 hours.",
        )
        pdsa_cycle_update(
            cycle=second,
            status="completed",
            completed_on=weeks[17],
            act_decision="adopt",
            study_results="84% over two weeks.",
            act_next_step="Make it standard work; spread to Sally Sherman ward.",
        )
        pdsa_cycle_create(
            project=project,
            title="Pharmacy sign-off the day before",
            change_idea=ideas[1],
            measures=[measure],
            starts_on=this_week - timedelta(weeks=1),
            question="Does earlier pharmacy sign-off remove the last delays?",
        )

    def build_memory(self, this_week: date) -> None:
        project = self.projects["memory"]
        ideas = self.drivers(
            project,
            "Enough appointment capacity",
            "Fewer wasted slots",
            ["Text reminders two days before", "Triage referrals within a week"],
        )
        measure = measure_create(
            project=project,
            name="Days from referral to first appointment",
            kind=Measure.Kind.OUTCOME,
            operational_definition="Median days between referral received and first appointment attended, "
            "for first appointments in the week.",
            unit="days",
            better_direction=Measure.Direction.DOWN,
            target=Decimal("28"),
        )
        weeks = [this_week - timedelta(weeks=24 - i) for i in range(24)]
        # Flat, then a steady fall: a trend for the run-chart rules to find.
        values = [
            42,
            44,
            41,
            43,
            45,
            42,
            40,
            44,
            43,
            41,
            42,
            44,
            43,
            41,
            40,
            38,
            36,
            35,
            33,
            31,
            33,
            32,
            34,
            33,
        ]
        self.series(measure, weeks, values)
        pdsa_cycle_create(
            project=project,
            title="Text reminders for one clinic",
            change_idea=ideas[0],
            measures=[measure],
            starts_on=weeks[13],
            question="Will a reminder text two days before reduce missed appointments?",
            prediction="Missed appointments fall from 1 in 5 to 1 in 10.",
        )

    def build_restraint(self, this_week: date) -> None:
        project = self.projects["restraint"]
        ideas = self.drivers(
            project,
            "A calm ward environment",
            "Early recognition of distress",
            ["Safety huddle at each shift change", "Sensory room open in the evening"],
        )
        measure = measure_create(
            project=project,
            name="Restrictive interventions per 1,000 occupied bed days",
            kind=Measure.Kind.OUTCOME,
            operational_definition=(
                "Restraint, seclusion and rapid tranquillisation incidents on Datix in the week, "
                "divided by occupied bed days, times 1,000."
            ),
            chart=Measure.Chart.SPC,
            unit="per 1,000 bed days",
            better_direction=Measure.Direction.DOWN,
        )
        weeks = [this_week - timedelta(weeks=26 - i) for i in range(26)]
        values = [round((18 if i < 17 else 11) + self.rng.uniform(-3, 3), 1) for i in range(26)]
        self.series(measure, weeks, values)
        cycle = pdsa_cycle_create(
            project=project,
            title="Safety huddle on the early shift",
            change_idea=ideas[0],
            measures=[measure],
            starts_on=weeks[15],
            question="Can a five-minute huddle name the patients at risk of distress?",
            prediction="The huddle takes under five minutes and names at-risk patients on most days.",
        )
        pdsa_cycle_update(cycle=cycle, status="studying", do_what_happened="Held on 9 of 10 days.")

    def build_depot(self, this_week: date) -> None:
        project = self.projects["depot"]
        ideas = self.drivers(
            project,
            "Physical health is everyone's job",
            "Checks happen at the depot clinic",
            ["Bloods and ECG at the depot appointment"],
        )
        measure = measure_create(
            project=project,
            name="People on depot with a physical health check in the last year",
            kind=Measure.Kind.OUTCOME,
            operational_definition="At month end, of people on the depot clinic list, those with a recorded "
            "annual physical health check (weight, BP, bloods, ECG) in the last 12 months.",
            unit="%",
            better_direction=Measure.Direction.UP,
            target=Decimal("0.85"),
            frequency=Measure.Frequency.MONTHLY,
            value_type=Measure.ValueType.PROPORTION,
            chart=Measure.Chart.SPC,
        )
        month = self.today.replace(day=1)
        months = []
        for _ in range(24):
            month = (month - timedelta(days=1)).replace(day=1)
            months.append(month)
        months.reverse()
        values = []
        for i in range(24):
            den = self.rng.randint(110, 130)
            rate = 0.55 if i < 16 else 0.7
            values.append((round(den * (rate + self.rng.uniform(-0.04, 0.04))), den))
        self.series(measure, months, values)
        pdsa_cycle_create(
            project=project,
            title="Bloods at the Tuesday depot clinic",
            change_idea=ideas[0],
            measures=[measure],
            starts_on=months[15],
            question="Can the clinic take bloods at the depot appointment?",
        )

    # --- coaching -------------------------------------------------------------------

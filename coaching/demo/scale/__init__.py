"""Scale data: a whole health system's programme, written fast, for measuring pages at size.

`seed_scale(sizes=PRESETS["large"])` fills an empty database with ten thousand projects and
everything around them; `manage.py seed_scale` is its command (presets in its docstring).
Unlike the demo loader, which calls a service for every row, this writes rows in bulk
(`bulk_create` in batches, one pre-hashed password) and keeps the rules itself: every row
satisfies its model's constraints and the invariants the services keep (one open assignment
per role per team, attendance only for a cohort's participants at its started sessions, data
points on their measure's periods and in its range, a progress-score history that ends at
the project's score, and so on). Bulk rows write no django-simple-history versions: history
records what people changed, and nobody changed these.

The demo accounts (`coaching.demo.common.DEMO_ACCOUNTS`) are made through the services, with
the demo's password and access policy, and given a load to match the size (`DemoLoads`).
The same seed on the same day gives the same data.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from coaching.demo.common import DEMO_PASSWORD
from coaching.demo.scale.coaching import CoachingPart
from coaching.demo.scale.cohorts import CohortsPart
from coaching.demo.scale.people import PeoplePart
from coaching.demo.scale.projects import ProjectsPart
from coachprog.accounts.models import Directorate, User
from cohorts.models import Cohort, Programme
from projects.models import Project

# Rows per INSERT: large enough to be fast, small enough for PostgreSQL's 65,535 parameters.
PARAMETERS_PER_INSERT = 30_000


@dataclass(frozen=True)
class ScaleSizes:
    """The main sizes; everything else (people, meetings, data points) follows from them."""

    projects: int
    directorates: int
    coaches: int
    cohorts: int
    measures: int = 4  # per project

    def problems(self) -> list[str]:
        """What makes these sizes impossible to build, in the command's words (empty when none)."""
        found = [
            f"--{name} must be at least 1."
            for name in ("projects", "directorates", "cohorts", "measures")
            if getattr(self, name) < 1
        ]
        if self.coaches < 2:
            found.append("--coaches must be at least 2 (the two demo coaches).")
        if self.measures > 12:
            found.append("--measures is at most 12 a project.")
        return found

    def with_overrides(self, **overrides: int | None) -> ScaleSizes:
        return replace(self, **{name: value for name, value in overrides.items() if value is not None})


PRESETS = {
    # A trust: a few hundred projects, tens of coaches, a programme running a few cohorts.
    "small": ScaleSizes(projects=200, directorates=10, coaches=40, cohorts=4),
    # A regional or national network: the size issue 13's targets are measured at.
    "large": ScaleSizes(projects=10_000, directorates=250, coaches=2_000, cohorts=200),
}


@dataclass(frozen=True)
class DemoLoads:
    """How much each demo account holds at a size: the large preset's loads, less in a small system."""

    coach_teams: int
    sponsor_projects: int
    member_projects: int
    qi_directorates: int
    supervisees: int

    @classmethod
    def for_sizes(cls, sizes: ScaleSizes) -> DemoLoads:
        per_directorate = sizes.projects / sizes.directorates
        fewest = min(2, sizes.directorates)  # the two demo coaches work in two directorates
        most = max(fewest, sizes.directorates // 3)
        return cls(
            coach_teams=min(10, max(1, sizes.projects // 20)),
            sponsor_projects=min(20, max(1, sizes.projects // 10)),
            member_projects=min(6, max(1, sizes.projects // 30)),
            # About 200 projects' worth of directorates, never more than a third of them.
            qi_directorates=min(most, max(fewest, round(200 / per_directorate))),
            supervisees=30,
        )


@dataclass(frozen=True)
class PartReport:
    name: str
    rows: Counter[str]
    seconds: float


@dataclass(frozen=True)
class ScaleResult:
    sizes: ScaleSizes
    parts: list[PartReport]
    rows: Counter[str]
    seconds: float
    loads: dict[str, str]


class ScaleDataRefused(Exception):
    """The database already holds a programme: scale data goes into an empty one only."""


def existing_data() -> list[str]:
    """What the database holds already of what scale data makes, as "693 people" (empty: it may run)."""
    held = []
    for model, one, many in (
        (User, "person", "people"),
        (Directorate, "directorate", "directorates"),
        (Programme, "programme", "programmes"),
        (Cohort, "cohort", "cohorts"),
        (Project, "project", "projects"),
    ):
        if count := model.objects.count():
            held.append(f"{count:,} {one if count == 1 else many}")
    return held


class _ScaleBuilder(PeoplePart, CohortsPart, ProjectsPart, CoachingPart):
    def __init__(self, sizes: ScaleSizes, seed: int, report: Callable[[PartReport], None]) -> None:
        self.sizes = sizes
        self.loads = DemoLoads.for_sizes(sizes)
        self.rng = random.Random(seed)
        self.today: date = timezone.localdate()
        self.now: datetime = timezone.now()
        # Hashing is slow on purpose: every account shares the demo password, hashed once.
        self.password_hash = make_password(DEMO_PASSWORD)
        self.rows: Counter[str] = Counter()
        self.parts: list[PartReport] = []
        self.report = report

    def insert(self, objects: list) -> list:
        """Write the rows in batches (their primary keys are set on them afterwards)."""
        if objects:
            model = type(objects[0])
            batch = max(1, PARAMETERS_PER_INSERT // len(model._meta.concrete_fields))
            model._default_manager.bulk_create(objects, batch_size=batch)
            self.rows[model._meta.label] += len(objects)
        return objects

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        started, before = time.perf_counter(), Counter(self.rows)
        yield
        made = self.rows.copy()
        made.subtract(before)
        report = PartReport(name=name, rows=+made, seconds=time.perf_counter() - started)
        self.parts.append(report)
        self.report(report)

    def build(self) -> None:
        with self.part("people and directorates"):
            self.build_people()
        with self.part("cohorts"):
            self.build_cohorts()
        with self.part("projects, measures and data points"):
            self.plan_projects()
            self.plan_coaching()
            self.build_projects()
        with self.part("assignments and meeting logs"):
            self.build_assignments_and_meetings()
        with self.part("supervision and monthly updates"):
            self.build_supervision()
            self.build_monthly_updates()


def seed_scale(
    *, sizes: ScaleSizes, seed: int = 13, report: Callable[[PartReport], None] = lambda part: None
) -> ScaleResult:
    """Fill an empty database with scale data of these sizes, all or nothing; refused if it holds data."""
    if problems := sizes.problems():
        raise ValueError(" ".join(problems))
    started = time.perf_counter()
    with transaction.atomic():
        if held := existing_data():
            raise ScaleDataRefused(
                f"The database already holds data ({', '.join(held)}). Scale data goes into an empty "
                "database only: create a new one, run `manage.py migrate`, and run seed_scale there."
            )
        builder = _ScaleBuilder(sizes, seed, report)
        builder.build()
    if connection.vendor == "postgresql":
        # Fresh statistics, so the first page measured after seeding is planned for this size.
        with builder.part("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ScaleResult(
        sizes=sizes,
        parts=builder.parts,
        rows=builder.rows,
        seconds=time.perf_counter() - started,
        loads=builder.demo_load_summary(),
    )

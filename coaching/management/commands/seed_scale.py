"""`manage.py seed_scale --preset small|large`: scale data for measuring pages at a health system's size.

Fills an empty, migrated database (it refuses one that holds people, directorates,
programmes, cohorts or projects) with bulk inserts, in one transaction, and prints what each
part made and how long it took. On PostgreSQL it runs ANALYZE afterwards.

Presets (every number is about; `--projects`, `--directorates`, `--coaches`, `--cohorts` and
`--measures` override the main sizes, and everything else follows from them):

- ``small``, a trust: 200 projects in 10 directorates, 40 coaches, 4 cohorts of one programme.
- ``large``, a regional or national network: 10,000 projects in 250 directorates, 2,000 coaches,
  200 cohorts of 20 programmes, 40,000 measures with about 300,000 data points, and the meeting
  logs, supervision and monthly updates around them.

Both hold the same shape: cohorts with sessions, applications, enrolments and registers, whose
completers are the coaches; projects with teams, sponsors, driver diagrams, measures, data
points, PDSA cycles and a progress-score history; assignments, meeting logs (who came, what was
worked on, next steps), supervision logs and monthly updates, dated relative to today.

The demo accounts sign in with the password "coachprog-demo" (two-factor off, as in the demo),
and hold a load to match the size: at the large preset the coach has 10 teams, the sponsor 20
projects, the team member 6, the QI lead 5 directorates (about 200 projects) and 30 coaches to
supervise, and the lead sees everything (a programme lead with admin access). `--seed` chooses
the random numbers: the same seed on the same day gives the same data. Timings and row counts
are in docs/performance.md ("Scale data").
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.demo.common import DEMO_PASSWORD
from coaching.demo.scale import PRESETS, PartReport, ScaleDataRefused, seed_scale


def _name(label: str, count: int) -> str:
    """A model's name: "meeting logs", "1 cohort", or for a many-to-many link "meeting log attendees"."""
    model = apps.get_model(label)
    parent = model._meta.auto_created
    if parent:
        field = next(f for f in parent._meta.many_to_many if f.remote_field.through is model)
        return f"{parent._meta.verbose_name} {field.name.replace('_', ' ')}"
    return str(model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural)


def _rows(report: PartReport) -> str:
    return ", ".join(f"{count:,} {_name(label, count)}" for label, count in report.rows.most_common())


class Command(BaseCommand):
    help = (
        "Fill an empty database with scale data (--preset small: a trust; large: a network of 10,000 "
        "projects) by bulk inserts, for measuring pages. Refuses a database that holds data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", required=True, choices=sorted(PRESETS), help="small or large")
        for name, what in (
            ("projects", "projects"),
            ("directorates", "directorates"),
            ("coaches", "coaches (at least 2)"),
            ("cohorts", "cohorts (programmes run 10 each)"),
            ("measures", "measures a project"),
        ):
            parser.add_argument(
                f"--{name}", type=int, metavar="N", help=f"How many {what}, instead of the preset's."
            )
        parser.add_argument("--seed", type=int, default=13, help="Seed of the random numbers (default 13).")

    def handle(self, *args, **options) -> None:
        sizes = PRESETS[options["preset"]].with_overrides(
            **{name: options[name] for name in ("projects", "directorates", "coaches", "cohorts", "measures")}
        )
        if problems := sizes.problems():
            raise CommandError(" ".join(problems))
        self.stdout.write(
            f"Seeding {sizes.projects:,} projects in {sizes.directorates:,} directorates, "
            f"{sizes.coaches:,} coaches, {sizes.cohorts:,} cohorts and {sizes.measures} measures a project "
            f"(seed {options['seed']})."
        )

        def report(part: PartReport) -> None:
            self.stdout.write(f"  {part.name:<36} {part.seconds:7.1f} s  {_rows(part)}")

        try:
            result = seed_scale(sizes=sizes, seed=options["seed"], report=report)
        except ScaleDataRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            self.style.SUCCESS(f"Done in {result.seconds:.1f} s: {sum(result.rows.values()):,} rows.")
        )
        self.stdout.write(f"Sign in with the password “{DEMO_PASSWORD}” as:")
        for email, load in result.loads.items():
            self.stdout.write(f"  {email:<24} {load}")

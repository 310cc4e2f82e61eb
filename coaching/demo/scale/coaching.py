"""Scale data's coaching: coach profiles, assignments, meeting logs, supervision and monthly updates.

Each project's coaching is planned before the project is written (`plan_coaching`): who
coached it when (one open assignment per role, a coach's open teams only while they coach),
the meetings each lead coach held while assigned, and the progress score each meeting gave,
so that the project's score is its latest meeting's.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta
from decimal import Decimal

from coaching.demo.common import local
from coaching.demo.scale.words import (
    MEETING_NOTES,
    NARRATIVES,
    NEXT_STEPS,
    REFLECTIONS,
    SPONSOR_ASKS,
    SUPERVISION_THEMES,
)
from coaching.models import (
    Assignment,
    CoachProfile,
    MeetingFocus,
    MeetingLog,
    MonthlyUpdate,
    NextStep,
    SupervisionLog,
    UpdateComment,
)
from coaching.reports import month_facts, next_month
from coachprog.accounts.models import User
from projects.models import Project

MEETINGS_PER_SPELL = 15  # the latest ones: older meetings predate the app
MEETINGS_PER_INSERT = 5_000
HALF = Decimal("0.5")
HOURS = [Decimal(h) for h in ("2.0", "3.5", "4.0", "4.0", "4.0", "6.0", "7.5")]
HANDOVER_REASONS = ["Moved to a new role in another trust", "Took on a ward manager post", "Parental leave"]


def _weekday(day: date) -> date:
    """The Friday before a weekend day; other days as they are."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


class CoachingPart:
    # --- planning, before the projects are written --------------------------------------------

    def plan_coaching(self) -> None:
        rng, loads = self.rng, self.loads
        others = self.coaches[2:]
        standing_down = set(map(id, rng.sample(others, k=len(others) // 20)))
        self.profiles: list[CoachProfile] = []
        by_demo = 0
        for i, coach in enumerate(self.coaches):
            d = self.coach_directorate[i]
            if d < loads.qi_directorates:
                # The demo QI lead supervises 30 of the coaches of their directorates, the demo's first.
                supervisor = self.qilead if by_demo < loads.supervisees else self.co_qi_lead
                by_demo += supervisor is self.qilead
            else:
                supervisor = rng.choice(self.qi_leads_of[d]) if rng.random() > 0.05 else None
            self.profiles.append(
                CoachProfile(
                    coach=coach,
                    hours_per_week=rng.choice(HOURS),
                    supervisor=supervisor,
                    is_active=id(coach) not in standing_down,
                )
            )
        self.active_in: list[list[User]] = [[] for _ in self.directorates]
        self.inactive_coaches = [c for c in others if id(c) in standing_down]
        for i, coach in enumerate(others, start=2):
            if id(coach) not in standing_down:
                self.active_in[self.coach_directorate[i]].append(coach)
        self.active_anywhere = [c for coaches in self.active_in for c in coaches]
        self.team_load: Counter[int] = Counter()
        for plan in self.plans:
            self._plan_spells(plan)
            self._plan_meetings(plan)

    def _pick_coach(self, d: int, *, besides: tuple[User, ...] = ()) -> User | None:
        """An active coach of the directorate (anywhere, if it has none) with few teams."""
        candidates = [c for c in self.active_in[d] or self.active_anywhere if c not in besides]
        if not candidates:
            return None
        sample = self.rng.sample(candidates, k=min(3, len(candidates)))
        return min(sample, key=lambda coach: self.team_load[id(coach)])

    def _plan_spells(self, plan) -> None:
        rng, project = self.rng, plan.project
        assigner = rng.choice([self.lead, *self.qi_leads_of[plan.d]])
        if plan.reserved is not None:
            lead = plan.reserved
        elif project.status == Project.Status.ACTIVE and rng.random() < 0.03:
            return  # waiting for a coach
        elif not plan.live and self.inactive_coaches and rng.random() < 0.2:
            lead = rng.choice(self.inactive_coaches)  # coached it, and has since stood down
        else:
            lead = self._pick_coach(plan.d)
        if lead is None:
            return
        starts, ends = project.started_on, project.closed_on
        span = (plan.ends - starts).days
        if span > 270 and rng.random() < 0.12:
            earlier = (
                rng.choice(self.inactive_coaches)
                if self.inactive_coaches and rng.random() < 0.7
                else self._pick_coach(plan.d, besides=(lead,))
            )
            if earlier is not None:
                handover = starts + timedelta(days=rng.randint(90, span - 60))
                plan.spells.append(
                    Assignment(
                        coach=earlier,
                        project=project,
                        starts_on=starts,
                        ends_on=handover - timedelta(days=1),
                        end_reason=rng.choice(HANDOVER_REASONS),
                        assigned_by=assigner,
                    )
                )
                starts = handover
        reason = f"The project was {project.get_status_display().lower()}." if ends else ""
        plan.spells.append(
            Assignment(
                coach=lead,
                project=project,
                starts_on=starts,
                ends_on=ends,
                end_reason=reason,
                assigned_by=assigner,
            )
        )
        if plan.live:
            self.team_load[id(lead)] += 1
            if rng.random() < 0.12 and (second := self._pick_coach(plan.d, besides=(lead,))) is not None:
                joined = min(self.today, starts + timedelta(days=rng.randint(0, 120)))
                plan.spells.append(
                    Assignment(
                        coach=second,
                        project=project,
                        role=Assignment.Role.SECOND,
                        starts_on=joined,
                        assigned_by=assigner,
                    )
                )
                self.team_load[id(second)] += 1

    def _plan_meetings(self, plan) -> None:
        """The lead coaches' meetings, every two to six weeks, and the score each one gave."""
        rng, project = self.rng, plan.project
        cadence = rng.randint(14, 28) if plan.reserved else rng.randint(14, 42)
        for spell in plan.spells:
            if spell.role != Assignment.Role.LEAD:
                continue
            if spell.ends_on is not None:
                last, lag = spell.ends_on, rng.randint(0, 14)
            else:
                last = self.today
                if project.status == Project.Status.ON_HOLD:
                    lag = rng.randint(30, 90)
                else:  # most teams met lately; some are overdue (amber after 21 days, red after 35)
                    lag = rng.choices(
                        [rng.randint(0, 20), rng.randint(21, 34), rng.randint(35, 70)], [70, 20, 10]
                    )[0]
            dates, day = [], last - timedelta(days=lag)
            while day >= spell.starts_on + timedelta(days=7) and len(dates) < MEETINGS_PER_SPELL:
                if (met_on := _weekday(day)) >= spell.starts_on:
                    dates.append(met_on)
                day -= timedelta(days=cadence + rng.randint(-3, 3))
            plan.meetings += [(met_on, spell.coach, None) for met_on in reversed(dates)]
        # Teams move up the IHI scale at their own pace, towards what they will reach.
        if project.status == Project.Status.COMPLETED:
            ceiling = rng.choice(["3.5", "4.0", "4.5", "5.0"])
        elif project.status == Project.Status.CLOSED:
            ceiling = rng.choice(["1.5", "2.0", "2.5"])
        else:
            ceiling = rng.choice(["2.0", "2.5", "3.0", "3.0", "3.5", "3.5", "4.0", "4.5"])
        score, up = Decimal(rng.choice(["1.0", "1.0", "1.5"])), rng.uniform(0.15, 0.45)
        scored = []
        for n, (met_on, coach, _) in enumerate(plan.meetings):
            if n and rng.random() < up and score < Decimal(ceiling):
                score += HALF
            elif n and rng.random() < 0.04 and score > Decimal("1.0"):
                score -= HALF
            scored.append((met_on, coach, score))
        plan.meetings = scored
        project.progress_score = scored[-1][2] if scored else Decimal("0.5")

    # --- writing -----------------------------------------------------------------------------------

    def build_assignments_and_meetings(self) -> None:
        rng = self.rng
        self.insert(self.profiles)
        self.insert([spell for plan in self.plans for spell in plan.spells])
        focuses = list(MeetingFocus.objects.order_by("position"))
        if not focuses:
            raise RuntimeError("The meeting focuses are missing: run `manage.py migrate` on a new database.")
        batch: list[tuple] = []
        for plan in self.plans:
            team = [membership.person for membership in plan.team]
            for n, (met_on, coach, score) in enumerate(plan.meetings):
                meeting = MeetingLog(
                    coach=coach,
                    project=plan.project,
                    met_on=met_on,
                    duration_minutes=rng.choice([30, 45, 60, 60, 75, 90]),
                    mode=rng.choice([MeetingLog.Mode.IN_PERSON, MeetingLog.Mode.ONLINE]),
                    progress_score=score,
                    notes=rng.choice(MEETING_NOTES),
                )
                following = plan.meetings[n + 1][0] if n + 1 < len(plan.meetings) else None
                steps = [
                    NextStep(
                        meeting=meeting,
                        description=rng.choice(NEXT_STEPS),
                        owner=(team[0] if step == 0 else coach).display_name,
                        due_on=met_on + timedelta(days=7 * (step + 1)),
                        # Ticked off at the next meeting, mostly; the latest meeting's are open.
                        done_on=following if following and rng.random() < 0.85 else None,
                    )
                    for step in range(rng.randint(1, 2))
                ]
                attendees = rng.sample(team, k=min(len(team), rng.randint(2, 3)))
                batch.append((meeting, attendees, rng.sample(focuses, k=rng.randint(1, 2)), steps))
            if len(batch) >= MEETINGS_PER_INSERT:
                self._write_meetings(batch)
                batch = []
        self._write_meetings(batch)

    def _write_meetings(self, batch: list[tuple]) -> None:
        self.insert([meeting for meeting, _, _, _ in batch])
        # The links by id: the meetings have theirs now, and there are a quarter of a million.
        self.insert(
            [
                MeetingLog.attendees.through(meetinglog_id=meeting.pk, user_id=person.pk)
                for meeting, attendees, _, _ in batch
                for person in attendees
            ]
        )
        self.insert(
            [
                MeetingLog.focuses.through(meetinglog_id=meeting.pk, meetingfocus_id=focus.pk)
                for meeting, _, focuses, _ in batch
                for focus in focuses
            ]
        )
        self.insert([step for _, _, _, steps in batch for step in steps])

    def build_supervision(self) -> None:
        """1:1 and group supervision every four to eight weeks, and a trust-wide session now and then."""
        rng, logs = self.rng, []
        for profile in self.profiles:
            coach, supervisor = profile.coach, profile.supervisor
            if coach is self.coach:
                lag = 14
            elif coach is self.coach2:
                lag = 70  # over eight weeks: supervision is due, as in the demo
            else:
                lag = rng.randint(3, 50) if rng.random() < 0.8 else rng.randint(57, 120)
            last = self.today - timedelta(days=lag if profile.is_active else rng.randint(60, 200))
            for n in range(rng.randint(4, 8)):
                held = _weekday(last - timedelta(days=n * rng.randint(28, 56)))
                if supervisor is not None:
                    reflection = rng.choice(REFLECTIONS) if rng.random() < 0.7 else ""
                    logs.append(
                        SupervisionLog(
                            coach=coach,
                            supervisor=supervisor,
                            held_on=held,
                            kind=SupervisionLog.Kind.ONE_TO_ONE
                            if rng.random() < 0.6
                            else SupervisionLog.Kind.GROUP,
                            themes=rng.choice(SUPERVISION_THEMES),
                            will_try="Open the next meeting with the run chart.",
                            reflection=reflection,
                            reflection_shared=bool(reflection) and rng.random() < 0.3,
                            supervisor_note="Good progress; bring the stuck team next time."
                            if rng.random() < 0.1
                            else "",
                        )
                    )
                if n % 3 == 0 or supervisor is None:
                    logs.append(
                        SupervisionLog(
                            coach=coach,
                            held_on=held - timedelta(days=7),
                            kind=SupervisionLog.Kind.TRUST_WIDE,
                            themes="Trust-wide coaches' forum: spreading what works.",
                        )
                    )
        self.insert(logs)

    def build_monthly_updates(self) -> None:
        """Each project's last months' updates, ready for the sponsor, and this month's drafts."""
        rng, this_month = self.rng, self.today.replace(day=1)
        updates, comments = [], []
        for plan in self.plans:
            project = plan.project
            if plan.live:
                months = [this_month]
                for _ in range(rng.randint(3, 6)):
                    months.append((months[-1] - timedelta(days=1)).replace(day=1))
                months = months[1:]
            else:
                closing = project.closed_on.replace(day=1)
                months = [closing, (closing - timedelta(days=1)).replace(day=1)]
            for month in reversed(months):
                if month < project.started_on.replace(day=1):
                    continue
                author = self._lead_coach_in(plan, month)
                if author is None:
                    continue
                made = self._update(plan, month, author)
                updates += made
                ready = made[-1]
                if ready.acknowledged_at and rng.random() < 0.08:
                    comments.append(
                        UpdateComment(
                            update=ready,
                            author=project.sponsor,
                            body="Thank you. I have asked the service manager to release time for the team.",
                        )
                    )
            if plan.live and rng.random() < 0.3 and (author := self._lead_coach_in(plan, this_month)):
                updates.append(
                    MonthlyUpdate(
                        project=project,
                        month=this_month,
                        author=author,
                        progress_score=project.progress_score,
                        narrative="",
                    )
                )
        self.insert(updates)
        self.insert(comments)
        self._signal_counts()

    def _lead_coach_in(self, plan, month: date) -> User | None:
        """The lead coach assigned at the end of the month (or at the spell's end, within it)."""
        end = _month_end(month)
        for spell in reversed(plan.spells):
            if (
                spell.role == Assignment.Role.LEAD
                and spell.starts_on <= end
                and (spell.ends_on is None or spell.ends_on >= month)
            ):
                return spell.coach
        return None

    def _update(self, plan, month: date, author: User) -> list[MonthlyUpdate]:
        """The month's ready update (now and then a second version), or a draft if it is not due yet."""
        rng, project = self.rng, plan.project
        end = _month_end(month)
        held = [m for m in plan.meetings if month <= m[0] <= end]
        before = [m for m in plan.meetings if m[0] <= end]
        score = before[-1][2] if before else Decimal("0.5")
        rag = "green" if score >= Decimal("3.0") else "amber"
        if not held and score < Decimal("2.0"):
            rag = "red"
        update = MonthlyUpdate(
            project=project,
            month=month,
            author=author,
            progress_score=score,
            narrative=rng.choice(NARRATIVES).format(meetings=len(held), month=f"{month:%B}"),
            sponsor_ask=rng.choice(SPONSOR_ASKS) if rng.random() < 0.25 else "",
            rag=rag,
        )
        ready_at = local(next_month(month) + timedelta(days=rng.randint(0, 6)), time(10))
        if ready_at > self.now:
            # The coach is still writing it: a draft holds the score when it was opened, today's.
            update.progress_score = project.progress_score
            return [update]
        update.status, update.ready_at = MonthlyUpdate.Status.READY, ready_at
        made = [update]
        if rng.random() < 0.05 and ready_at + timedelta(days=2) <= self.now:
            # Corrected after it went to the sponsor: a second version, the first kept as read.
            made.append(
                MonthlyUpdate(
                    project=project,
                    month=month,
                    version=2,
                    author=author,
                    status=MonthlyUpdate.Status.READY,
                    progress_score=score,
                    narrative=update.narrative + " (Corrected: one meeting was logged twice.)",
                    sponsor_ask=update.sponsor_ask,
                    rag=rag,
                    ready_at=ready_at + timedelta(days=2),
                )
            )
        latest = made[-1]
        read_at = latest.ready_at + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6))
        if rng.random() < 0.6 and read_at <= self.now:
            latest.acknowledged_at, latest.acknowledged_by = read_at, project.sponsor
        return made

    def _signal_counts(self) -> None:
        """The run-chart signals of the month, as marking an update ready counts them, for the latest
        ready update of each demo sponsor's projects (drawing every chart of every update would
        take far longer than the rest; other updates leave the count unknown, as older ones do)."""
        latest: dict[int, MonthlyUpdate] = {}
        sponsored = MonthlyUpdate.objects.filter(
            project__sponsor__in=[self.sponsor, self.sponsor2], status=MonthlyUpdate.Status.READY
        ).select_related("project")
        for update in sponsored.order_by("project", "month", "version"):
            latest[update.project_id] = update
        for update in latest.values():
            update.signal_count = month_facts(update.project, update.month).signal_count
        MonthlyUpdate.objects.bulk_update(list(latest.values()), ["signal_count"], batch_size=500)

"""Demo coaching: assignments (with history), meetings, supervision and monthly updates."""

from datetime import timedelta
from decimal import Decimal

from coaching.demo.common import (
    monday,
)
from coaching.services import (
    assignment_end,
    assignment_start,
    coach_profile_set,
    meeting_log_create,
    monthly_update_draft,
    monthly_update_edit,
    monthly_update_mark_ready,
    supervision_log_create,
    update_comment_add,
)


class CoachingPart:
    def build_coaching(self) -> None:
        coach, coach2 = self.people["coach@example.org"], self.people["coach2@example.org"]
        for person in (coach, coach2):
            coach_profile_set(coach=person, supervisor=self.qilead)
        former = self.person("grace.ibe@example.org", "Grace Ibe", self.tower_hamlets)
        coach_profile_set(coach=former, hours_per_week=Decimal("3.5"), supervisor=self.qilead)
        started = monday(self.today) - timedelta(weeks=26)
        plan = {
            "discharge": (coach, [1.5, 2.0, 2.5, 2.5, 3.0, 3.0, 3.5, 3.5, 3.5, 3.5], 14, 6),
            "memory": (coach, [1.5, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0], 18, 40),
            "restraint": (coach2, [1.5, 2.0, 2.0, 2.5, 2.5, 3.0, 3.0, 3.0, 3.0], 16, 3),
            "depot": (coach2, [1.0, 1.5, 2.0, 2.0, 2.5, 2.5, 2.5, 2.5], 18, 12),
        }
        focus_cycle = [
            ["aim", "driver-diagram"],
            ["measurement"],
            ["pdsa-planning"],
            ["data-review"],
            ["pdsa-planning", "data-review"],
            ["spread"],
        ]
        for key, (project_coach, scores, every, last_ago) in plan.items():
            project = self.projects[key]
            if key == "depot":
                # History is kept: Grace coached this team first, then handed over.
                earlier = assignment_start(
                    coach=former,
                    project=project,
                    starts_on=started - timedelta(weeks=8),
                    assigned_by=self.lead,
                )
                assignment_end(
                    assignment=earlier,
                    ends_on=started - timedelta(days=1),
                    reason="Moved to a new role in another trust",
                )
                coach_profile_set(
                    coach=former, hours_per_week=Decimal("3.5"), supervisor=self.qilead, is_active=False
                )
            assignment_start(coach=project_coach, project=project, starts_on=started, assigned_by=self.lead)
            team = list(project.team.all())
            last = self.today - timedelta(days=last_ago)
            dates = [last - timedelta(days=every * i) for i in range(len(scores))][::-1]
            for i, (met_on, score) in enumerate(zip(dates, scores, strict=True)):
                latest = i == len(scores) - 1
                meeting_log_create(
                    coach=project_coach,
                    project=project,
                    met_on=met_on,
                    duration_minutes=self.rng.choice([45, 60, 60, 75, 90]),
                    mode=self.rng.choice(["in_person", "online"]),
                    progress_score=Decimal(str(score)),
                    attendees=team[: 2 + i % 2],
                    focus_slugs=focus_cycle[i % len(focus_cycle)],
                    notes="Team energised; data collection is now routine." if latest else "Steady progress.",
                    next_steps=[
                        {
                            "description": "Update the run chart with this week's data",
                            "owner": team[0].display_name,
                            "due_on": met_on + timedelta(days=7),
                            "done_on": None if latest else met_on + timedelta(days=6),
                        },
                        {
                            "description": "Plan the next PDSA cycle",
                            "owner": project_coach.display_name,
                            "due_on": met_on + timedelta(days=14),
                            "done_on": None if latest else met_on + timedelta(days=10),
                        },
                    ],
                )
            # Monthly updates for the last three months, and a draft for this month on two projects.
            month = self.today.replace(day=1)
            for back in (3, 2, 1):
                reported = month
                for _ in range(back):
                    reported = (reported - timedelta(days=1)).replace(day=1)
                update = monthly_update_draft(project=project, month=reported, author=project_coach)
                monthly_update_edit(
                    update=update,
                    narrative=f"The team met {self.rng.randint(2, 3)} times in {reported:%B}. "
                    "Data collection is reliable and the next PDSA cycle is planned.",
                    sponsor_ask="Help to free up a pharmacist for one morning a week." if back == 1 else "",
                    rag="green" if key in {"discharge", "restraint"} else "amber",
                )
                monthly_update_mark_ready(update=update)
            if key == "discharge":
                # The sponsor answers last month's ask, so the report page shows a conversation.
                update_comment_add(
                    update=update,
                    author=project.sponsor,
                    body="Thank you. I have asked pharmacy to release a pharmacist on Tuesday mornings.",
                )
            if key in {"discharge", "depot"}:
                monthly_update_draft(project=project, month=month, author=project_coach)

        # Supervision: monthly 1:1s and a trust-wide session; Sarah's last was over eight weeks ago.
        for person, last_weeks_ago in ((coach, 2), (coach2, 10)):
            for i in range(4):
                held = self.today - timedelta(weeks=last_weeks_ago + 4 * i)
                supervision_log_create(
                    coach=person,
                    held_on=held,
                    supervisor=self.qilead,
                    kind="one_to_one" if i % 2 == 0 else "group",
                    themes="Keeping teams' data collection going; handling a stuck team.",
                    will_try="Open the next meeting with the run chart.",
                    reflection="I notice I rescue the team when they go quiet; I will wait longer.",
                    reflection_shared=i == 0,
                )
            supervision_log_create(
                coach=person,
                held_on=self.today - timedelta(weeks=last_weeks_ago + 1),
                kind="trust_wide",
                themes="Trust-wide coaches' forum: spreading what works.",
            )

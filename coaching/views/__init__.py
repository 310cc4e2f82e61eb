"""Coaching pages, one module per part: role homes, meetings, supervision, assignments, lead views,
programme health, people."""

from coaching.views.assignments import assignment_finish, coach_capacity, coach_load_page, project_coaches
from coaching.views.exports import (
    meeting_log_export,
    monthly_update_export,
    project_meeting_log_export,
    supervision_export,
)
from coaching.views.health import health, health_export
from coaching.views.homes import coach_home, home, programme_overview, qi_lead_home, sponsor_home, welcome
from coaching.views.leads import overview, overview_export
from coaching.views.meetings import meeting_create, meeting_detail, meeting_update
from coaching.views.people import coach_create, coach_update, people, person_detail
from coaching.views.supervision import (
    supervision_create,
    supervision_detail,
    supervision_list,
    supervision_note,
    supervision_update,
)
from coaching.views.updates import (
    monthly_update_acknowledge_view,
    monthly_update_comment,
    monthly_update_detail,
    monthly_update_edit_page,
    monthly_update_write,
)

__all__ = [
    "assignment_finish",
    "coach_capacity",
    "coach_create",
    "coach_update",
    "coach_home",
    "coach_load_page",
    "health",
    "health_export",
    "home",
    "meeting_create",
    "meeting_detail",
    "meeting_log_export",
    "meeting_update",
    "monthly_update_acknowledge_view",
    "monthly_update_comment",
    "monthly_update_detail",
    "monthly_update_edit_page",
    "monthly_update_export",
    "monthly_update_write",
    "overview",
    "overview_export",
    "people",
    "person_detail",
    "programme_overview",
    "project_coaches",
    "project_meeting_log_export",
    "qi_lead_home",
    "sponsor_home",
    "supervision_create",
    "supervision_detail",
    "supervision_export",
    "supervision_list",
    "supervision_note",
    "supervision_update",
    "welcome",
]

"""Downloads of meeting logs, monthly updates and supervision dates (CSV or Excel), each holding only
what the downloading person may read on the pages."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from coaching.exports import meeting_log_table, monthly_update_table, supervision_table
from coaching.permissions import require_role
from coaching.roles import Role
from coachprog.exports import FORMATS, table_response
from projects.permissions import get_project_for_user


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    return fmt


@require_safe
def meeting_log_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every meeting a coach or lead may see, newest first (notes only where they may read them)."""
    require_role(request.user, Role.COACH, Role.QI_LEAD, Role.PROGRAMME_LEAD)
    fmt = _format(fmt)
    headers, rows = meeting_log_table(request.user)
    return table_response(headers=headers, rows=rows, filename="meeting-logs", fmt=fmt, sheet="Meetings")


@require_safe
def project_meeting_log_export(request: HttpRequest, project_pk: int, fmt: str) -> HttpResponse:
    """One team's meetings, for everyone who sees the project (a sponsor gets dates and scores)."""
    project, _ = get_project_for_user(request.user, project_pk)
    fmt = _format(fmt)
    headers, rows = meeting_log_table(request.user, project=project)
    return table_response(
        headers=headers, rows=rows, filename=f"meeting-logs-project-{project.pk}", fmt=fmt, sheet="Meetings"
    )


@require_safe
def monthly_update_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every monthly update the person may open: ready ones of their projects, drafts for their writers."""
    fmt = _format(fmt)
    headers, rows = monthly_update_table(request.user)
    return table_response(
        headers=headers, rows=rows, filename="monthly-updates", fmt=fmt, sheet="Monthly updates"
    )


@require_safe
def supervision_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Supervision dates, kinds, coaches and supervisors: never what was said or reflected on."""
    require_role(request.user, Role.COACH, Role.QI_LEAD, Role.PROGRAMME_LEAD)
    fmt = _format(fmt)
    headers, rows = supervision_table(request.user)
    return table_response(headers=headers, rows=rows, filename="supervision", fmt=fmt, sheet="Supervision")

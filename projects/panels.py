"""Panels that other apps add to the project page.

`projects` cannot import `coaching`, yet the project page shows the team's
coaches, meetings and monthly updates. Coaching registers a panel here at
start-up; the page renders each panel's template with its context.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.template.loader import render_to_string

from coachprog.permissions import Access
from projects.models import Project


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)


ProjectPanel = Callable[[HttpRequest, Project, Access], Panel | None]
_panels: list[ProjectPanel] = []


def register_project_panel(panel: ProjectPanel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def project_panels(request: HttpRequest, project: Project, access: Access) -> list[str]:
    """Each registered panel rendered to (safe) HTML, in registration order."""
    rendered = []
    for panel in _panels:
        result = panel(request, project, access)
        if result is not None:
            rendered.append(render_to_string(result.template, result.context, request=request))
    return rendered

"""Navigation by role: each role's start page and the lists it works from."""

from django.http import HttpRequest
from django.urls import reverse

from coaching.roles import Role, roles_for

# Label, URL name and the roles that see the link (None: everyone signed in), in the order shown.
NAV_LINKS = [
    ("Programme", "coaching:programme_overview", {Role.PROGRAMME_LEAD}),
    ("My supervisees", "coaching:qi_lead_home", {Role.QI_LEAD}),
    ("My teams", "coaching:coach_home", {Role.COACH}),
    ("My sponsored projects", "coaching:sponsor_home", {Role.SPONSOR}),
    ("Projects", "projects:list", set(Role) - {Role.PARTICIPANT}),
    ("Coaching", "coaching:overview", {Role.PROGRAMME_LEAD, Role.QI_LEAD}),
    ("People", "coaching:people", {Role.PROGRAMME_LEAD, Role.QI_LEAD}),
    # Everyone: staff find the cohorts open for applications here.
    ("Cohorts", "cohorts:list", None),
    ("Notifications", "outbox:notifications", None),
    ("Outbox", "outbox:status", {Role.PROGRAMME_LEAD}),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = set(roles_for(user))
    links = [(label, reverse(name)) for label, name, wanted in NAV_LINKS if wanted is None or roles & wanted]
    # The active link is the one whose URL is the longest prefix of this page's path.
    matches = [url for _, url in links if request.path.startswith(url)]
    active = max(matches, key=len) if matches else None
    return {"nav_items": [{"label": label, "url": url, "active": url == active} for label, url in links]}

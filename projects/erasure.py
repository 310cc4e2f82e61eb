"""What erasing a departed person means for projects (registered with coachprog.privacy at start-up)."""

from projects.models import Project, ProjectStatus

LIVE = [ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD]


def project_erasure_blockers(person) -> list[str]:
    """A live project needs a sponsor: someone else must take it on before its sponsor is erased."""
    return [
        f"{person} sponsors {project}: give the project another sponsor first."
        for project in Project.objects.filter(sponsor=person, status__in=LIVE)
    ]

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from coachprog.privacy import register_erasure
        from projects.erasure import project_erasure_blockers

        register_erasure(blocker=project_erasure_blockers)

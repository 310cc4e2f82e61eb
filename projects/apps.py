from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from coachprog.privacy import register_erasure, register_personal_data
        from projects.erasure import project_erasure_blockers
        from projects.personal_data import PROJECTS_PERSONAL_DATA

        register_erasure(blocker=project_erasure_blockers)
        # Exports show what the pages show: who may read each model's free text.
        register_personal_data(*PROJECTS_PERSONAL_DATA)

from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from coaching.permissions import project_grant
        from projects.permissions import register_project_grant

        # Coaches see the projects they are assigned to; projects cannot import coaching.
        register_project_grant(project_grant)

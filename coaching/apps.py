from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from coaching.erasure import coaching_erase, coaching_erasure_blockers
        from coaching.listing import COACH_COLUMN, COACH_FILTER, COHORT_FILTER
        from coaching.panels import project_coaching_panel
        from coaching.permissions import project_grant
        from coaching.personal_data import COACHING_PERSONAL_DATA
        from coachprog.privacy import register_erasure, register_personal_data
        from projects.listing import register_project_list_column, register_project_list_filter
        from projects.panels import register_project_panel
        from projects.permissions import register_project_grant

        # Coaches see the projects they are assigned to, and the project page shows
        # the coaching; projects cannot import coaching, so coaching plugs in here.
        register_project_grant(project_grant)
        register_project_panel(project_coaching_panel)
        register_project_list_filter(COACH_FILTER)
        register_project_list_filter(COHORT_FILTER)
        register_project_list_column(COACH_COLUMN)
        register_erasure(blocker=coaching_erasure_blockers, eraser=coaching_erase)
        # Exports show what the pages show: who may read each model's free text.
        register_personal_data(*COACHING_PERSONAL_DATA)

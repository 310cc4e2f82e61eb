from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from coaching.erasure import coaching_erase, coaching_erasure_blockers
        from coaching.listing import COACH_COLUMN, COACH_FILTER, COHORT_FILTER
        from coaching.panels import project_coaching_panel
        from coaching.people import make_coach_actions
        from coaching.permissions import project_grant, starts_projects_as_coach
        from coaching.personal_data import COACHING_PERSONAL_DATA
        from coaching.roles import role_flag_expressions
        from coaching.services import project_coaching_end, project_coaching_start
        from coachprog.accounts.flags import register_user_flags
        from coachprog.privacy import register_erasure, register_personal_data
        from cohorts.participant_actions import register_participant_actions
        from projects.listing import register_project_list_column, register_project_list_filter
        from projects.panels import register_project_panel
        from projects.permissions import register_project_grant, register_project_starter
        from projects.services import register_project_lifecycle

        # Coaches see the projects they are assigned to, and the project page shows
        # the coaching; projects cannot import coaching, so coaching plugs in here.
        register_project_grant(project_grant)
        # Coaches start projects and become their lead coach; a closed project's coaching ends.
        register_project_starter(starts_projects_as_coach)
        register_project_lifecycle(started=project_coaching_start, closed=project_coaching_end)
        register_project_panel(project_coaching_panel)
        register_project_list_filter(COACH_FILTER)
        register_project_list_filter(COHORT_FILTER)
        register_project_list_column(COACH_COLUMN)
        # A lead makes a participant who completed a cohort a coach from the participants page.
        register_participant_actions(make_coach_actions)
        register_erasure(blocker=coaching_erasure_blockers, eraser=coaching_erase)
        # Exports show what the pages show: who may read each model's free text.
        register_personal_data(*COACHING_PERSONAL_DATA)
        # The navigation's roles come with the request's one query about its user.
        register_user_flags(role_flag_expressions)

from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        from coachprog.privacy import register_erasure, register_personal_data
        from cohorts.erasure import cohort_erase, cohort_erasure_blockers, cohort_person_rows
        from cohorts.personal_data import COHORTS_PERSONAL_DATA

        register_erasure(blocker=cohort_erasure_blockers, eraser=cohort_erase, rows=cohort_person_rows)
        # Exports show what the pages show: who may read each model's free text.
        register_personal_data(*COHORTS_PERSONAL_DATA)

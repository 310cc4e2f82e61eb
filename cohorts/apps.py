from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        from coachprog.privacy import register_erasure
        from cohorts.erasure import cohort_erase, cohort_erasure_blockers, cohort_person_rows

        register_erasure(blocker=cohort_erasure_blockers, eraser=cohort_erase, rows=cohort_person_rows)

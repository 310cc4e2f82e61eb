"""Writes for the cohorts app, one module per part; every write goes through a function here."""

from cohorts.services.applications import (  # noqa: F401
    application_decide,
    application_manager_reassign,
    application_manager_resend,
    application_manager_respond,
    application_submit,
    enrolment_create,
    enrolment_set_status,
    enrolment_withdraw,
    waitlist_promote,
)
from cohorts.services.attendance import (  # noqa: F401
    attendance_record,
)
from cohorts.services.calendars import (  # noqa: F401
    cohort_calendar_token_issue,
    cohort_calendar_token_revoke,
)
from cohorts.services.programmes import (  # noqa: F401
    programme_create,
    programme_update,
)
from cohorts.services.schedule import (  # noqa: F401
    calendar_token_issue,
    calendar_token_revoke,
    cohort_create,
    cohort_set_status,
    session_cancel,
    session_facilitators_set,
    session_schedule,
    session_update,
)

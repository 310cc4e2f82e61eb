# The Celery app lives in coachprog.celery and is imported only where tasks are defined
# or run (`celery -A coachprog` finds it), so web requests and management commands that
# send nothing do not pay for importing Celery at start-up.

"""Root pytest configuration: settings for the test run.

pytest-django reads DJANGO_SETTINGS_MODULE when this file is imported; the
test run needs a secret key but must never borrow a real one.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachprog.settings")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)

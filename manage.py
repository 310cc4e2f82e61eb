#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachprog.settings")
    if sys.argv[1:2] == ["runchart"]:
        # An analyst's tool that needs neither settings nor a database: run it without
        # loading Django's apps, which costs about 0.7 s on our machines (docs/performance.md).
        from projects.management.commands.runchart import Command

        Command().run_from_argv(sys.argv)
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

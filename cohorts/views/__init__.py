"""Cohort pages, one module per part of the app; cohorts/urls.py names the modules."""

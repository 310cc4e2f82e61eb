"""Cohort forms, one module per part of the app."""

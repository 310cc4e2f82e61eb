"""Project pages, one module per part of the app; projects/urls.py names the modules."""

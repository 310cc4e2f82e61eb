"""Writes for programmes: their name, description and prerequisite courses."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cohorts.models import Programme

NAME_MAX = Programme._meta.get_field("name").max_length
DESCRIPTION_MAX = 5000
COURSE_MAX = 200
COURSES_MAX = 20


def programme_courses(courses: list[str] | None) -> list[str]:
    """Prerequisite courses tidied: blanks dropped, spaces collapsed, each once (whatever the capitals)."""
    tidy: list[str] = []
    for course in courses or []:
        name = " ".join(str(course).split())
        if not name:
            continue
        if len(name) > COURSE_MAX:
            message = f"A course's name is at most {COURSE_MAX} characters: “{name[:40]}…”."
            raise ValidationError({"prerequisite_courses": message})
        if name.casefold() not in {known.casefold() for known in tidy}:
            tidy.append(name)
    if len(tidy) > COURSES_MAX:
        raise ValidationError({"prerequisite_courses": f"List at most {COURSES_MAX} prerequisite courses."})
    return tidy


def _programme_errors(programme: Programme) -> dict[str, str]:
    errors = {}
    if not programme.name:
        errors["name"] = "Give the programme a name."
    elif len(programme.name) > NAME_MAX:
        errors["name"] = f"A programme's name is at most {NAME_MAX} characters."
    else:
        clash = Programme.objects.filter(name__iexact=programme.name).exclude(pk=programme.pk).first()
        if clash is not None:
            errors["name"] = f"There is already a programme called “{clash.name}”."
    if len(programme.description) > DESCRIPTION_MAX:
        errors["description"] = f"The description is at most {DESCRIPTION_MAX:,} characters."
    return errors


def _save(programme: Programme) -> Programme:
    errors = _programme_errors(programme)
    if errors:
        raise ValidationError(errors)
    programme.full_clean()
    try:
        with transaction.atomic():  # two leads adding the same name at once meet the unique column
            programme.save()
    except IntegrityError as clash:
        raise ValidationError({"name": f"There is already a programme called “{programme.name}”."}) from clash
    return programme


@transaction.atomic
def programme_create(
    *, name: str, description: str = "", prerequisite_courses: list[str] | None = None, leads=()
) -> Programme:
    """Add a programme whose name no other has (whatever the capitals); the courses are tidied."""
    programme = Programme(name=" ".join(name.split()), description=description.strip())
    if prerequisite_courses is not None:
        programme.prerequisite_courses = programme_courses(prerequisite_courses)
    _save(programme)
    programme.leads.set(leads)
    return programme


@transaction.atomic
def programme_update(
    *, programme: Programme, name: str, description: str, prerequisite_courses: list[str]
) -> Programme:
    """Change a programme's name, description or prerequisite courses (kept in its history).

    Applications already made keep the courses their applicants ticked.
    """
    programme.name = " ".join(name.split())
    programme.description = description.strip()
    programme.prerequisite_courses = programme_courses(prerequisite_courses)
    return _save(programme)

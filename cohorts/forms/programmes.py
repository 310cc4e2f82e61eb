"""The programme form: it explains the rules that `cohorts.services.programmes` enforces."""

from django import forms
from django.core.exceptions import ValidationError

from cohorts.models import Programme
from cohorts.services.programmes import COURSE_MAX, COURSES_MAX, DESCRIPTION_MAX, programme_courses


class ProgrammeForm(forms.Form):
    name = forms.CharField(
        max_length=Programme._meta.get_field("name").max_length,
        help_text="e.g. “Improvement Coaching Programme”. No two programmes share a name.",
    )
    description = forms.CharField(
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the programme is for and who it is for; applicants read it.",
    )
    prerequisite_courses = forms.CharField(
        label="Prerequisite courses",
        required=False,
        # Room for every course at its longest, one a line.
        max_length=COURSES_MAX * (COURSE_MAX + 2),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One course a line, e.g. “Pocket QI”, at most {COURSES_MAX}. "
        "Applicants say which of them they have completed.",
    )

    @classmethod
    def initial_for(cls, programme: Programme) -> dict:
        return {
            "name": programme.name,
            "description": programme.description,
            "prerequisite_courses": "\n".join(programme.prerequisite_courses or []),
        }

    def clean_prerequisite_courses(self) -> list[str]:
        try:
            return programme_courses(self.cleaned_data["prerequisite_courses"].splitlines())
        except ValidationError as refused:
            raise ValidationError(refused.messages) from refused

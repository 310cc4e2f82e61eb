from django import forms

from coachprog.outbox.models import REMINDER_KINDS, Choice, Kind


class PreferencesForm(forms.Form):
    """One choice per kind of reminder; the sponsor update can be moved to a digest, not switched off."""

    def __init__(self, *args, current: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in REMINDER_KINDS:
            choices = Choice.choices
            help_text = ""
            if kind == Kind.SPONSOR_UPDATE:
                choices = [c for c in Choice.choices if c[0] != Choice.NONE]
                help_text = (
                    "Sponsors always receive the monthly update; you can have it in the weekly digest."
                )
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=choices,
                initial=current.get(kind.value, Choice.IMMEDIATE),
                widget=forms.RadioSelect,
                help_text=help_text,
            )


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status")])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind")])

    def __init__(self, *args, **kwargs) -> None:
        from coachprog.outbox.models import Message

        super().__init__(*args, **kwargs)
        self.fields["status"].choices += Message.Status.choices
        self.fields["kind"].choices += Message.Kind.choices

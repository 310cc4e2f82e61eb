from django import forms

from coachprog.accounts.models import AccessPolicy, Directorate
from coachprog.forms import ModelForm, PersonField


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)


class AccessPolicyForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = AccessPolicy
        fields = ["allowed_signup_domains", "require_two_factor_for_leads"]
        widgets = {"allowed_signup_domains": forms.Textarea(attrs={"rows": 4})}


class DirectorateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=Directorate._meta.get_field("name").max_length,
        help_text="As people in the trust know it, e.g. “Newham Community Health”. No two directorates "
        "share a name, whatever the capitals.",
    )


class QILeadAddForm(forms.Form):
    person = PersonField(
        label="QI lead to add", help_text="Type their e-mail address, or part of their name."
    )


class ProgrammeLeadAddForm(forms.Form):
    person = PersonField(
        label="Programme lead to add",
        help_text="Type their e-mail address, or part of their name. Programme leads see and change "
        "everything in coachprog; invite someone first if they have no account yet.",
    )

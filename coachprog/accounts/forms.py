from django import forms

from coachprog.accounts.models import AccessPolicy
from coachprog.forms import ModelForm


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)


class AccessPolicyForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = AccessPolicy
        fields = ["allowed_signup_domains", "require_two_factor_for_leads"]
        widgets = {"allowed_signup_domains": forms.Textarea(attrs={"rows": 4})}

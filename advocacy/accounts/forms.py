from django import forms
from django.utils.translation import gettext_lazy as _
from viewflow.contrib.auth import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Viewflow's Material login form; its error never says whether the user exists."""


class TokenForm(forms.Form):
    """The six-digit code of the authenticator app (the second factor)."""

    token = forms.CharField(
        label=_("認証アプリの6桁のコード"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

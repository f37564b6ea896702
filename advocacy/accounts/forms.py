from viewflow.contrib.auth import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Viewflow's Material login form; its error never says whether the user exists."""

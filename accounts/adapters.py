from allauth.account.adapter import DefaultAccountAdapter


class LanternAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by admins; nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False

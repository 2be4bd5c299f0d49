"""Whether self sign-up is open, as the account adapter decides (Lantern's says no: admins make
accounts), so that no page offers a sign-up that would only be refused."""

from allauth.account.adapter import get_adapter
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_open(context) -> bool:
    request = context.get("request")
    return request is not None and get_adapter(request).is_open_for_signup(request)

"""How django-axes names the account behind a sign-in attempt.

allauth authenticates with `email=`, while the form field is `login`; both must map to the same lowercased
address, or failures and lock checks would be counted under different names and never meet.
"""

from django.http import HttpRequest


def attempted_login(request: HttpRequest | None, credentials: dict | None) -> str | None:
    for key in ("email", "username", "login"):
        value = (credentials or {}).get(key)
        if value:
            return str(value).strip().lower()
    if request is not None and request.method == "POST":
        value = request.POST.get("login", "")
        return value.strip().lower() or None
    return None

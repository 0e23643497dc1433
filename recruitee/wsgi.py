import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitee.settings.local")
application = get_wsgi_application()

from recruitee.startup import settle_for_requests  # noqa: E402 -- needs Django set up

settle_for_requests()

"""Production: every secret and address must come from the environment; nothing falls back to a local default."""

from .base import *  # noqa: F403
from .base import env

ENVIRONMENT = "production"
DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": tenant_wall_engine(env.db("DATABASE_URL"))}  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Mail must go to a real SMTP server: without this the base settings' local catcher would swallow it.
vars().update(env.email_url("EMAIL_URL"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGGING["root"]["level"] = env("LOG_LEVEL", default="INFO")  # noqa: F405

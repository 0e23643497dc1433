"""Settings shared by every environment. Everything that differs between deployments comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
# Which settings module is in force; commands that must never run in production check it.
ENVIRONMENT = "base"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form templates, for FORM_RENDERER below
    "allauth",
    "allauth.account",
    "axes",
    "django_htmx",
    "csp",
    "recruitee.accounts",
    "recruitee.tenancy",
    "recruitee.recruiting",
    "recruitee.ops",
    "recruitee.ui",
    "calendars",
    "scheduling",
    "mailbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language; UserLanguageMiddleware below lets a signed-in member's own choice win.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "recruitee.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "recruitee.accounts.middleware.UserTimeZoneMiddleware",
    "recruitee.tenancy.middleware.CompanyMiddleware",
    # axes must come last so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "recruitee.urls"
WSGI_APPLICATION = "recruitee.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recruitee.tenancy.context_processors.company",
                "calendars.context_processors.reconnect_banner",
            ],
        },
    },
]
# Widgets render through TEMPLATES, so that templates/django/forms/widgets/attrs.html (written in Python, see
# recruitee.ui's widget_attrs) replaces Django's; every other form template is Django's own (the django.forms app).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write at the same time. WAL lets readers go on during a write; IMMEDIATE
    # takes the write lock when a transaction starts, so two writers queue (up to `timeout`) instead of one of
    # them failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # The Sent tab's index carries two columns for PostgreSQL's index-only scans (mailbox.Message); SQLite builds it
    # without them, which is all a demo-sized outbox needs, and would say so in a warning on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))


def tenant_wall_engine(database: dict) -> dict:
    """PostgreSQL through our backend, which keeps the session's tenant (row-level security) in step with the scope
    (recruitee/db/postgresql, recruitee/tenancy/db.py). Other databases (SQLite for `make run`) have no such wall.

    Statements a connection sends again and again (DATABASE_PREPARE_THRESHOLD times, default 5; empty: never) are
    prepared on the server: parsed and rewritten once, the tenant policies included, and after a few runs planned
    once too (PostgreSQL's plan_cache_mode auto; measured: the pages 3-9 % faster than planned every time, which
    the policies made dearer). Searches are planned for their own words every time (recruitee/db/postgresql).
    Behind a pooler that hands one session's statements to other server connections (PgBouncer's transaction
    pooling before 1.21), set DATABASE_PREPARE_THRESHOLD empty."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["ENGINE"] = "recruitee.db.postgresql"
        threshold = env("DATABASE_PREPARE_THRESHOLD", default="5")
        if threshold:
            options = database.setdefault("OPTIONS", {})
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", int(threshold))
    return database


tenant_wall_engine(DATABASES["default"])
# The tables' owner, as whom `manage.py migrate` runs (same server and database as DATABASE_URL, another role):
# the application's own role may read and write rows but owns no table, so the row-level security holds for it.
# Unset, migrations run as DATABASE_URL's role (SQLite; a PostgreSQL without separate roles has no tenant wall).
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses locked-out credentials before any other backend checks them.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: the email address is the login.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_SIGNUP_FORM_CLASS = "recruitee.accounts.forms.CompanySignupForm"
ACCOUNT_ADAPTER = "recruitee.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Recruitee] "
# Failed sign-ins are throttled by django-axes alone, so people get one clear lockout page.
ACCOUNT_RATE_LIMITS = {"login_failed": None}

# django-axes: lock a login (email + address) out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "recruitee.accounts.lockout.attempted_login"
AXES_RESET_ON_SUCCESS = True
# Without this, axes quietly fails the login during a lockout and people see "wrong password" instead.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False

# The interface speaks English and German. Each member picks one on their profile (blank: what the browser asks
# for), each company has a default for its candidates. Names are in their own language, as a language menu shows them.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
# The catalogues (locale/<lang>/LC_MESSAGES/django.po, compiled .mo committed beside it): `make messages`. The second
# holds the Sie-form of the allauth messages whose German says "du"; earlier paths win over the apps' catalogues.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "allauth"]
# The named formats (DATE_FORMAT, DATETIME_FORMAT, SHORT_...) in the house style of each language.
FORMAT_MODULE_PATH = ["recruitee.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Mail: EMAIL_URL picks the transport (smtp://user:pass@host:port, consolemail://, filemail://path).
vars().update(env.email_url("EMAIL_URL", default="filemail:///" + str(BASE_DIR / "var" / "mail")))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Recruitee <no-reply@recruitee.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. Without REDIS_URL, the filesystem transport gives a real worker that needs no server.
REDIS_URL = env("REDIS_URL", default="")
CELERY_FILESYSTEM_DIR = Path(env("CELERY_FILESYSTEM_DIR", default=str(BASE_DIR / "var" / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        # Without this, kombu writes its broadcast exchange files into ./control of whatever cwd the worker has.
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "recruitee.ops.tasks.worker_heartbeat_task", "schedule": 30.0},
    # Incremental sync of every active calendar connection (push notifications make most of these no-ops).
    "calendar-sync-all": {
        "task": "calendars.tasks.calendar_sync_all_task",
        "schedule": float(env.int("CALENDAR_SYNC_INTERVAL_SECONDS", default=300)),
    },
    "calendar-push-renew": {"task": "calendars.tasks.push_channels_renew_task", "schedule": 3600.0},
    # Interview reminders that are due (scheduling/reminders.py); each is claimed in the database, so sent once.
    "scheduling-reminders": {"task": "scheduling.tasks.reminders_send_due_task", "schedule": 60.0},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

PAGE_SIZE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # `company` is the company whose task is running ("-" elsewhere): see recruitee.tasking.
    "filters": {"company": {"()": "recruitee.tasking.CompanyLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [company %(company)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["company"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# Calendar providers. Defaults are the real Google and Microsoft endpoints; the demo and tests point them at the
# sandbox providers in calendars/sandbox/.
TOKEN_ENCRYPTION_KEYS = env("TOKEN_ENCRYPTION_KEYS", default="")
GOOGLE_CLIENT_ID = env("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env("GOOGLE_CLIENT_SECRET", default="")
GOOGLE_AUTH_URI = env("GOOGLE_AUTH_URI", default="https://accounts.google.com/o/oauth2/v2/auth")
GOOGLE_TOKEN_URI = env("GOOGLE_TOKEN_URI", default="https://oauth2.googleapis.com/token")
GOOGLE_REVOKE_URI = env("GOOGLE_REVOKE_URI", default="https://oauth2.googleapis.com/revoke")
GOOGLE_API_ENDPOINT = env("GOOGLE_API_ENDPOINT", default="https://www.googleapis.com/calendar/v3/")
MICROSOFT_CLIENT_ID = env("MICROSOFT_CLIENT_ID", default="")
MICROSOFT_CLIENT_SECRET = env("MICROSOFT_CLIENT_SECRET", default="")
MICROSOFT_AUTHORITY = env("MICROSOFT_AUTHORITY", default="https://login.microsoftonline.com/common")
MICROSOFT_GRAPH_URL = env("MICROSOFT_GRAPH_URL", default="https://graph.microsoft.com/v1.0")
PROVIDER_CA_BUNDLE = env("PROVIDER_CA_BUNDLE", default="")
PROVIDER_TIMEOUT_SECONDS = env.float("PROVIDER_TIMEOUT_SECONDS", default=20.0)

# Calendar sync.
CALENDAR_SYNC_DAYS_BACK = env.int("CALENDAR_SYNC_DAYS_BACK", default=365)
CALENDAR_SYNC_DAYS_AHEAD = env.int("CALENDAR_SYNC_DAYS_AHEAD", default=730)
CALENDAR_SYNC_PAGE_SIZE = env.int("CALENDAR_SYNC_PAGE_SIZE", default=2500)  # Google's maximum
CALENDAR_SYNC_GRAPH_PAGE_SIZE = env.int("CALENDAR_SYNC_GRAPH_PAGE_SIZE", default=500)
CALENDAR_SYNC_INTERVAL_SECONDS = env.int("CALENDAR_SYNC_INTERVAL_SECONDS", default=300)
# A sync whose worker has not reported progress for this long is presumed dead; another may take over.
CALENDAR_SYNC_LOCK_STALE_SECONDS = env.int("CALENDAR_SYNC_LOCK_STALE_SECONDS", default=300)
# Tries of one page on 429/5xx/timeouts before the task gives up for now and retries later from that page.
CALENDAR_SYNC_PAGE_ATTEMPTS = env.int("CALENDAR_SYNC_PAGE_ATTEMPTS", default=5)
CALENDAR_SYNC_BACKOFF_BASE_SECONDS = env.float("CALENDAR_SYNC_BACKOFF_BASE_SECONDS", default=1.0)
CALENDAR_SYNC_BACKOFF_MAX_SECONDS = env.float("CALENDAR_SYNC_BACKOFF_MAX_SECONDS", default=60.0)
# How many calendars of one connection are fetched at once (Outlook allows about 4 concurrent requests per mailbox).
CALENDAR_SYNC_CONCURRENCY = env.int("CALENDAR_SYNC_CONCURRENCY", default=4)
# A full sync on PostgreSQL reads its pages in worker processes once a calendar has shown this many events with more
# to come: their start-up (under 0.1 s of CPU each) pays off only over many pages. Measured on two cores, 100,000
# events: 2.9-3.0 s instead of 3.2-3.6 s. At 10,000 a calendar of 10,401 events started them for its last 401
# (ratio to the floor 1.85 instead of 1.49 in make bench); at 20,000 the 100,000-event ratio stays 1.08.
# 0: from the first page; empty: never.
_worker_after_events = env("CALENDAR_SYNC_WORKER_AFTER_EVENTS", default="20000")
CALENDAR_SYNC_WORKER_AFTER_EVENTS = int(_worker_after_events) if _worker_after_events else None
# How many: pages go to them in turn, so that the reading of one overlaps that of the next (two cores: two workers
# 3.24 s, one 3.49 s, none 3.71 s). 0: none. None start on a machine with one core, where they could only add work.
CALENDAR_SYNC_WORKER_PROCESSES = env.int("CALENDAR_SYNC_WORKER_PROCESSES", default=2)
# Push notifications from the providers. Google wants https webhook addresses (the sandbox accepts loopback http).
CALENDAR_PUSH_ENABLED = env.bool("CALENDAR_PUSH_ENABLED", default=True)
CALENDAR_PUSH_TTL_SECONDS = env.int("CALENDAR_PUSH_TTL_SECONDS", default=7 * 24 * 3600)
# Graph allows at most 4230 minutes for calendar subscriptions.
CALENDAR_PUSH_GRAPH_TTL_MINUTES = env.int("CALENDAR_PUSH_GRAPH_TTL_MINUTES", default=4200)
CALENDAR_PUSH_RENEW_BEFORE_SECONDS = env.int("CALENDAR_PUSH_RENEW_BEFORE_SECONDS", default=24 * 3600)
# The webhooks are public: anyone can POST to them. Bound the work one request can cause. Google's notifications have
# no body; Graph batches a few small JSON items (well under 1 KB each) into one POST.
CALENDAR_WEBHOOK_MAX_BYTES = env.int("CALENDAR_WEBHOOK_MAX_BYTES", default=128 * 1024)
CALENDAR_WEBHOOK_MAX_ITEMS = env.int("CALENDAR_WEBHOOK_MAX_ITEMS", default=100)
# A sync queued by a notification or the beat holds back further ones until it starts; one queued longer ago than
# this was lost (worker or broker died) and no longer holds anything back.
CALENDAR_SYNC_QUEUED_STALE_SECONDS = env.int("CALENDAR_SYNC_QUEUED_STALE_SECONDS", default=900)

# Mailbox (the outbox, mailbox/). Every email is a row first; a worker sends it through EMAIL_BACKEND.
# Without EMAIL_URL, mail goes to the local catcher: one .eml file per message in MAILBOX_CATCHER_DIR, which admins
# read at /<company>/mailbox/catcher/ while DEBUG is on.
MAILBOX_CATCHER_DIR = Path(env("MAILBOX_CATCHER_DIR", default=str(BASE_DIR / "var" / "mail")))
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "mailbox.catcher.CatcherEmailBackend"
# Message-IDs are <uuid@this domain>; the domain of DEFAULT_FROM_EMAIL unless set.
MAILBOX_MESSAGE_ID_DOMAIN = env("MAILBOX_MESSAGE_ID_DOMAIN", default="")
# Temporary SMTP errors (4xx, refused connections, timeouts) are retried with exponential backoff:
# base, 2 x base, 4 x base, ... at most the maximum, until a message has had this many attempts.
MAILBOX_SEND_MAX_ATTEMPTS = env.int("MAILBOX_SEND_MAX_ATTEMPTS", default=6)
MAILBOX_RETRY_BACKOFF_SECONDS = env.float("MAILBOX_RETRY_BACKOFF_SECONDS", default=30.0)
# Stays below the broker's visibility_timeout: a countdown longer than that would be delivered twice.
MAILBOX_RETRY_BACKOFF_MAX_SECONDS = env.float("MAILBOX_RETRY_BACKOFF_MAX_SECONDS", default=1800.0)
# A `sending` row older than this belongs to a worker that died; it may be sent again (same Message-ID).
# Longer than any real attempt: a few SMTP round trips of up to EMAIL_TIMEOUT each.
MAILBOX_SENDING_STALE_SECONDS = env.int("MAILBOX_SENDING_STALE_SECONDS", default=max(300, 10 * EMAIL_TIMEOUT))
# A queued row this far past its due time lost its task (broker down at publish time); the sweeper queues it again.
MAILBOX_REQUEUE_AFTER_SECONDS = env.int("MAILBOX_REQUEUE_AFTER_SECONDS", default=600)
MAILBOX_ATTACHMENTS_MAX_BYTES = env.int("MAILBOX_ATTACHMENTS_MAX_BYTES", default=10 * 1024 * 1024)
MAILBOX_ATTACHMENTS_MAX_COUNT = env.int("MAILBOX_ATTACHMENTS_MAX_COUNT", default=10)
CELERY_BEAT_SCHEDULE["mailbox-requeue-stale"] = {"task": "mailbox.tasks.message_requeue_stale_task", "schedule": 60.0}

# Sending limits (mailbox/limits.py): recipients (To + Cc) a member and a company may email, per short window and
# per rolling 24 hours, for every email a person triggers (compose, team invitations, interview invitations and
# updates). Companies younger than MAILBOX_LIMIT_NEW_COMPANY_DAYS get the MAILBOX_LIMIT_NEW_* numbers. 0 turns a
# limit off. Counted from the outbox itself, so the limits hold across every web process and worker.
MAILBOX_LIMIT_WINDOW_MINUTES = env.int("MAILBOX_LIMIT_WINDOW_MINUTES", default=10)
MAILBOX_LIMIT_MEMBER_PER_WINDOW = env.int("MAILBOX_LIMIT_MEMBER_PER_WINDOW", default=30)
MAILBOX_LIMIT_MEMBER_PER_DAY = env.int("MAILBOX_LIMIT_MEMBER_PER_DAY", default=200)
MAILBOX_LIMIT_COMPANY_PER_WINDOW = env.int("MAILBOX_LIMIT_COMPANY_PER_WINDOW", default=200)
MAILBOX_LIMIT_COMPANY_PER_DAY = env.int("MAILBOX_LIMIT_COMPANY_PER_DAY", default=1000)
MAILBOX_LIMIT_NEW_COMPANY_DAYS = env.int("MAILBOX_LIMIT_NEW_COMPANY_DAYS", default=3)
MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = env.int("MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW", default=20)
MAILBOX_LIMIT_NEW_MEMBER_PER_DAY = env.int("MAILBOX_LIMIT_NEW_MEMBER_PER_DAY", default=100)
MAILBOX_LIMIT_NEW_COMPANY_PER_WINDOW = env.int("MAILBOX_LIMIT_NEW_COMPANY_PER_WINDOW", default=40)
MAILBOX_LIMIT_NEW_COMPANY_PER_DAY = env.int("MAILBOX_LIMIT_NEW_COMPANY_PER_DAY", default=100)
# Mail anyone can trigger without an account: allauth throttles it per client address and per address asked for.
# With ACCOUNT_PREVENT_ENUMERATION, a reset request for an unknown address still sends an email, so the per-address
# limit is what stops someone from flooding a stranger's inbox from our domain (allauth's default: 5 a minute).
ACCOUNT_RATE_LIMITS["reset_password"] = env("ACCOUNT_RESET_PASSWORD_RATE_LIMIT", default="20/m/ip,5/h/key")

# Behind proxies: how many proxies of ours stand in front of the web process, each appending the address it saw to
# X-Forwarded-For. The client address is the one the outermost of them saw; with 0 (no proxy) it is REMOTE_ADDR and
# X-Forwarded-For is ignored. Lockouts (django-axes) and allauth's rate limits both use this one rule
# (recruitee/client_address.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "recruitee.client_address.client_address"

# Public booking pages (/book/<token>/, scheduling/booking_views.py): requests per fixed window of
# BOOKING_RATE_WINDOW_SECONDS, per scheduling link (page views and form posts apart) and per client address (all of
# them). Over a limit the page answers 429 with Retry-After. 0 turns a limit off.
BOOKING_RATE_WINDOW_SECONDS = env.int("BOOKING_RATE_WINDOW_SECONDS", default=600)
BOOKING_RATE_PER_TOKEN_GET = env.int("BOOKING_RATE_PER_TOKEN_GET", default=60)
BOOKING_RATE_PER_TOKEN_POST = env.int("BOOKING_RATE_PER_TOKEN_POST", default=10)
BOOKING_RATE_PER_CLIENT = env.int("BOOKING_RATE_PER_CLIENT", default=120)

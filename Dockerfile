# One image for every app process: web (gunicorn), Celery worker, Celery beat and the migrate step.
# All configuration comes from the environment at run time (see README.md and docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=recruitee.settings.production

RUN groupadd --system --gid 10001 recruitee \
    && useradd --system --uid 10001 --gid recruitee --home-dir /app --no-create-home --shell /usr/sbin/nologin recruitee

WORKDIR /app

# Dependencies first, so that this layer is rebuilt only when the lock file changes. Every locked package ships
# a wheel for linux (psycopg[binary] brings its own libpq), so no compiler is needed.
COPY requirements.lock ./
RUN pip install -r requirements.lock

# The code stays owned by root: the app user can read it, not change it.
COPY . .

# Static files are built into the image; WhiteNoise serves them. The production settings refuse to load without
# these variables, so collectstatic gets throwaway values that exist only for this one command.
# var/ is the app user's: beat keeps its schedule there (var/celerybeat-schedule), uploads go to var/media.
RUN SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost DATABASE_URL=sqlite://:memory: \
        python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown recruitee:recruitee var var/media

USER 10001:10001

EXPOSE 8000
# Workers: WEB_CONCURRENCY (gunicorn reads it). Behind a TLS proxy, the proxy must set X-Forwarded-Proto.
# --no-control-socket: gunicorn's runtime control socket would go to $HOME/.gunicorn, which the app user cannot
# write (and nobody uses gunicornc in a container).
CMD ["gunicorn", "recruitee.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]

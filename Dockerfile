# Lantern's image: the web process, the Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# Pango and HarfBuzz for WeasyPrint (installed from PyPI: Debian's weasyprint is old); pg_dump,
# pg_restore (15, as the compose file's PostgreSQL) and gpg for scripts/backup and scripts/restore.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core postgresql-client-15 gpg \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 lantern
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY . .
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
    ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost \
    MFA_ENCRYPTION_KEY=YnVpbGQtb25seS1ub3QtdXNlZC1hdC1ydW50aW1lMDA= \
    python manage.py collectstatic --noinput --settings=config.settings.production \
 && mkdir -p /app/media && chown lantern /app/media
USER lantern
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "-c", "config/gunicorn.py"]

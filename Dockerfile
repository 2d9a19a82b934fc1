# syntax=docker/dockerfile:1
# Casusoverleg production image: gunicorn by default; the same image runs the Celery worker and beat
# (see docker-compose.yml). Configuration comes from environment variables only (.env.example).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and HarfBuzz (with HarfBuzz-Subset, which embeds font subsets) for WeasyPrint (PDF
# rendering, core/pdf.py). The PDF fonts are vendored in static/; fonts-noto-core only supplies
# fallback glyphs for scripts the vendored Noto Sans lacks. gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-noto-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that a source change does not reinstall them. pyproject.toml declares no
# packages (`[tool.setuptools] packages = []`): this installs only the pinned runtime dependencies,
# never the dev extras (no Playwright, no browsers).
COPY pyproject.toml constraints.txt README.md /tmp/build/
RUN pip install -c /tmp/build/constraints.txt /tmp/build \
    && rm -rf /tmp/build

WORKDIR /app
COPY . /app

# Build-time only: a dummy secret and a throw-away SQLite URL let settings load with DEBUG off
# (they refuse to start otherwise). Neither is stored in the image's environment.
RUN export DJANGO_DEBUG=false \
        SECRET_KEY=build-time-dummy-key-not-used-at-runtime \
        FIELD_ENCRYPTION_SALT_KEYS=build-time-dummy-salt-key-not-used-at-runtime \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    && if find . -name '*.po' -path '*/locale/*' | grep -q .; then \
        python manage.py compilemessages; \
    fi \
    && python manage.py collectstatic --no-input \
    && rm -f /tmp/build.sqlite3

# The code and static files stay owned by root (read-only for the process); only the private
# media directory (uploaded documents, PRIVATE_MEDIA_ROOT) is writable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app \
    && mkdir -p /app/private-media \
    && chown app:app /app/private-media
USER app

EXPOSE 8000

# /health/ answers 200 when the database (and the broker, if configured) respond; it is exempt from
# the HTTPS redirect. The Host header is the first ALLOWED_HOSTS entry, so Django accepts it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); r.urlopen(r.Request('http://127.0.0.1:8000/health/', headers={'Host': h if h not in ('', '*') else 'localhost'}), timeout=8)"]

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]

# The production image: web (gunicorn), worker and beat all run from it; see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system --gid 10001 coachprog \
    && useradd --system --uid 10001 --gid coachprog --home-dir /app --no-create-home coachprog

# Requirements first, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Management commands need no SECRET_KEY; gunicorn and Celery refuse to start without
# the real one, which the image never holds.
RUN python manage.py collectstatic --noinput

# The app's code and static files stay owned by root; the app may write only uploads
# and beat's schedule file.
RUN mkdir -p /app/media /var/lib/coachprog \
    && chown coachprog:coachprog /app/media /var/lib/coachprog
USER coachprog

EXPOSE 8000
# No control socket: gunicorn would put it under $HOME, which the app user cannot write.
CMD ["gunicorn", "coachprog.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", \
     "--no-control-socket"]

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    TCMS_VAR_DIR=/srv/tcms/var STATIC_ROOT=/srv/tcms/static MEDIA_ROOT=/srv/tcms/media
# WeasyPrint needs Pango; fonts for PDF reports.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --system --home /srv/tcms tcms && mkdir -p /srv/tcms/var /srv/tcms/static /srv/tcms/media \
 && SECRET_KEY=build-only python manage.py compile_translations \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0 \
 && chown -R tcms /srv/tcms /app/locale
USER tcms
EXPOSE 8000
CMD ["gunicorn", "tcms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

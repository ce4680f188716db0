# One image for the three processes of the Procfile: web (daphne), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=autolab.settings.production \
    PORT=8000

WORKDIR /app
RUN useradd --create-home --uid 10001 autolab
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=autolab:autolab . .
# Static files are collected at build time with a throwaway key; the real one comes from the environment.
RUN DJANGO_SECRET_KEY=build-only-$(python -c "import secrets; print(secrets.token_hex(32))") \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input

USER autolab
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/api/health', timeout=4)"
CMD ["sh", "-c", "python -m autolab.serve --proxy-headers -b 0.0.0.0 -p ${PORT} autolab.asgi:application"]

# まち Machi — image for the api and worker services (see docker-compose.yml).
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-ipaexfont-gothic libzbar0 postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY api ./api
COPY geo ./geo
COPY routing ./routing
COPY maps ./maps
COPY print ./print
COPY workflow ./workflow
COPY machi ./machi
COPY data ./data
RUN pip install --no-cache-dir .

ENV MACHI_HOST=0.0.0.0 MACHI_PORT=8000 MACHI_MEDIA_DIR=/var/lib/machi/media
EXPOSE 8000
CMD ["machi", "serve"]

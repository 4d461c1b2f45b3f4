# Image for docker-compose.yml: builds the front end, installs the locked dependencies.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN mkdir -p ../backend/qnetplan/static && npm run build

FROM python:3.11-slim-bookworm
WORKDIR /app
COPY requirements/app.lock requirements/app.lock
RUN pip install --no-cache-dir --require-hashes -r requirements/app.lock
COPY pyproject.toml README.md alembic.ini ./
COPY alembic/ alembic/
COPY backend/ backend/
COPY --from=frontend /src/backend/qnetplan/static backend/qnetplan/static
RUN pip install --no-cache-dir --no-deps -e .
EXPOSE 8000
CMD ["sh", "-c", "qnetplan db upgrade && qnetplan serve"]

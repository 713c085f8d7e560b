# AI Co-Founder image: one image for the web app and the worker.
#   docker build --build-arg APP_URL=https://cofounder.example.com -t cofounder .
# Stage 1 compiles the Reflex frontend with Node 22; stage 2 runs it on a slim Python image with no Node.

FROM node:22-bookworm-slim AS node

FROM python:3.11-slim-bookworm AS frontend
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# The websocket address is baked into the bundle: build with the public URL of the app.
ARG APP_URL=http://localhost:3000
ENV REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false APP_URL=${APP_URL}
RUN REFLEX_API_URL=${APP_URL} reflex export --frontend-only --no-zip

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    REFLEX_TELEMETRY_ENABLED=false REFLEX_ENV_MODE=prod \
    __REFLEX_MOUNT_FRONTEND_COMPILED_APP=true __REFLEX_SKIP_COMPILE=true \
    DATA_DIR=/data GRANIAN_WORKERS=2 PORT=3000
# bubblewrap confines the agent's commands (the local sandbox; see README "Security"), Chromium takes the
# screenshots, e2fsprogs makes the workspaces' size-limited file systems where the worker may mount them.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap chromium fonts-liberation e2fsprogs \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 app && mkdir -p /data && chown app /data
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# The web stack generated apps are built on (agent/appstack), mounted read-only into every sandbox.
COPY agent/appstack/requirements.txt /tmp/appstack.txt
RUN pip install --no-cache-dir --no-compile --target /opt/appstack -r /tmp/appstack.txt
ENV APP_STACK_DIR=/opt/appstack
COPY --chown=app . .
COPY --from=frontend --chown=app /app/.web /app/.web
USER app
EXPOSE 3000
# Web (default): apply migrations, then serve pages, API and websocket on one port.
# Worker: `arq agent.worker.WorkerSettings` (see docker-compose.yml).
CMD ["sh", "-c", "alembic upgrade head && exec granian --interface asgi --factory --host 0.0.0.0 --port ${PORT} --workers ${GRANIAN_WORKERS} cofounder_app.cofounder_app:app"]

# Paperclip server image.
#
#   docker build -t paperclip:latest .
#   docker run -d -p 3100:3100 -e DATABASE_URL=postgres://... -e PAPERCLIP_DEPLOYMENT_MODE=authenticated \
#     -e PAPERCLIP_DEPLOYMENT_EXPOSURE=public -e PAPERCLIP_AUTH_PUBLIC_BASE_URL=https://paperclip.example.com \
#     -v /app/data/secrets:/paperclip/secrets paperclip:latest
#
# Starts from environment variables alone (no config file, no onboard). Without DATABASE_URL it runs
# an embedded PostgreSQL under /paperclip/instances/default/db: mount a volume on /paperclip to keep it.
# /paperclip/secrets keeps what must survive re-creating the container and is not in the database:
# the secrets master key and the generated PAPERCLIP_AGENT_JWT_SECRET (its .env). Back it up.
#
# BASE_IMAGE: any Debian-like image with python3 (>= 3.11) and its venv module, e.g.
# python:3.12-slim (default) or one made with mmdebstrap (see docs/deploy/container.md).
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python3 -m venv /opt/paperclip
# Dependencies first (a layer that survives source changes): install the project's requirements
# from pyproject.toml with an empty package, then the real package without dependencies.
COPY pyproject.toml README.md /src/
RUN mkdir -p /src/src/paperclip && touch /src/src/paperclip/__init__.py \
 && /opt/paperclip/bin/pip install -q /src \
 && /opt/paperclip/bin/pip uninstall -q -y paperclip
COPY src /src/src
# (the stub's build directory would shadow the real files: setuptools copies only newer ones)
RUN rm -rf /src/build && /opt/paperclip/bin/pip install -q --no-deps /src \
 && /opt/paperclip/bin/pip uninstall -q -y pip setuptools wheel 2>/dev/null; \
    find /opt/paperclip -name '__pycache__' -prune -exec rm -rf {} + \
 && /opt/paperclip/bin/python -m compileall -q -j 0 /opt/paperclip/lib >/dev/null; \
    /opt/paperclip/bin/paperclipai --help >/dev/null

FROM ${BASE_IMAGE}
ARG PAPERCLIP_UID=1000
# tini as PID 1: forwards SIGTERM to the server and reaps orphaned agent processes. Installed only
# when the base image lacks it (the mmdebstrap-made bases include it).
RUN command -v tini >/dev/null 2>&1 || { apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tini >/dev/null \
      && rm -rf /var/lib/apt/lists/*; } \
 && useradd --system --uid "$PAPERCLIP_UID" --user-group --home-dir /paperclip --shell /usr/sbin/nologin paperclip \
 && mkdir -p /paperclip/secrets && chown -R paperclip:paperclip /paperclip && chmod 700 /paperclip/secrets
COPY --from=build /opt/paperclip /opt/paperclip
ENV PATH=/opt/paperclip/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HOME=/paperclip \
    PAPERCLIP_HOME=/paperclip \
    PAPERCLIP_INSTANCE_ID=default \
    PAPERCLIP_CONFIG=/paperclip/secrets/config.json \
    PAPERCLIP_SECRETS_MASTER_KEY_FILE=/paperclip/secrets/master.key \
    HOST=0.0.0.0 \
    PORT=3100 \
    PAPERCLIP_DEPLOYMENT_MODE=authenticated \
    PAPERCLIP_DEPLOYMENT_EXPOSURE=private
USER paperclip
WORKDIR /paperclip
VOLUME ["/paperclip/secrets"]
EXPOSE 3100
# Docker runs it (podman only with --format docker); platforms have their own (deploy/).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python3", "-c", "import os,sys,urllib.request as u; sys.exit(0 if u.urlopen('http://127.0.0.1:%s/api/health' % os.environ.get('PORT', '3100'), timeout=4).status == 200 else 1)"]
# SIGTERM: tini forwards it; the server stops accepting, finishes in-flight requests (8 s at most),
# hands queued heartbeat work back, stops the embedded database and exits 0 within a 10 s grace.
STOPSIGNAL SIGTERM
ENTRYPOINT ["tini", "--", "paperclipai", "run"]

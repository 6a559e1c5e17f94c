# The SecureCart harness as an image: `securecart up` (the enforcing gateway in front of moto,
# or of LocalStack with --backend localstack). Used by docker-compose.yml; see docs/docker.md.
#
#   docker build -t securecart-harness .
#   docker run --rm -p 127.0.0.1:5000:5000 -p 127.0.0.1:5443:5443 securecart-harness

# Pinned: the Python the harness is developed and tested on.
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    XDG_CACHE_HOME=/var/cache/securecart

WORKDIR /opt/securecart

# The lock first, in a layer of its own: every package pinned and hash-checked, the same set CI
# tests (docs/dependencies.md); a change to the code does not reinstall it.
COPY requirements/harness.txt requirements/build.txt requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/harness.txt

# The repository (less .dockerignore), owned by root: the harness reads its landscape
# (fixtures/securecart, found under the working directory) and writes nothing here.
COPY . .

# The project alone, not editable, its build backend pinned; then an unprivileged user to run
# it, with the certificate cache (XDG_CACHE_HOME: the self-signed CA and certificate) as its
# only writable folder outside its home.
RUN pip install --no-cache-dir --no-deps --build-constraint requirements/build.txt . \
    && rm -rf build ./*.egg-info \
    && useradd --create-home --user-group --uid 10001 securecart \
    && mkdir -p /var/cache/securecart \
    && chown securecart:securecart /var/cache/securecart \
    && chmod 0700 /var/cache/securecart

USER securecart

# All interfaces inside the container, so that published ports reach it; publish them on the
# host's loopback only (-p 127.0.0.1:5443:5443). Fixed ports, so that they can be published.
EXPOSE 5000 5443
ENTRYPOINT []
CMD ["securecart", "up", "--host", "0.0.0.0", "--port", "5000", "--tls-port", "5443"]

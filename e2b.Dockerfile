# The E2B template builds run in: E2B's base image with the generated apps' web stack (the versions in
# agent/appstack/requirements.txt) at /opt/appstack, the same stack the local sandbox mounts read-only.
# Build it once with the E2B CLI and give its name to the worker:
#   e2b template build --name cofounder-appstack --dockerfile e2b.Dockerfile
#   E2B_TEMPLATE=cofounder-appstack
# Sandboxes start with allow_internet_access=False, so nothing else can be installed while building.
FROM e2bdev/base:latest
COPY agent/appstack/requirements.txt /tmp/appstack.txt
RUN python3 -m pip install --no-cache-dir --no-compile --target /opt/appstack -r /tmp/appstack.txt
ENV PYTHONPATH=/opt/appstack

# Two stages. `build` installs the pinned runtime requirements into a virtualenv at /opt/venv
# and trims it; the final stage copies only that virtualenv and the application, so no
# compiler, build tool, pip cache or package index reaches the image that runs.
# scripts/docker-check builds it and checks it (size, health, user, a callback, a clean stop,
# and the docker-compose.yml lab setup with a Celery worker); tests/docker/exercise.py runs
# every feature inside it.
#
# Size (2026-12-01): 600 MB = base 145 MB + /opt/venv 454 MB + app 1.4 MB (was 1.0 GB). Almost
# all of the venv is native code the app loads: llvmlite 153 MB (numba's LLVM, every target),
# SciPy 88 MB, NumPy 50 MB, libSBML 34 MB, pandas 28 MB; Dash and plotly 54 MB (mostly the
# JavaScript they serve).

FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

# binutils (strip) is used here only and never reaches the final stage; not pinned (DL3008):
# Debian's point releases replace the exact version.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /opt/venv/lib/python3.11/site-packages
COPY requirements.txt /tmp/requirements.txt
# Install without .pyc files (they would add ~100 MB; without them a process start imports the
# app in ~9 s instead of ~3 s, once per container start since gunicorn --preload and Celery's
# prefork pool fork after the import), then drop what the application never uses at run time:
# - matplotlib and the packages only it needs: SALib depends on it for its plotting helpers,
#   which we never call (SALib.sample and SALib.analyze import it only inside plot functions);
# - the packages' own test suites (pandas, SciPy, NumPy, numba: ~100 MB);
# - JavaScript source maps (read only by a browser's developer tools) and plotly's Jupyter
#   extension and widget bundle (notebooks only);
# - symbol tables of the compiled modules (strip --strip-unneeded keeps the dynamic symbols
#   that Python and ctypes resolve; the libraries vendored in *.libs/ are left as they are);
# - pip and setuptools (nothing is installed at run time).
RUN pip install --no-compile -r /tmp/requirements.txt \
    && pip uninstall --yes matplotlib contourpy cycler fonttools kiwisolver pillow pyparsing \
    && pip uninstall --yes pip setuptools \
    && find . -depth -type d \( -name tests -o -name __pycache__ \) -exec rm -rf {} + \
    && find . -type f -name '*.js.map' -delete \
    && rm -rf plotly/labextension plotly/package_data/widgetbundle.js \
    && find . -type f -name '*.so' -not -path './*.libs/*' -exec strip --strip-unneeded {} +

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    NUMBA_CACHE_DIR=/tmp/numba-cache

RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin app

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Code stays owned by root: the app user can read it but not change it.
COPY . .
# Compile the numba code (right-hand side, batch solver) once at build time; workers and sweep
# jobs then only load the cache.
RUN python -c "from model import simulate, simulate_batch; simulate(); simulate_batch([{}], days=1.0)" \
    && chmod -R a+rwX "$NUMBA_CACHE_DIR"

USER 10001:10001
EXPOSE 8050
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/health', timeout=4)"]
# Every worker must share one DASH_SECRET_KEY: pass it at run time (`docker run -e
# DASH_SECRET_KEY=...`, or docker-compose.yml), never in the image. --preload builds the app
# (and loads the model) once before forking. No control socket: gunicorn 27 would try to create
# one under the (absent) home directory.
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "2", "--preload", "--no-control-socket", "app:server"]

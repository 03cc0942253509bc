# Two stages. `build` installs the pinned runtime requirements into a virtualenv at /opt/venv
# and trims it; the final stage copies only that virtualenv and the application, so no
# compiler, build tool, pip cache or package index reaches the image that runs.
# scripts/docker-check builds it and checks it (size, health, user, a callback, a clean stop,
# and the docker-compose.yml lab setup with a Celery worker); tests/docker/exercise.py runs
# every feature inside it.
#
# Size (2026-12-01): 594 MB = base 145 MB + /opt/venv 446 MB + app 4 MB (the same tree built
# the earlier way, sources only and no bytecode: 605 MB; untrimmed: 1.0 GB). The venv holds
# 327 MB of native code the app loads (llvmlite 154 MB: numba's LLVM with every target, already
# stripped; two OpenBLAS builds, NumPy's ILP64 and SciPy's LP64, 23 MB each; libSBML 27 MB;
# pandas, SciPy, NumPy), ~100 MB of bytecode and sources and 10 MB of JavaScript. Native code
# and base alone come to ~475 MB: 500 MB cannot be reached while the image keeps numba,
# libSBML and SciPy.

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
# Install without .pyc files (compiled below, once), then drop the distributions the
# application never uses at run time: matplotlib and the packages only it needs (SALib depends
# on it for its plotting helpers, which we never call: SALib.sample and SALib.analyze import it
# only inside plot functions), pip and setuptools (nothing is installed at run time).
RUN pip install --no-compile -r /tmp/requirements.txt \
    && pip uninstall --yes matplotlib contourpy cycler fonttools kiwisolver pillow pyparsing \
    && pip uninstall --yes pip setuptools
# Then drop what the application never loads and shrink what it does (tests/test_dockerfile.py
# runs tests/docker/exercise.py with the dropped modules hidden; docker-check runs it in the
# image):
# - the packages' test suites (~45 MB), Jupyter/JupyterLab extensions and man pages (share/,
#   plotly's labextension and widget bundle), type stubs and Cython sources (*.pyi, *.pyx,
#   *.pxd), NumPy's C headers, static libraries and build tools (distutils, f2py's C sources,
#   the PyInstaller hook);
# - JavaScript source maps and the development bundles (React, React DOM, prop-types, Dash's
#   renderer and dcc's prop types, unminified): Dash serves them only with dev bundles on
#   (`app.run(debug=True)` or DASH_SERVE_DEV_BUNDLES), never under the image's gunicorn; and
#   the DataTable's own test and demo builds (commons.js, runtime.js, demo.js, *_test.N.js),
#   which Dash never registers and so refuses to serve;
# - SciPy subpackages nothing imports (file formats, ODR, clustering, datasets, misc) and
#   numba's CUDA target (only @cuda.jit reaches it);
# - symbol tables of the compiled modules (strip --strip-unneeded keeps the dynamic symbols
#   that Python and ctypes resolve; ~40 MB). Not those of the libraries vendored in *.libs/:
#   auditwheel's patchelf moved their load segments, and a stripped copy fails to load
#   ("ELF load command address/offset not page-aligned");
# - SciPy's copies of the libgfortran and libquadmath that NumPy vendors too, byte for byte
#   (symlinks: the loader finds them by the same name).
RUN rm -rf /opt/venv/share \
    && find . -depth -type d \( -name tests -o -name __pycache__ \) -exec rm -rf {} + \
    && find . -type f \( -name '*.js.map' -o -name '*.pyi' -o -name '*.pyx' -o -name '*.pxd' \) -delete \
    && rm -rf plotly/labextension plotly/package_data/widgetbundle.js \
        dash/dash-renderer/build/dash_renderer.dev.js dash/dcc/proptypes.js \
        dash/deps/react@*[0-9].js dash/deps/react-dom@*[0-9].js dash/deps/prop-types@*[0-9].js \
        dash/dash_table/commons.js dash/dash_table/runtime.js dash/dash_table/demo.js \
        dash/dash_table/*.[0-9]*.js \
        numpy/_core/include numpy/_core/lib numpy/random/lib numpy/random/_examples \
        numpy/distutils numpy/f2py/src numpy/_pyinstaller \
        scipy/io scipy/odr scipy/cluster scipy/datasets scipy/misc numba/cuda \
    && find . -type f -name '*.so' -not -path './*.libs/*' -exec strip --strip-unneeded {} + \
    && for lib in scipy.libs/*; do \
        if cmp -s "$lib" "numpy.libs/${lib#scipy.libs/}"; then ln -sf "../numpy.libs/${lib#scipy.libs/}" "$lib"; fi; \
    done
# Bytecode, so that a container start does not compile ~50 MB of imports first (gunicorn
# --preload and Celery's prefork pool import once, then fork): /health answered 7-8 s after
# `docker run` instead of 20-29 s on a busy 2-core machine (import app: 3 s instead of 6-9 s
# idle). Each library module is compiled in place of its source (foo.py -> foo.pyc: Python
# imports a lone .pyc): 14 MB more than the sources alone, 73 MB less than sources plus
# __pycache__; tracebacks in library frames show file and line without the line's text. numba
# and llvmlite keep their sources, with a __pycache__ beside: numba reads the source of what it
# compiles, its own implementations included, for its error messages and caches.
RUN python -m compileall -q -j 0 -b -x '/site-packages/(numba|llvmlite)/' "$PWD" \
    && find . -name '*.py' -not -path './numba/*' -not -path './llvmlite/*' -delete \
    && python -m compileall -q -j 0 "$PWD/numba" "$PWD/llvmlite"

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
# jobs then only load the cache. The application's bytecode goes beside its sources, which stay
# (numba's cache and Dash's background callbacks read them).
RUN python -c "from model import simulate_batch; from model.solve import warm_up; warm_up(); simulate_batch([{}], days=1.0)" \
    && chmod -R a+rwX "$NUMBA_CACHE_DIR" \
    && python -m compileall -q -j 0 /app

USER 10001:10001
EXPOSE 8050
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/health', timeout=4)"]
# Every worker must share one DASH_SECRET_KEY: pass it at run time (`docker run -e
# DASH_SECRET_KEY=...`, or docker-compose.yml), never in the image. --preload builds the app
# (and loads the model) once before forking. No control socket: gunicorn 27 would try to create
# one under the (absent) home directory.
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "2", "--preload", "--no-control-socket", "app:server"]

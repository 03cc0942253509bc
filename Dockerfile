FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NUMBA_CACHE_DIR=/tmp/numba-cache

RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# Code stays owned by root: the app user can read it but not change it.
COPY . .
# Compile the numba code (right-hand side, batch solver) once at build time; workers and sweep
# jobs then only load the cache.
RUN python -c "from model import simulate, simulate_batch; simulate(); simulate_batch([{}], days=1.0)" \
    && chmod -R a+rwX "$NUMBA_CACHE_DIR"

USER 10001:10001
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/health', timeout=4)"]
# Every worker must share one DASH_SECRET_KEY (pass it with `docker run -e`). --preload builds
# the app (and warms the model) once before forking. No control socket: gunicorn 27 would try to
# create one under the (absent) home directory.
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "2", "--preload", "--no-control-socket", "app:server"]

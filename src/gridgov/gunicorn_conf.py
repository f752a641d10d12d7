"""gunicorn's configuration for gridgov (issue 12): `gridgov serve`, or
`gunicorn -c python:gridgov.gunicorn_conf`. Every value can be set from the environment;
docs/deployment.md explains the sizing.

- Workers: GRIDGOV_WORKERS (default 2 × CPUs + 1, gunicorn's rule for sync workers), each
  with GRIDGOV_THREADS threads (default 1; more makes them gthread workers, which suits
  pages that wait on the database). Django keeps one database connection per thread.
- Timeouts: a worker silent for GRIDGOV_TIMEOUT seconds (70: above the database's 60 s
  statement timeout, so the database cancels a runaway statement and the app answers
  first) is killed and replaced; on restart a worker has GRIDGOV_GRACEFUL_TIMEOUT (30 s) to
  finish its requests; GRIDGOV_KEEPALIVE (5 s) keeps nginx's upstream connections open.
- Recycling: a worker is replaced after GRIDGOV_MAX_REQUESTS requests (1000) plus a random
  0..GRIDGOV_MAX_REQUESTS_JITTER (100), so that the workers never restart all at once.
- The app is not preloaded: each worker opens its own database connections after the fork.
- Logs: JSON lines on stdout (GRIDGOV_LOG_FORMAT=text for plain lines). The application writes
  the access line (it alone knows the route and the user: gridgov.core.request_log);
  GRIDGOV_ACCESS_LOG=1 adds gunicorn's own, with the request id, method, status, duration and
  size — never the path or the query, which carry tokens and names.
"""

from __future__ import annotations

import os


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


# The workers (forked after this file ran) write the app's log lines on stdout, as gunicorn's.
os.environ.setdefault("GRIDGOV_LOG_STREAM", "stdout")

wsgi_app = "gridgov.wsgi:application"
proc_name = "gridgov"
bind = [address.strip() for address in os.environ.get("GRIDGOV_BIND", "127.0.0.1:8000").split(",")]

workers = _int("GRIDGOV_WORKERS", 2 * _cpus() + 1)
threads = _int("GRIDGOV_THREADS", 1)
worker_class = os.environ.get("GRIDGOV_WORKER_CLASS", "gthread" if threads > 1 else "sync")

timeout = _int("GRIDGOV_TIMEOUT", 70)
graceful_timeout = _int("GRIDGOV_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GRIDGOV_KEEPALIVE", 5)
max_requests = _int("GRIDGOV_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GRIDGOV_MAX_REQUESTS_JITTER", 100)
preload_app = False
# The workers' heartbeat files in memory, not on a disk that may stall (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# gunicorn's runtime control socket (27+) is off unless GRIDGOV_CONTROL_SOCKET names a path:
# several instances on one host would share its default path, and nothing here uses it.
if os.environ.get("GRIDGOV_CONTROL_SOCKET"):
    control_socket = os.environ["GRIDGOV_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Only the proxy on this host may say the request came over HTTPS (wsgi.url_scheme).
forwarded_allow_ips = os.environ.get("GRIDGOV_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

_format = os.environ.get("GRIDGOV_LOG_FORMAT", "text" if _flag("GRIDGOV_DEBUG") else "json")
_access_log = _flag("GRIDGOV_ACCESS_LOG")
accesslog = "-" if _access_log else None
loglevel = os.environ.get("GRIDGOV_GUNICORN_LOG_LEVEL", "info")
access_log_format = "%(m)s %(s)s"  # the message; the fields come from GunicornAccessFormatter

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "gridgov.core.request_log.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
        "json_access": {
            "()": "gridgov.core.request_log.GunicornAccessFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
        "text": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "error_console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": _format},
        "access_console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json_access" if _format == "json" else "text",
        },
    },
    "root": {"level": "WARNING", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO" if _access_log else "CRITICAL",
            "handlers": ["access_console"] if _access_log else [],
            "propagate": False,
        },
    },
}

"""Settings for gridgov, read from the environment (see docs/operator-guide.md)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("GRIDGOV_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_flag("GRIDGOV_DEBUG")
# GRIDGOV_DEBUG=1 is development mode: the fallbacks below (development keys, no second factor,
# plain-HTTP cookies, no HTTPS redirect) follow it. Django's own DEBUG (its technical error
# pages) follows it too, unless GRIDGOV_APP_ERROR_PAGES=1 (`make demo`) asks for the app's
# 403/404/500 pages; see the end of the HTTPS settings.
GRIDGOV_DEVELOPMENT = DEBUG

# Development-only fallbacks: production (DEBUG off) refuses to start without real keys.
_DEV_SECRET_KEY = "gridgov-insecure-development-key-never-use-in-production"
_DEV_FIELD_KEY = "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZHVjdGk="
SECRET_KEY = os.environ.get("GRIDGOV_SECRET_KEY", "")
FIELD_KEYS = [k.strip() for k in os.environ.get("GRIDGOV_FIELD_KEY", "").split(",") if k.strip()]

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "GRIDGOV_SECRET_KEY must be set to a random string of at least 32 characters "
            "(or set GRIDGOV_DEBUG=1 for development)."
        )
    if not FIELD_KEYS or _DEV_FIELD_KEY in FIELD_KEYS:
        raise ImproperlyConfigured(
            "GRIDGOV_FIELD_KEY must be set to a Fernet key "
            "(generate one with: gridgov generate_field_key)."
        )
else:
    SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY
    if not FIELD_KEYS:
        # A fixed development key: data encrypted with it is not protected.
        FIELD_KEYS = [_DEV_FIELD_KEY]

# audit (issue 10): the HMAC key of the audit chain and of its checkpoints. It lives only
# here, never in the database, so whoever can write the database cannot re-seal the chain.
_DEV_AUDIT_KEY = "gridgov-development-audit-key-never-use-in-production"
GRIDGOV_AUDIT_KEY = os.environ.get("GRIDGOV_AUDIT_KEY", "")
if not DEBUG:
    if not GRIDGOV_AUDIT_KEY or GRIDGOV_AUDIT_KEY == _DEV_AUDIT_KEY or len(GRIDGOV_AUDIT_KEY) < 32:
        raise ImproperlyConfigured(
            "GRIDGOV_AUDIT_KEY must be set to a random string of at least 32 characters "
            "(generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
else:
    # A fixed development key: a chain sealed with it proves nothing.
    GRIDGOV_AUDIT_KEY = GRIDGOV_AUDIT_KEY or _DEV_AUDIT_KEY
# Signed checkpoints of every chain's head; keep the directory off the database server
# (ideally on write-once or remote storage).
GRIDGOV_AUDIT_CHECKPOINT_DIR = Path(
    os.environ.get("GRIDGOV_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints")
).resolve()
# Independent chains per county (core.audit, issue 12): concurrent writes in one county take
# different chain heads instead of queueing behind one; each stripe verifies on its own.
GRIDGOV_AUDIT_STRIPES = max(1, min(99, int(os.environ.get("GRIDGOV_AUDIT_STRIPES", "8"))))


def _check_field_keys(keys: list[str]) -> None:
    """A malformed key must stop start-up, not the first decryption of a record (issue 10)."""
    from cryptography.fernet import Fernet

    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"GRIDGOV_FIELD_KEY: key {position} of {len(keys)} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes; generate one with: gridgov generate_field_key)."
            ) from None


_check_field_keys(FIELD_KEYS)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("GRIDGOV_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GRIDGOV_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gridgov.core",
    "gridgov.register",
    "gridgov.events",
    "gridgov.care",
    "gridgov.mediation",
    "gridgov.participation",
    "gridgov.demo",
]

# bench (issue 12): `gridgov bench` counts each request's SQL queries in a response header
# (gridgov.core.query_count); off unless its throwaway server sets GRIDGOV_BENCH_QUERY_HEADER=1.
GRIDGOV_BENCH_QUERY_HEADER = _env_flag("GRIDGOV_BENCH_QUERY_HEADER")

# The proxies in front of the app (nginx, a load balancer) whose X-Forwarded-For is believed:
# addresses or networks, comma-separated (docs/deployment.md). Empty: REMOTE_ADDR as it comes.
from gridgov.core.proxies import trusted_proxies  # noqa: E402

GRIDGOV_TRUSTED_PROXIES = trusted_proxies(os.environ.get("GRIDGOV_TRUSTED_PROXIES", ""))

# At most this many files in one request (Django's default is 100): an event takes 9 photos, a
# mediation case 12 pages at once; more is refused before any is decoded.
DATA_UPLOAD_MAX_NUMBER_FILES = 12

MIDDLEWARE = [
    # the client's address behind the deployment's own proxies (GRIDGOV_TRUSTED_PROXIES)
    "gridgov.core.proxies.TrustedProxyMiddleware",
    "gridgov.core.query_count.QueryCountHeaderMiddleware",  # bench (issue 12): off by default
    # serving (issue 12): one JSON line per request (request id, user id, route, status, duration)
    "gridgov.core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # serving (issue 12): compressed, hashed static files with far-future Cache-Control
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gridgov.core.outage.DatabaseOutageMiddleware",  # faults (issue 10): 503 while the database is down
    # replicas (issue 12): a user who just wrote reads the primary (only with a replica configured)
    "gridgov.core.db_router.PrimaryPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # robustness (issue 10): NUL characters and oversized bodies answer 400 before any view runs
    "gridgov.core.input_guard.InputGuardMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gridgov.core.otp.SecondFactorMiddleware",  # accounts (issue 10): enrolment and verification
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gridgov.core.htmx_errors.HtmxSignInRedirectMiddleware",  # issue 11: never the sign-in page in a fragment
    "gridgov.core.middleware.RequestContextMiddleware",
    "gridgov.core.middleware.PrivateCacheMiddleware",  # masking (issue 10): no-store when signed in
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.core.context_processors.gridgov",
                "gridgov.core.notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gridgov.sqlite3'}"),
        conn_max_age=int(os.environ.get("GRIDGOV_DB_CONN_MAX_AGE", "60")),
    )
}
# faults (issue 10): a pooled connection that died in an outage is replaced at the next
# request instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # case_sensitive_like lets SQLite serve `org_code LIKE 'prefix%'` (every scope filter)
    # from an index; codes are digits, so case never mattered for them.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA case_sensitive_like=ON;",
            # races (issue 10): writers queue instead of failing with "database is locked".
            # A deferred transaction that reads first and then writes cannot wait for the
            # lock (SQLite gives up at once to avoid a deadlock); BEGIN IMMEDIATE takes the
            # write lock up front and waits up to `timeout` seconds for it.
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("GRIDGOV_DB_LOCK_TIMEOUT", "20")),
        }
    )
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # races (issue 10): safe for threaded servers. Django keeps one connection per thread
    # (never shared); CONN_MAX_AGE reuses it across requests and CONN_HEALTH_CHECKS replaces
    # a dead one. A server that is unreachable fails the request after connect_timeout
    # seconds, and no statement holds locks for longer than the statement timeout.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", int(os.environ.get("GRIDGOV_DB_CONNECT_TIMEOUT", "5")))
    _statement_timeout_ms = int(os.environ.get("GRIDGOV_DB_STATEMENT_TIMEOUT_MS", "60000"))
    if _statement_timeout_ms > 0 and "options" not in _pg_options and not _env_flag("GRIDGOV_PGBOUNCER"):
        _pg_options["options"] = f"-c statement_timeout={_statement_timeout_ms}"

# replicas (issue 12): dashboard and report reads on a streaming replica (gridgov.core.db_router;
# docs/deployment.md, "Replicas and connection pooling"). The replica is never migrated and,
# in tests, mirrors the default database. A replica that is down or further behind than
# GRIDGOV_REPLICA_MAX_LAG_SECONDS is skipped (checked every GRIDGOV_REPLICA_CHECK_SECONDS, with
# a short connect timeout); a user reads the primary for GRIDGOV_REPLICA_PIN_SECONDS after
# their own write (keep it above the allowed lag).
GRIDGOV_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("GRIDGOV_REPLICA_MAX_LAG_SECONDS", "10"))
GRIDGOV_REPLICA_PIN_SECONDS = float(os.environ.get("GRIDGOV_REPLICA_PIN_SECONDS", "15"))
GRIDGOV_REPLICA_CHECK_SECONDS = float(os.environ.get("GRIDGOV_REPLICA_CHECK_SECONDS", "5"))
if os.environ.get("GRIDGOV_REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["GRIDGOV_REPLICA_DATABASE_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
    )
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    _replica_options = DATABASES["replica"].setdefault("OPTIONS", {})
    _replica_options.setdefault("connect_timeout", int(os.environ.get("GRIDGOV_REPLICA_CONNECT_TIMEOUT", "2")))
    if "options" in DATABASES["default"].get("OPTIONS", {}):
        _replica_options.setdefault("options", DATABASES["default"]["OPTIONS"]["options"])
    DATABASE_ROUTERS = ["gridgov.core.db_router.PrimaryReplicaRouter"]

# PgBouncer in transaction pooling (issue 12, GRIDGOV_PGBOUNCER=1): consecutive transactions of
# one Django connection may run on different server connections, so nothing may outlive a
# transaction: no server-side cursors (`.iterator()` then fetches in chunks client-side), no
# prepared statements, and no startup `options` (set statement_timeout on the role instead:
# ALTER ROLE gridgov SET statement_timeout = '60s'). The app itself sets no session state.
if _env_flag("GRIDGOV_PGBOUNCER"):
    for _alias in DATABASES.values():
        if _alias["ENGINE"].startswith("django.db.backends.postgresql"):
            _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
            _alias.setdefault("OPTIONS", {})["prepare_threshold"] = None
            if _alias["OPTIONS"].get("server_side_binding"):
                raise ImproperlyConfigured("GRIDGOV_PGBOUNCER=1 needs client-side binding (server_side_binding off).")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# sign-in (issue 12): argon2id at OWASP's recommended strength first (gridgov.core.hashers;
# a weaker GRIDGOV_ARGON2_* stops start-up); PBKDF2 kept so that older hashes still verify,
# and are re-made with argon2id at the user's next sign-in. The tests use a fast hasher.
from gridgov.core.hashers import argon2_parameters  # noqa: E402

GRIDGOV_ARGON2_PARAMETERS = argon2_parameters(os.environ)
PASSWORD_HASHERS = [
    "gridgov.core.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # accounts (issue 10): not a check, a hook: a changed password revokes the API tokens.
    {"NAME": "gridgov.core.tokens.RevokeTokensOnPasswordChange"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# accounts (issue 10): an account is locked after GRIDGOV_LOGIN_FAILURE_LIMIT failures from
# any addresses, and an address after GRIDGOV_LOGIN_ADDRESS_LIMIT failures on any accounts
# (password spraying); see gridgov.core.lockout. A wrong second-factor code counts too.
AXES_HANDLER = "gridgov.core.lockout.AccountAndAddressHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("GRIDGOV_LOGIN_FAILURE_LIMIT", "10"))
GRIDGOV_LOGIN_ADDRESS_LIMIT = int(os.environ.get("GRIDGOV_LOGIN_ADDRESS_LIMIT", "50"))
AXES_COOLOFF_TIME = float(os.environ.get("GRIDGOV_LOGIN_COOLOFF_HOURS", "1"))  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# serving (issue 12): axes logs each failed sign-in; without the typed username or the address
# (both stay in its lockout records, which only administrators read).
AXES_CLIENT_STR_CALLABLE = "gridgov.core.request_log.axes_client_str"

# accounts (issue 10): second factor (TOTP, with one-time recovery codes).
# `required`: every role that sees sensitive data, and superusers, must use one (they are
# sent to set it up); `optional`: whoever set one up must use it; `off`: never asked.
# Production (DEBUG off) defaults to `required`; the demo and development (GRIDGOV_DEBUG=1)
# to `off`. Switching it off in production is logged as a warning at start-up.
GRIDGOV_OTP = os.environ.get("GRIDGOV_OTP", "").strip().lower() or ("off" if DEBUG else "required")
if GRIDGOV_OTP not in {"required", "optional", "off"}:
    raise ImproperlyConfigured("GRIDGOV_OTP must be one of: required, optional, off.")
OTP_TOTP_ISSUER = os.environ.get("GRIDGOV_SITE_NAME", "") or "gridgov"
# API tokens expire this many days after sign-in.
GRIDGOV_API_TOKEN_DAYS = int(os.environ.get("GRIDGOV_API_TOKEN_DAYS", "30"))
# The public Open311 feed (issue 12): reads per client address (DRF rate, e.g. "300/minute").
GRIDGOV_OPEN311_READ_RATE = os.environ.get("GRIDGOV_OPEN311_READ_RATE", "300/minute")
# … and how many seconds one answer of its request list is served again from the cache to
# whoever asks the same question (0: never); the list may be this much behind the events.
GRIDGOV_OPEN311_LIST_CACHE_SECONDS = int(os.environ.get("GRIDGOV_OPEN311_LIST_CACHE_SECONDS", "5"))

# org tree cache (issue 12, gridgov.core.org_cache): every worker process must see the same
# cache, or one would keep serving a tree another has changed. One server: a file cache under
# var/ (GRIDGOV_CACHE_DIR); several servers: Redis (GRIDGOV_CACHE_URL=redis://host:6379/1).
_CACHE_URL = os.environ.get("GRIDGOV_CACHE_URL", "").strip()
if _CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}}
else:
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(Path(os.environ.get("GRIDGOV_CACHE_DIR", VAR_DIR / "cache")).resolve()),
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates render as YYYY-MM-DD in every language, as <input type="date"> needs (gridgov/formats).
FORMAT_MODULE_PATH = ["gridgov.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("GRIDGOV_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# workers (issue 12): uploaded files (photos, staged imports) on local disk under MEDIA_ROOT, or
# with GRIDGOV_STORAGE=s3 in an S3-compatible bucket that every app server sees (core/storage.py).
from gridgov.core.storage import default_storage_from_env  # noqa: E402

# serving (issue 12): production serves the files `gridgov collectstatic` (at deployment, or
# `gridgov serve --collectstatic`) wrote to STATIC_ROOT, with hashed names, gzip and brotli copies, and a ten-year
# immutable Cache-Control on the hashed names (whitenoise; nginx may serve the same
# directory). Development serves the source directories as they are, re-read on change.
STORAGES = {
    "default": default_storage_from_env(os.environ),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if GRIDGOV_DEVELOPMENT
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = GRIDGOV_DEVELOPMENT
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("GRIDGOV_MEDIA_ROOT", VAR_DIR / "media"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_flag("GRIDGOV_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "gridgov.core.csrf.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS (issue 10): redirect and HSTS on unless DEBUG. Behind a TLS-terminating proxy set
# GRIDGOV_SECURE_PROXY_HEADER=1 (the proxy must set X-Forwarded-Proto and strip it from
# clients); GRIDGOV_SSL_REDIRECT=0 when the proxy itself redirects. /healthz and /readyz stay
# plain HTTP for load-balancer probes.
SECURE_SSL_REDIRECT = _env_flag("GRIDGOV_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# /readyz keeps its answer this many seconds per process (core/health.py; 0: check every hit).
GRIDGOV_READYZ_CACHE_SECONDS = float(os.environ.get("GRIDGOV_READYZ_CACHE_SECONDS", "5"))
if _env_flag("GRIDGOV_SECURE_PROXY_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("GRIDGOV_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("GRIDGOV_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _env_flag("GRIDGOV_HSTS_PRELOAD")

# The demo shows what a user sees: the app's error pages in Chinese, never Django's technical
# ones, with every development fallback above kept (GRIDGOV_DEVELOPMENT). Static files are
# then served by `runserver --insecure` (the Makefile's demo target).
if GRIDGOV_DEVELOPMENT and _env_flag("GRIDGOV_APP_ERROR_PAGES"):
    DEBUG = False

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gridgov.core.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "gridgov.core.api_pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gridgov.core.api_errors.exception_handler",
    # robustness (issue 10): JSON with a nesting limit and no NUL characters
    "DEFAULT_PARSER_CLASSES": [
        "gridgov.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "gridgov API",
    "DESCRIPTION": "REST API of the gridgov grid-governance platform (v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # accounts (issue 10): role grants have a `status` too
    "ENUM_NAME_OVERRIDES": {
        "RoleGrantStatusEnum": "gridgov.core.models.RoleGrantStatus",
        "CorrectionStatusEnum": "gridgov.core.models.CorrectionRequest.Status",
        "EventStatusEnum": "gridgov.events.workflow.Status",
        "EventUrgencyEnum": "gridgov.events.models.Urgency",
        "WorkItemUrgencyEnum": ["normal", "soon", "overdue"],
        "MediationSessionKindEnum": "gridgov.mediation.models.SessionKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gridgov.core.api.schema_hooks.add_framework_errors",
    ],
}

# Background work (issue 12): `db` (django-tasks-db, the default for one server: `gridgov
# db_worker`) or `celery` (several servers: `celery -A gridgov.celery_app worker` on RabbitMQ or
# Redis, core/task_backends/celery.py); a dotted backend path is taken as it is.
_TASKS_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "celery": "gridgov.core.task_backends.celery.CeleryBackend",
}
_tasks_backend = os.environ.get("GRIDGOV_TASKS_BACKEND", "db")
# Two queues: `default` (notifications, follow-ups: seconds) and `exports` (a large export runs
# for minutes, and must not hold a crisis notice back): one worker for each (docs/deployment.md).
TASK_QUEUES = ["default", "exports"]
TASKS = {
    "default": {
        "BACKEND": _TASKS_BACKENDS.get(_tasks_backend, _tasks_backend),
        "QUEUES": TASK_QUEUES,
    }
}
# Celery (read by gridgov.celery_app): `amqp://user:password@host:5672/vhost` or
# `redis://host:6379/0`. Messages are acknowledged once their task ran (at least once); a worker
# takes one message at a time. On Redis a message not acknowledged within the visibility timeout
# (also the longest `run_after` wait Redis keeps faithfully) goes to another worker.
# With GRIDGOV_TASKS_BACKEND=celery the broker must be named: no fallback to a guest account on
# localhost (security review, issue 12). Messages are JSON only: a message that carries a pickle
# (or any other content type) is refused before it is decoded.
CELERY_BROKER_URL = os.environ.get("GRIDGOV_CELERY_BROKER_URL", "")
if TASKS["default"]["BACKEND"] == _TASKS_BACKENDS["celery"] and not CELERY_BROKER_URL:
    raise ImproperlyConfigured(
        "GRIDGOV_TASKS_BACKEND=celery needs GRIDGOV_CELERY_BROKER_URL "
        "(amqp://user:password@host:5672/vhost or redis://host:6379/0)."
    )
# A worker (`celery -A gridgov.celery_app worker`) refuses to start without it too (celery_app.py).
GRIDGOV_CELERY_BROKER_CONFIGURED = bool(CELERY_BROKER_URL)
CELERY_BROKER_URL = CELERY_BROKER_URL or "amqp://guest:guest@127.0.0.1:5672//"  # never used by a worker
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_ACCEPT_CONTENT = ["json"]
CELERY_EVENT_SERIALIZER = "json"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("GRIDGOV_CELERY_VISIBILITY_TIMEOUT", "3600")),
}
CELERY_TASK_DEFAULT_QUEUE = "default"  # django-tasks' queue name, so `.enqueue()` needs no queue
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE

# serving (issue 12): JSON lines on stdout in production (GRIDGOV_LOG_FORMAT=json, the default
# unless GRIDGOV_DEBUG; `text` for people reading a terminal), one line per request
# (GRIDGOV_REQUEST_LOG=0 switches those off) and never personal data: gridgov.core.request_log.
GRIDGOV_LOG_FORMAT = os.environ.get("GRIDGOV_LOG_FORMAT", "text" if GRIDGOV_DEVELOPMENT else "json")
if GRIDGOV_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("GRIDGOV_LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "gridgov.core.request_log.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        "request_id": {"()": "gridgov.core.request_log.RequestIdFilter"},
        "redact_path": {"()": "gridgov.core.request_log.RedactRequestPathFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # The server's lines on stdout (gunicorn_conf sets GRIDGOV_LOG_STREAM=stdout); a
            # command's on stderr, so that its own output on stdout stays clean.
            "stream": "ext://sys.stdout" if os.environ.get("GRIDGOV_LOG_STREAM") == "stdout" else "ext://sys.stderr",
            "formatter": GRIDGOV_LOG_FORMAT,
            "filters": ["redact_path", "request_id"],
        },
    },
    "loggers": {
        "gridgov.request": {
            "level": "INFO" if _env_flag("GRIDGOV_REQUEST_LOG", not GRIDGOV_DEVELOPMENT) else "WARNING",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("GRIDGOV_LOG_LEVEL", "WARNING")},
}

# The name shown in the header; a deployment sets its own office's name.
GRIDGOV_SITE_NAME = os.environ.get("GRIDGOV_SITE_NAME", "")
# Every user of /admin/ needs a verified second factor, whatever their roles (GRIDGOV_OTP
# already requires it for superusers and sensitive roles unless it is `off`).
GRIDGOV_ADMIN_OTP = _env_flag("GRIDGOV_ADMIN_OTP")

# masking (issue 10): exact searches by resident ID or phone a user may run per hour
# (counted from the audit log, so the limit holds across processes and servers).
GRIDGOV_IDENTIFIER_SEARCH_LIMIT = int(os.environ.get("GRIDGOV_IDENTIFIER_SEARCH_LIMIT", "30"))
# emergency (issue 10): how long an emergency access ("break the glass") lasts
GRIDGOV_EMERGENCY_ACCESS_HOURS = float(os.environ.get("GRIDGOV_EMERGENCY_ACCESS_HOURS", "3"))
# purposes (issue 10): one user exporting the data of more than this many different people
# within the window is flagged and the auditors alerted; further exports wait for an auditor.
GRIDGOV_EXPORT_BULK_LIMIT = int(os.environ.get("GRIDGOV_EXPORT_BULK_LIMIT", "10"))
GRIDGOV_EXPORT_BULK_WINDOW_HOURS = float(os.environ.get("GRIDGOV_EXPORT_BULK_WINDOW_HOURS", "24"))
# background exports (issue 12, core/export_jobs.py): above this many rows an export is
# prepared by a worker and downloaded when ready; each user has at most ACTIVE_LIMIT under way;
# a ready file is kept KEEP_HOURS; a job running STALE_MINUTES lost its worker.
GRIDGOV_EXPORT_INLINE_ROWS = int(os.environ.get("GRIDGOV_EXPORT_INLINE_ROWS", "2000"))
# participation (issue 14): working days a department has to answer a resident's suggestion
GRIDGOV_SUGGESTION_ANSWER_DAYS = int(os.environ.get("GRIDGOV_SUGGESTION_ANSWER_DAYS", "10"))
GRIDGOV_EXPORT_ACTIVE_LIMIT = int(os.environ.get("GRIDGOV_EXPORT_ACTIVE_LIMIT", "3"))
GRIDGOV_EXPORT_KEEP_HOURS = float(os.environ.get("GRIDGOV_EXPORT_KEEP_HOURS", "24"))
GRIDGOV_EXPORT_STALE_MINUTES = float(os.environ.get("GRIDGOV_EXPORT_STALE_MINUTES", "120"))
# rights (issue 10): years the register keeps a person's identity after they moved out of the
# area or died, and a dissolved household's address; then `gridgov register_retention`
# anonymises them (register/retention.py).
GRIDGOV_REGISTER_RETENTION_YEARS = {
    "moved_out": int(os.environ.get("GRIDGOV_REGISTER_RETAIN_MOVED_OUT_YEARS", "3")),
    "died": int(os.environ.get("GRIDGOV_REGISTER_RETAIN_DIED_YEARS", "5")),
    "dissolved": int(os.environ.get("GRIDGOV_REGISTER_RETAIN_DISSOLVED_YEARS", "3")),
}

# notify (issue 11): where notifications go besides the app (gridgov.core.notifications.channels):
# adapters with `send(*, address, subject, text)`; an empty value switches the channel off.
GRIDGOV_NOTIFY_CHANNELS = {
    "email": os.environ.get("GRIDGOV_NOTIFY_EMAIL", "gridgov.core.notifications.channels.EmailChannel"),
    # The console SMS only prints: a default in development, never in production, where an
    # SMS marked sent must have gone through a gateway (set GRIDGOV_NOTIFY_SMS to one).
    "sms": os.environ.get("GRIDGOV_NOTIFY_SMS",
                          "gridgov.core.notifications.channels.ConsoleSms" if GRIDGOV_DEVELOPMENT else ""),
}
# Attempts per delivery, and the wait before the first retry (doubling after each failure).
GRIDGOV_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("GRIDGOV_NOTIFY_MAX_ATTEMPTS", "5"))
GRIDGOV_NOTIFY_RETRY_SECONDS = float(os.environ.get("GRIDGOV_NOTIFY_RETRY_SECONDS", "60"))
# Days a delivery record and a read in-app notification are kept; then `gridgov
# notifications_cleanup` (task `cleanup_notifications`) deletes them. Unread ones stay.
GRIDGOV_NOTIFY_RETENTION_DAYS = int(os.environ.get("GRIDGOV_NOTIFY_RETENTION_DAYS", "180"))
# The address of the web app, put before a notification's link in e-mails.
GRIDGOV_SITE_URL = os.environ.get("GRIDGOV_SITE_URL", "")
# Alibaba Cloud SMS (GRIDGOV_NOTIFY_SMS=gridgov.core.notifications.channels.AliyunSms): SendSms
# with an approved sign name and a template whose one variable carries the text.
GRIDGOV_SMS = {
    "ENDPOINT": os.environ.get("GRIDGOV_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
    "ACCESS_KEY_ID": os.environ.get("GRIDGOV_SMS_ACCESS_KEY_ID", ""),
    "ACCESS_KEY_SECRET": os.environ.get("GRIDGOV_SMS_ACCESS_KEY_SECRET", ""),
    "SIGN_NAME": os.environ.get("GRIDGOV_SMS_SIGN_NAME", ""),
    "TEMPLATE_CODE": os.environ.get("GRIDGOV_SMS_TEMPLATE_CODE", ""),
    "TEMPLATE_PARAM": os.environ.get("GRIDGOV_SMS_TEMPLATE_PARAM", "content"),
    "REGION": os.environ.get("GRIDGOV_SMS_REGION", "cn-hangzhou"),
    "TIMEOUT": float(os.environ.get("GRIDGOV_SMS_TIMEOUT", "10")),
}
EMAIL_BACKEND = os.environ.get("GRIDGOV_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

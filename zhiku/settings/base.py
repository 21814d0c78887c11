"""Settings shared by every environment.

Everything that differs between machines is read from the environment here, in one place;
dev, test and production only override what they must.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from zhiku.log import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "zhiku.admin_site.ZhikuAdminConfig",  # django.contrib.admin with the app list kept per kind of user
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "zhiku.apps.AxesConfig",  # django-axes, its app named in Chinese
    "django_ckeditor_5",
    "import_export",
    "csp",
    "simple_history",
    "zhiku",
    "briefs",
    "circulation",
    "clusters",
    "backcatalogue",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # NUL bytes, bad UTF-8, huge integers and malformed admin ids: 400/404, never a 500.
    "zhiku.middleware.RejectMalformedRequestsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a lockout raised during authentication into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhiku.urls"
WSGI_APPLICATION = "zhiku.wsgi.application"
ASGI_APPLICATION = "zhiku.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# The embedded default is a SQLite file under var/; production sets DATABASE_URL to PostgreSQL.
DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "zhiku.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock when a
    # transaction starts, so two sign-offs queue instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out username+address before the password is checked.
# Then Django's model backend, reading groups and their permissions in one query, cached with the
# role names (zhiku/auth_backends.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "zhiku.auth_backends.ModelBackendWithRoles"]

# --- Content-Security-Policy (django-csp) --------------------------------------------------------
# No inline script anywhere: scripts only from our own origin (the admin's and CKEditor 5's files).
# Inline styles stay allowed: CKEditor 5 and the admin set style attributes from script. Uploaded
# files get a stricter policy of their own (zhiku/media.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

# --- Login throttling (django-axes) -------------------------------------------------------------
# AXES_FAILURE_LIMIT wrong passwords for one username from one address lock that pair out for
# AXES_COOLOFF_MINUTES; a success resets the count; an administrator unlocks early by deleting the
# row in the admin (系统 → 登录锁定).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhiku.auth_backends.lockout_response"  # a Chinese page, status 429
AXES_CLIENT_IP_CALLABLE = "zhiku.auth_backends.client_ip"
# The lockouts are shown by zhiku's own admin (登录锁定, Chinese titles); axes' admin is English.
AXES_ENABLE_ADMIN = False
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept: nothing shows them
# Lockouts are logged as warnings by axes; its start-up banner and per-reset lines are noise.
AXES_VERBOSE = False
# Proxies in front of the app that append to X-Forwarded-For (0: REMOTE_ADDR is the client).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Every app, zhiku included, keeps its zh_Hans catalogue in <app>/locale (scripts/messages.sh),
# which Django finds through INSTALLED_APPS; there is no project-wide catalogue folder.
LOCALE_PATHS: list = []

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads into the rich-text body: images only, checked by content, this many bytes at most.
RICHTEXT_IMAGE_MAX_BYTES = int(os.environ.get("RICHTEXT_IMAGE_MAX_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Recipient imports: refused before parsing above this size or row count; an XLSX whose zip parts
# inflate beyond the last figure is refused before it is opened.
CIRCULATION_IMPORT_MAX_BYTES = int(os.environ.get("CIRCULATION_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
CIRCULATION_IMPORT_MAX_ROWS = int(os.environ.get("CIRCULATION_IMPORT_MAX_ROWS", "20000"))
CIRCULATION_IMPORT_MAX_INFLATED_BYTES = int(
    os.environ.get("CIRCULATION_IMPORT_MAX_INFLATED_BYTES", str(64 * 1024 * 1024))
)
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhiku@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people reach the site; the links in workflow emails start with it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGIN_URL = "admin:login"

# --- Rich text --------------------------------------------------------------------------------
# The toolbar and the sanitiser allowlist (zhiku/sanitizer.py) must match: what the editor can
# make, the server keeps; anything else is stripped.
CKEDITOR_5_CONFIGS = {
    "default": {
        "language": "zh-cn",
        "toolbar": {
            "items": [
                "heading",
                "|",
                "bold",
                "italic",
                "underline",
                "|",
                "bulletedList",
                "numberedList",
                "|",
                "insertTable",
                "imageUpload",
                "|",
                "undo",
                "redo",
            ],
            "shouldNotGroupWhenFull": True,
        },
        "heading": {
            "options": [
                {"model": "paragraph", "title": "正文", "class": "ck-heading_paragraph"},
                {"model": "heading2", "view": "h2", "title": "一级标题（一、）", "class": "ck-heading_heading2"},
                {"model": "heading3", "view": "h3", "title": "二级标题（（一））", "class": "ck-heading_heading3"},
                {"model": "heading4", "view": "h4", "title": "三级标题（1.）", "class": "ck-heading_heading4"},
            ]
        },
        "table": {"contentToolbar": ["tableColumn", "tableRow", "mergeTableCells"]},
        "image": {"toolbar": ["imageTextAlternative"]},
        "wordCount": {"displayWords": False, "displayCharacters": True},
    },
}
CKEDITOR_5_FILE_UPLOAD_PERMISSION = "staff"
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpg", "jpeg", "png", "gif", "webp"]
CKEDITOR_5_MAX_FILE_SIZE = max(1, RICHTEXT_IMAGE_MAX_BYTES // (1024 * 1024))
CKEDITOR_5_USER_LANGUAGE = False

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# --- Printing ---------------------------------------------------------------------------------
# Font stacks, first installed wins: licensed office fonts first, free Debian fonts last.
ZHIKU_FONTS = {
    "body": ["FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "LXGW WenKai", "Noto Serif CJK SC"],
    "title": ["FZXiaoBiaoSong-B05S", "方正小标宋简体", "Noto Serif CJK SC"],
    "heading": ["SimHei", "黑体", "Noto Sans CJK SC"],
    "kai": ["KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体", "LXGW WenKai", "Noto Serif CJK SC"],
}

# --- Serving: cache, sessions, jobs, logs, media storage ------------------------------------------
# Request id first, so every later middleware's log lines carry it.
MIDDLEWARE = ["zhiku.request_id.RequestIdMiddleware", *MIDDLEWARE]

# Redis (REDIS_URL) holds the cache and the sessions, so several app servers share both; without
# it each process keeps its own memory cache and sessions stay in the database.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "zhiku"),
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What is kept in the cache until a write makes it stale (the archive search's ranked results,
# clusters/search_cache.py; 待我处理 on the index, briefs/waiting.py) is kept only when every process
# shares the cache: in a per-process memory cache, a write made through one worker could not reach
# what another worker keeps.
SHARED_CACHE = bool(REDIS_URL)

# Background jobs (jobs/): Celery when a broker is configured, in-process otherwise, so `make run`
# and the tests run the same jobs without one. Results live in jobs.Job rows, not in Celery.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-job leaves it to be redelivered (jobs are idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING (JSON in production)
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "4"))
JOBS_RETRY_DELAY_SECONDS = int(os.environ.get("JOBS_RETRY_DELAY_SECONDS", "30"))
# `manage.py purge_jobs` deletes jobs (and the files they wrote) that finished longer ago than this.
JOBS_KEEP_DAYS = int(os.environ.get("JOBS_KEEP_DAYS", "30"))
# Above these sizes an import or an export runs as a background job with a progress page.
RECIPIENTS_IMPORT_JOB_ROWS = int(os.environ.get("RECIPIENTS_IMPORT_JOB_ROWS", "300"))
EXPORT_JOB_ROWS = int(os.environ.get("EXPORT_JOB_ROWS", "2000"))
BACKCATALOGUE_IMPORT_JOB_FILES = int(os.environ.get("BACKCATALOGUE_IMPORT_JOB_FILES", "5"))
# An issue's admin page is kept per user until something it shows is written (briefs/issue_page.py):
# at most this long.
ISSUE_PAGE_CACHE_SECONDS = int(os.environ.get("ISSUE_PAGE_CACHE_SECONDS", "3600"))
# A draft's PDF and Word file are cached by the hash of the document they print
# (briefs/rendering/draft_cache.py): kept a day at most, none above this size.
DRAFT_OUTPUT_CACHE_SECONDS = int(os.environ.get("DRAFT_OUTPUT_CACHE_SECONDS", str(24 * 3600)))
DRAFT_OUTPUT_CACHE_MAX_BYTES = int(os.environ.get("DRAFT_OUTPUT_CACHE_MAX_BYTES", str(20 * 1024 * 1024)))

# Media on a local folder by default; MEDIA_STORAGE=s3 puts it on S3-compatible storage through
# django-storages (AWS_* variables, boto3 installed; see docs/deploy.md).
if os.environ.get("MEDIA_STORAGE", "local") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "querystring_auth": True,  # links expire: files are never public
            "file_overwrite": False,
        },
    }
# Files a view has permitted are sent by nginx (X-Accel-Redirect into this internal location)
# when set, e.g. "/protected-media/"; empty: Django streams them (zhiku/media.py).
MEDIA_ACCEL_REDIRECT_PREFIX = os.environ.get("MEDIA_ACCEL_REDIRECT_PREFIX", "")

# /healthz reports the disk unhealthy below this much free space in MEDIA_ROOT.
HEALTHZ_MIN_FREE_BYTES = int(os.environ.get("HEALTHZ_MIN_FREE_BYTES", str(256 * 1024 * 1024)))

# Backups (manage.py backup): where archives go.
BACKUP_ROOT = Path(os.environ.get("BACKUP_ROOT", BASE_DIR / "var" / "backups"))

# Logs on stdout: LOG_FORMAT=json gives one JSON object per line with the request id.
LOGGING = logging_config(level=os.environ.get("LOG_LEVEL", "INFO"), fmt=os.environ.get("LOG_FORMAT", "plain"))

"""Django settings for newsdesk, read from the environment through ``config.SETTINGS``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from newsdesk.site import config

_env = config.read_all()

DATA_DIR = Path(str(_env["NEWSDESK_DATA_DIR"])).expanduser().resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
THEME_DIR = DATA_DIR / "theme"

SECRET_KEY = str(_env["NEWSDESK_SECRET_KEY"]) or config.secret_key_from(DATA_DIR)
DEBUG = bool(_env["NEWSDESK_DEBUG"])
ALLOWED_HOSTS = list(_env["NEWSDESK_ALLOWED_HOSTS"])  # type: ignore[call-overload]

NEWSDESK = {
    "FETCH_CONCURRENCY": _env["NEWSDESK_FETCH_CONCURRENCY"],
    "USER_AGENT": _env["NEWSDESK_USER_AGENT"],
    "MAX_BODY_BYTES": _env["NEWSDESK_MAX_BODY_BYTES"],
    "POLL_INTERVAL_MINUTES": _env["NEWSDESK_POLL_INTERVAL"],
    "SITE_NAME": _env["NEWSDESK_SITE_NAME"],
    "SITE_TAGLINE": _env["NEWSDESK_SITE_TAGLINE"],
    "SITE_LOGO": _env["NEWSDESK_SITE_LOGO"],
    "COMMENT_MODERATION": _env["NEWSDESK_COMMENT_MODERATION"],
    "TRUSTED_PROXY": _env["NEWSDESK_TRUSTED_PROXY"],
    "TRUSTED_PROXY_COUNT": _env["NEWSDESK_TRUSTED_PROXY_COUNT"],
    "COPY_WINDOW_DAYS": _env["NEWSDESK_COPY_WINDOW_DAYS"],
    "ENTITIES": _env["NEWSDESK_ENTITIES"],
    "IMAGES": _env["NEWSDESK_IMAGES"],
    "IMAGE_MAX_BYTES": _env["NEWSDESK_IMAGE_MAX_BYTES"],
    "IMAGE_MAX_PIXELS": _env["NEWSDESK_IMAGE_MAX_PIXELS"],
    "IMAGES_PER_ARTICLE": _env["NEWSDESK_IMAGES_PER_ARTICLE"],
    "PAGE_CACHE_MB": _env["NEWSDESK_PAGE_CACHE_MB"],
    "PROXY_CACHE_SECONDS": _env["NEWSDESK_PROXY_CACHE_SECONDS"],
    "KEEP_ARTICLES_DAYS": _env["NEWSDESK_KEEP_ARTICLES_DAYS"],
    "KEEP_RAW_PAGES_DAYS": _env["NEWSDESK_KEEP_RAW_PAGES_DAYS"],
    "KEEP_DISCUSSED": _env["NEWSDESK_KEEP_DISCUSSED"],
    "KEEP_EDITED": _env["NEWSDESK_KEEP_EDITED"],
    "BROKER_URL": _env["NEWSDESK_BROKER_URL"],
    "QUEUE": _env["NEWSDESK_QUEUE"],
    "REDELIVER_SECONDS": _env["NEWSDESK_REDELIVER_SECONDS"],
    "TASK_ATTEMPTS": _env["NEWSDESK_TASK_ATTEMPTS"],
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "newsdesk.site",
    "newsdesk.site.sources",
    "newsdesk.site.articles",
    "newsdesk.site.comments",
    "newsdesk.site.entities",
    "newsdesk.site.images",
    "newsdesk.site.workers",
    "axes",
]

MIDDLEWARE = [
    # Outermost: it stores cached pages with every header the others add, and compresses responses
    # (cached pages once, when stored; see newsdesk.site.pagecache).
    "newsdesk.site.pagecache.middleware.PageCacheMiddleware",
    "newsdesk.site.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before the middleware that set cookies, so that it sees their cookies on the way out.
    "newsdesk.site.middleware.SecureCookiesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsdesk.site.urls"
WSGI_APPLICATION = "newsdesk.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # An operator's theme folder comes first, so its templates override the built-in ones.
        "DIRS": [THEME_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsdesk.site.context_processors.site",
            ],
        },
    },
]

_sqlite_path = DATA_DIR / "newsdesk.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        str(_env["NEWSDESK_DATABASE_URL"]) or f"sqlite:///{_sqlite_path}", conn_max_age=60,
        # A kept connection the server dropped meanwhile (a restart, a proxy's idle cut) is
        # found out before it is used, not by a failing query.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each request thread keeps its connection: opening one (and setting up full-text search)
    # costs about a millisecond, a fifth of a page's render.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the site read while the poller writes; IMMEDIATE avoids lock upgrades failing
        # half-way through a transaction when several threads write.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-newsdesk.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [THEME_DIR / "static"] if (THEME_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Files in the data directory: shared by every server process and command, with nothing to set up.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

# No inline script anywhere. Pictures are the site's own copies, except one that could not be
# stored, which is shown from the outlet's address: img-src still allows http(s).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "https:", "http:", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Django's admin sets a few style attributes inline; scripts stay external there too.
SECURE_CSP_PATH_OVERRIDES = {"/admin/": {"style-src": ["'self'", "'unsafe-inline'"]}}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# HSTS is sent only on requests that arrived over https (directly, or as the trusted proxy's
# X-Forwarded-Proto says); SecureCookiesMiddleware marks those responses' cookies Secure.
SECURE_HSTS_SECONDS = int(_env["NEWSDESK_HSTS_SECONDS"])  # type: ignore[call-overload]
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
# Forms posted from the site's own names over http or https pass the CSRF origin check, also when
# a proxy in front terminates TLS.
CSRF_TRUSTED_ORIGINS = config.trusted_origins(ALLOWED_HOSTS)

# Admin logins: django-axes counts failures per address and, separately, per account; the address
# is REMOTE_ADDR, which waitress takes from X-Forwarded-For only for the trusted proxy.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = int(_env["NEWSDESK_LOGIN_ATTEMPTS"]) > 0  # type: ignore[call-overload]
AXES_FAILURE_LIMIT = max(1, int(_env["NEWSDESK_LOGIN_ATTEMPTS"]))  # type: ignore[call-overload]
AXES_COOLOFF_TIME = timedelta(minutes=int(_env["NEWSDESK_LOGIN_LOCKOUT_MINUTES"]))  # type: ignore[call-overload]
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "newsdesk.site.middleware.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "newsdesk": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}

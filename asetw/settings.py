"""Settings of the ASeT-W portal, read from the environment (see README, "Configuration").

Without any variable set, the portal runs embedded: SQLite, Celery tasks in-process and e-mail
written to files. ``DATABASE_URL``, ``REDIS_URL`` and ``EMAIL_URL`` switch to PostgreSQL,
Redis/Celery and SMTP.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from asetw.env import email_settings_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "core.admin_apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "core",
    "accounts",
    "members",
    "adhesions",
    "thematic_groups",
    "reporting",
    "community",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.session_security.SessionTimeoutMiddleware",
    "core.security_headers.NoStoreForSignedInMiddleware",
    "accounts.security_log.SecurityLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.language.PreferredLanguageMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
]

ROOT_URLCONF = "asetw.urls"
WSGI_APPLICATION = "asetw.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not understood: {exc}") from exc
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, tasks --------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS_IN_PROCESS = not env_str("CELERY_BROKER_URL", REDIS_URL)
# With no broker the same task code runs in-process, right after the transaction commits.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL) or "memory://"
CELERY_TASK_ALWAYS_EAGER = TASKS_IN_PROCESS
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "asetw")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/Brussels"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "core.outbox.sweep", "schedule": 60.0},
    "outbox-purge-sensitive-bodies": {"task": "core.outbox.purge", "schedule": crontab(minute=17, hour=3)},
    "gt-assignment-deadline-reminders": {
        "task": "thematic_groups.assignment_deadline_reminders",
        "schedule": crontab(minute=5, hour="7-18"),
    },
    "gt-seat-offers-expire": {"task": "thematic_groups.seat_offers_expire", "schedule": crontab(minute=10, hour=1)},
    "gt-removals-apply": {"task": "thematic_groups.removals_apply", "schedule": crontab(minute=20, hour=1)},
    "gt-session-reminders": {"task": "thematic_groups.session_reminders", "schedule": crontab(minute=0)},
    "members-withdrawals-apply": {"task": "members.withdrawals_apply", "schedule": crontab(minute=5, hour=0)},
    "reporting-reminders": {"task": "reporting.report_reminders", "schedule": crontab(minute=30, hour=8)},
    "community-digests": {"task": "community.send_digests", "schedule": crontab(minute=0, hour=7)},
    "community-event-reminders": {"task": "community.event_reminders", "schedule": crontab(minute=15)},
    "privacy-data-exports-expire": {"task": "accounts.data_exports_expire", "schedule": crontab(minute=40, hour=2)},
    "privacy-retention": {"task": "accounts.retention_apply", "schedule": crontab(minute=50, hour=2)},
}

# --- E-mail -------------------------------------------------------------------------------------
globals().update(email_settings_from_url(env_str("EMAIL_URL"), file_path=VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ASeT-W <noreply@asetw.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30, minimum=1)
OUTBOX_STALE_SECONDS = env_int("OUTBOX_STALE_SECONDS", 120, minimum=1)
OUTBOX_SENSITIVE_RETENTION_DAYS = env_int("OUTBOX_SENSITIVE_RETENTION_DAYS", 7, minimum=0)

# --- Adhesions ----------------------------------------------------------------------------------
# Comma-separated paths of the PEM or DER root certificates that signed adhesion PDFs must chain to
# (e.g. the Belgium Root CAs for eID signatures). Empty: signatures are checked but never "trusted".
ADHESION_TRUST_ROOTS = env_list("ADHESION_TRUST_ROOTS", [])
# How long an e-mailed signing link stays valid. A new link can be sent at any time.
ADHESION_SIGNATURE_LINK_DAYS = env_int("ADHESION_SIGNATURE_LINK_DAYS", 14)

# --- Reporting ----------------------------------------------------------------------------------
# Below this many reports handed in, a view with members who did not consent to be cited shows no detailed
# figures: with one or two reports, "anonymised" figures would point at a member (art 8).
REPORTING_MIN_REPORTS = env_int("REPORTING_MIN_REPORTS", 3, minimum=1)

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Personal data (accounts.privacy; README "Personal data and retention"). The controller is the Region's
# service named by the adhesion form's GDPR notice; the contact is the alliance's official address.
PRIVACY_CONTROLLER_NAME = env_str(
    "PRIVACY_CONTROLLER_NAME",
    "Service public de Wallonie — Secrétariat général, Direction du Développement durable, "
    "Boulevard Ernest Mélot 50, 5000 Namur",
)
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", "alliancesante.durable@spw.wallonie.be")
# How long a person's "my data" file can be downloaded.
PRIVACY_EXPORT_DAYS = env_int("PRIVACY_EXPORT_DAYS", 7, minimum=1)
# The people of an organisation that left the alliance are anonymised this long after the withdrawal took
# effect: three years covers the end of the 2026-2029 initiative and its final evaluation for late leavers.
PRIVACY_RETENTION_DAYS_AFTER_WITHDRAWAL = env_int("PRIVACY_RETENTION_DAYS_AFTER_WITHDRAWAL", 3 * 365, minimum=30)
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.RoleModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
USERSESSIONS_ADAPTER = "accounts.adapter.UserSessionsAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ASeT-W] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_SESSION_REMEMBER = False
# Managing e-mail addresses and the second factor asks for the password again unless it was typed in the
# last ACCOUNT_REAUTHENTICATION_TIMEOUT seconds; changing the password asks for the current one.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("ACCOUNT_REAUTHENTICATION_TIMEOUT", 300, minimum=30)
# Brute-force limits, counted in the cache (Redis in production): "<count>/<period>/<per ip|key|user>".
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Failed sign-ins: per client address, and per typed e-mail address over 15 minutes.
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "10/m/ip",
    "reset_password": "10/m/ip,3/15m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
}
MFA_RATE_LIMITS = {"webauthn_login": "10/m/ip"}
# Client addresses for rate limits and the security log: REMOTE_ADDR unless the portal runs behind
# TRUSTED_PROXY_COUNT reverse proxies of its own, in which case the address that the outermost one
# appended to X-Forwarded-For is used. Addresses a client writes into the header itself are never trusted.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# Sign-ins end after SESSION_IDLE_TIMEOUT seconds without activity and SESSION_ABSOLUTE_TIMEOUT seconds
# after signing in, whichever comes first (accounts.session_security).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 8 * 3600, minimum=300)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ASeT-W"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("nl", "Nederlands"), ("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "asetw_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# No MEDIA_URL on purpose: uploaded files are only served by views that check access.
# Largest accepted upload (core.uploads); the reverse proxy must allow at least as much.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1)

# --- Security -------------------------------------------------------------------------------------
# Production-like unless DEBUG: HTTPS only, strict cookies. SECURE_COOKIES=0 allows plain HTTP on a
# trusted network (for a local demo without DEBUG).
SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
# The __Host- prefix pins cookies to this exact host over HTTPS; browsers refuse it on plain HTTP.
SESSION_COOKIE_NAME = "__Host-asetw_session" if SECURE else "asetw_session"
CSRF_COOKIE_NAME = "__Host-asetw_csrf" if SECURE else "asetw_csrf"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SECURE else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Sent by core.security_headers on every response without a policy of its own; script-src and style-src
# also get a per-response nonce ({{ request.csp_nonce }}). No inline code, no plug-ins, no framing.
# img-src allows data: for the QR code of the authenticator set-up and Bootstrap's inline SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "utc": {
            "()": "core.log_format.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "filters": {"hide_secrets_in_paths": {"()": "core.log_format.HideSecretsInPaths"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["hide_secrets_in_paths"]},
        "security_console": {"class": "logging.StreamHandler", "formatter": "utc"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each rendering step at INFO: noise for operators.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Sign-ins, failures, refusals (accounts.security_log), time-stamped in UTC.
        "asetw.security": {"handlers": ["security_console"], "level": "INFO", "propagate": False},
    },
}

PORTAL_NAME = _("ASeT-W — Alliance Santé en Transition en Wallonie")
COORDINATION_EMAIL = env_str("COORDINATION_EMAIL", "alliancesante.durable@spw.wallonie.be")
# Thematic groups: how long an organisation has to answer a freed seat, and when the one-month
# assignment deadline (art 4bis.2) reminds the coordination.
GT_SEAT_OFFER_DAYS = env_int("GT_SEAT_OFFER_DAYS", 14)
GT_ASSIGNMENT_REMINDER_DAYS_LEFT = env_int("GT_ASSIGNMENT_REMINDER_DAYS_LEFT", 7)
# Repeated unjustified absences (annex 1 §4) that alert the coordination and the pilot.
GT_UNJUSTIFIED_IN_A_ROW = env_int("GT_UNJUSTIFIED_IN_A_ROW", 2, minimum=1)
GT_UNJUSTIFIED_TOTAL = env_int("GT_UNJUSTIFIED_TOTAL", 3, minimum=1)
MFA_ADAPTER = "accounts.adapter.MFAAdapter"

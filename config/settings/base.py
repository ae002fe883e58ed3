"""Settings shared by every environment. Values come from environment variables."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DIGILEAP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "digileap.core",
    "digileap.accounts",
    "digileap.schools",
    "digileap.devices",
    "digileap.programmes",
    "digileap.allocation",
    "digileap.funding",
    "digileap.connectivity",
    "digileap.training",
    "digileap.privacy",
    "digileap.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "digileap.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "digileap.core.middleware.IdleSessionMiddleware",
    "digileap.accounts.otp.SecondFactorMiddleware",
    "digileap.core.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Limits (digileap/core/limits.py): a body too large is refused on Content-Length; a number
    # beyond 64 bits in a filter or a path is a 400 or a 404, never a 500.
    "digileap.core.limits.RequestSizeLimitMiddleware",
    "digileap.core.limits.IntegerOverflowMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "digileap" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "digileap.core.context_processors.navigation",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'digileap.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while a worker writes; IMMEDIATE avoids lock upgrades failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Internationalisation: the five languages of the programmes Digileap was built for.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("de", _("German")),
    ("lv", _("Latvian")),
]
# The second path only holds Latvian month names in the locative for dates (config/formats/lv).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "config" / "formats" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "digileap" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads up to 2 MB stay in memory; larger ones are written to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_FILE_BYTES = int(os.environ.get("IMPORT_MAX_FILE_BYTES", str(500 * 1024 * 1024)))
DIGILEAP_UPLOAD_MAX_BYTES = int(os.environ.get("DIGILEAP_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# A running background job without a heartbeat for this long lost its worker and is marked failed.
DIGILEAP_JOB_STALE_MINUTES = float(os.environ.get("DIGILEAP_JOB_STALE_MINUTES", "10"))

# The address people reach the installation at, for links in e-mails sent by background jobs
# (no request to take it from), e.g. "https://digileap.example.org". Empty: links are paths.
DIGILEAP_BASE_URL = os.environ.get("DIGILEAP_BASE_URL", "")

# Outgoing e-mail (invitations, reminders, notices to administrators): an SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "digileap@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Funding deadlines (decisions, claims, proof of use) are reminded this many days before.
DIGILEAP_FUNDING_REMINDER_DAYS = [
    int(days) for days in os.environ.get("DIGILEAP_FUNDING_REMINDER_DAYS", "30,7,1").split(",") if days.strip()
]

# Connectivity (docs/connectivity.md). The browser speed test talks ndt7 (M-Lab's open protocol) to
# this installation's own endpoint (/ndt/v7/, served by the ASGI application) unless an external
# ndt-server is named here ("ndt.example.org" or "ndt.example.org:4443"); its origin is then allowed
# by the CSP. Abuse limits: tests per link and per network an hour, bytes per test, link lifetime.
DIGILEAP_SPEEDTEST_SERVER = os.environ.get("DIGILEAP_SPEEDTEST_SERVER", "")
DIGILEAP_SPEEDTEST_LINK_DAYS = int(os.environ.get("DIGILEAP_SPEEDTEST_LINK_DAYS", "90"))
DIGILEAP_SPEEDTEST_TESTS_PER_LINK_HOUR = int(os.environ.get("DIGILEAP_SPEEDTEST_TESTS_PER_LINK_HOUR", "6"))
DIGILEAP_SPEEDTEST_TESTS_PER_NETWORK_HOUR = int(os.environ.get("DIGILEAP_SPEEDTEST_TESTS_PER_NETWORK_HOUR", "60"))
DIGILEAP_SPEEDTEST_MAX_BYTES = int(os.environ.get("DIGILEAP_SPEEDTEST_MAX_BYTES", str(2_000_000_000)))
# Raw measurement rows are deleted after this many days (purge_measurements); the daily summaries stay.
# Teacher training: whether staff records keep names (off: a staff reference only), the smallest
# group whose self-assessment results are shown, how long an invitation link lasts, and the key
# that signs Open Badges (Ed25519, PEM; empty: an unsigned credential).
DIGILEAP_TRAINING_STAFF_NAMES = env_bool("DIGILEAP_TRAINING_STAFF_NAMES", False)
DIGILEAP_TRAINING_MIN_GROUP = int(os.environ.get("DIGILEAP_TRAINING_MIN_GROUP", "10"))
DIGILEAP_TRAINING_FRAMEWORK_MAX_BYTES = int(
    os.environ.get("DIGILEAP_TRAINING_FRAMEWORK_MAX_BYTES", str(5 * 1024 * 1024))
)
DIGILEAP_TRAINING_INVITATION_DAYS = int(os.environ.get("DIGILEAP_TRAINING_INVITATION_DAYS", "30"))
# How long an invitation to Digileap (the People pages) is valid.
DIGILEAP_INVITATION_DAYS = int(os.environ.get("DIGILEAP_INVITATION_DAYS", "14"))
DIGILEAP_BADGE_SIGNING_KEY = os.environ.get("DIGILEAP_BADGE_SIGNING_KEY", "")
# Retention per kind of record, applied by `manage.py apply_retention` (docs/privacy.md). Each value
# can be set by its environment variable, DIGILEAP_RETENTION_<KEY in capitals>.
DIGILEAP_RETENTION = {
    key: int(os.environ.get(f"DIGILEAP_RETENTION_{key.upper()}", default))
    for key, default in {
        "pupil_records_years_after_last_assignment": 2,
        "pupil_data_access_log_years": 5,
        "sso_failures_days": 90,
        "import_files_days": 30,
    }.items()
}
# Public keys (PEM, separated by blank lines) of earlier signing keys, still published after a rotation.
DIGILEAP_BADGE_PREVIOUS_KEYS = os.environ.get("DIGILEAP_BADGE_PREVIOUS_KEYS", "")

# The audit trail (docs/audit.md): each entry's hash is an HMAC-SHA256 with this secret, which never
# goes into the database; its id is stored on the entry. After a rotation the earlier keys stay here
# for verification, "id:secret,id:secret". Without a key entries get a plain SHA-256 (check --deploy
# reports it). UNKEYED_UNTIL: the id of the last entry made before keys (0 on a new installation);
# a plain entry after it is reported as a rewrite.
DIGILEAP_AUDIT_KEY = os.environ.get("DIGILEAP_AUDIT_KEY", "")
DIGILEAP_AUDIT_KEY_ID = os.environ.get("DIGILEAP_AUDIT_KEY_ID", "k1")
DIGILEAP_AUDIT_PREVIOUS_KEYS = os.environ.get("DIGILEAP_AUDIT_PREVIOUS_KEYS", "")
DIGILEAP_AUDIT_UNKEYED_UNTIL = os.environ.get("DIGILEAP_AUDIT_UNKEYED_UNTIL", "") or None

DIGILEAP_MEASUREMENT_RETENTION_DAYS = int(os.environ.get("DIGILEAP_MEASUREMENT_RETENTION_DAYS", "400"))

# Background tasks: django-tasks with the database backend (no extra server).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["digileap.core.api.permissions.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "digileap.core.api.filters.ScopedFilterBackend",
        "digileap.core.api.filters.StableOrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "digileap.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "digileap.core.api.schema.DigileapAutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
    "EXCEPTION_HANDLER": "digileap.core.api.exceptions.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Digileap API",
    "DESCRIPTION": "School-digitalisation programmes: registry, programmes, allocation, devices.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Blank and null choices are values of their enumeration (spectacular's default, stated).
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": True,
    # Error answers and 64-bit integer parameters on every operation (digileap.core.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "digileap.core.api.schema.postprocess_schema",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AuthorityKindEnum": "digileap.schools.models.Authority.Kind",
        # School.Sector and SchoolOperator.Kind are the same choice set.
        "PublicPrivateEnum": "digileap.schools.models.School.Sector",
        "ChangeRequestKindEnum": "digileap.allocation.models.ChangeRequest.Kind",
        "FundingSourceKindEnum": "digileap.programmes.models.FundingSource.Kind",
        "TargetKindEnum": "digileap.programmes.models.Target.Kind",
        "FundingTransactionKindEnum": "digileap.programmes.models.FundingTransaction.Kind",
        "SchoolRolloutStatusEnum": "digileap.devices.models.SchoolRollout.Status",
        "DeviceStatusEnum": "digileap.devices.models.DeviceStatus",
        "DeviceConditionEnum": "digileap.devices.models.Condition",
        "DiscrepancyEnum": "digileap.devices.models.Device.Discrepancy",
        "PurchaseOrderStatusEnum": "digileap.devices.models.PurchaseOrder.Status",
        "TicketStatusEnum": "digileap.devices.models.Ticket.Status",
        "UserAgreementStatusEnum": "digileap.devices.models.UserAgreement.Status",
        "RecipientKindEnum": "digileap.devices.models.Recipient.Kind",
        "RecipientSourceEnum": "digileap.devices.models.Recipient.Source",
        "ManagementReportSourceEnum": "digileap.devices.models.ManagementReport.Source",
        "ReturnConditionEnum": "digileap.devices.services.assignments.ReturnCondition.choices",
        "KitItemEnum": ["charger", "bag"],
    },
}

DJANGO_TABLES2_TEMPLATE = "core/table.html"

# Security headers. A CSP without inline script; everything is served by the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],  # the speed test's ndt7 download and upload workers
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# The speed test connects to an external ndt-server over TLS websockets if one is named.
if DIGILEAP_SPEEDTEST_SERVER:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"].append(f"wss://{DIGILEAP_SPEEDTEST_SERVER.strip()}")
# The dashboard map (Leaflet, bundled): boundaries from a static GeoJSON the installation may replace;
# background tiles only if it names a tile server ({z}/{x}/{y} URL), whose origin the CSP then allows.
DIGILEAP_MAP_BOUNDARIES = os.environ.get("DIGILEAP_MAP_BOUNDARIES", "vendor/boundaries/europe-50m.geojson")
DIGILEAP_MAP_TILE_URL = os.environ.get("DIGILEAP_MAP_TILE_URL", "")
DIGILEAP_MAP_TILE_ATTRIBUTION = os.environ.get("DIGILEAP_MAP_TILE_ATTRIBUTION", "")
if DIGILEAP_MAP_TILE_URL:
    _tiles = DIGILEAP_MAP_TILE_URL.split("/")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("/".join(_tiles[:3]).replace("{s}", "*"))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# Password guessing (docs/security.md): failed password sign-ins (page and API token endpoint) are
# counted per user name and address, and per address alone, each with its own limit; either lock
# pauses sign-in from that address for AXES_COOLOFF_TIME. Sign-ins without a password (SSO) are not
# counted here: digileap.accounts.sso_lockout counts them per identity.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
DIGILEAP_ADDRESS_FAILURE_LIMIT = int(os.environ.get("DIGILEAP_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "digileap.accounts.lockout.DigileapAxesHandler"
AXES_WHITELIST_CALLABLE = "digileap.accounts.lockout.is_not_a_password_attempt"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Sessions end after this many hours without a request (0: never); see IdleSessionMiddleware.
DIGILEAP_SESSION_IDLE_HOURS = int(os.environ.get("DIGILEAP_SESSION_IDLE_HOURS", "8"))
# Second factor (TOTP): roles that must set one up (administrator, programme_owner; empty: optional).
DIGILEAP_REQUIRE_TOTP_FOR = env_list("DIGILEAP_REQUIRE_TOTP_FOR")
OTP_TOTP_ISSUER = "Digileap"
# /api/schema/ and /api/docs/ need a sign-in unless this is on. /healthz tells its details (database,
# vendor) to signed-in administrators and to callers sending this token as X-Healthz-Token.
DIGILEAP_API_DOCS_PUBLIC = env_bool("DIGILEAP_API_DOCS_PUBLIC", False)
DIGILEAP_HEALTHZ_TOKEN = os.environ.get("DIGILEAP_HEALTHZ_TOKEN", "")

# Optional OpenID Connect single sign-on (ministries have identity providers): docs/sso.md.
OIDC_ENABLED = bool(os.environ.get("OIDC_RP_CLIENT_ID"))
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(1, "digileap.accounts.oidc.DigileapOIDCBackend")
    OIDC_RP_CLIENT_ID = os.environ["OIDC_RP_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT") or None
    OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
    # How Digileap authenticates at the token endpoint: client_secret_post or client_secret_basic.
    OIDC_TOKEN_USE_BASIC_AUTH = os.environ.get("OIDC_TOKEN_AUTH_METHOD", "client_secret_post") == "client_secret_basic"
    OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
    OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", "10"))  # seconds, per call to the provider
    OIDC_STORE_ID_TOKEN = True  # the id_token_hint of single logout
    OIDC_CALLBACK_CLASS = "digileap.accounts.sso_views.SingleSignOnCallbackView"
    # Only users that an administrator created, or whose groups give a role, may sign in through OIDC.
    OIDC_CREATE_USER = env_bool("OIDC_CREATE_USER", False)
    # Single logout: signing out of Digileap signs out at the provider too (its end_session_endpoint).
    OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
    if OIDC_OP_LOGOUT_ENDPOINT and env_bool("DIGILEAP_SSO_SINGLE_LOGOUT", True):
        OIDC_OP_LOGOUT_URL_METHOD = "digileap.accounts.sso_views.provider_logout_url"
        # The sign-out form's redirect goes to the provider: the CSP's form-action must allow its origin.
        _logout = urlsplit(OIDC_OP_LOGOUT_ENDPOINT)
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_logout.scheme}://{_logout.netloc}")
# Claims and groups to roles and scopes (JSON, or a JSON file's path), e-mail domains to authorities.
DIGILEAP_SSO_ROLE_MAP = os.environ.get("DIGILEAP_SSO_ROLE_MAP", "")
DIGILEAP_SSO_GROUPS_CLAIM = os.environ.get("DIGILEAP_SSO_GROUPS_CLAIM", "groups")
DIGILEAP_SSO_AUTHORITY_BY_DOMAIN = os.environ.get("DIGILEAP_SSO_AUTHORITY_BY_DOMAIN", "")
# Accept a provider that does not send email_verified at all (a false value always refuses).
DIGILEAP_SSO_TRUST_UNSTATED_EMAIL = env_bool("DIGILEAP_SSO_TRUST_UNSTATED_EMAIL", False)
# Lock-out per identity: this many refused sign-ins within the window lock it for the cool-off (minutes).
DIGILEAP_SSO_LOCKOUT_FAILURES = int(os.environ.get("DIGILEAP_SSO_LOCKOUT_FAILURES", "5"))
DIGILEAP_SSO_LOCKOUT_WINDOW = int(os.environ.get("DIGILEAP_SSO_LOCKOUT_WINDOW", "15"))
DIGILEAP_SSO_LOCKOUT_COOLOFF = int(os.environ.get("DIGILEAP_SSO_LOCKOUT_COOLOFF", "30"))

# Installation switches.
PUPIL_NAMES_ENABLED = env_bool("PUPIL_NAMES_ENABLED", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

"""The one settings module for every environment (STYLE §4.7).

Environments differ only by environment variables, read through `config.env`. Defaults are secure:
DEBUG is off, secrets have no default, and the zero-setup SQLite database and eager tasks exist only
for the demo (`make run` sets DJANGO_DEBUG=true).
"""

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

from .env import ImproperlyConfiguredError, env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfiguredError(
            "SECRET_KEY is not set. Casusoverleg refuses to start without a secret key when "
            "DJANGO_DEBUG is off; set SECRET_KEY to a long random value (see .env.example)."
        )
    # Only a DEBUG process gets a throw-away key: sessions do not survive a restart.
    SECRET_KEY = "insecure-demo-key-only-for-debug-" + str(BASE_DIR)

# Former secret keys, newest first: sessions signed with them stay valid, and encrypted fields
# written under them stay readable until `manage.py rotate_field_keys` re-encrypted them.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Encryption at rest (issue 7, SPEC R-10-4; docs/encryption.md): django-fernet-encrypted-fields
# derives its keys from SECRET_KEY (+ fallbacks) and each of these salt keys; the first encrypts,
# all decrypt. Required when DEBUG is off; only a DEBUG process (demo, tests) gets a fixed one.
SALT_KEY = env.list("FIELD_ENCRYPTION_SALT_KEYS", default=[])
if not SALT_KEY:
    if not DEBUG:
        raise ImproperlyConfiguredError(
            "FIELD_ENCRYPTION_SALT_KEYS is not set. Casusoverleg refuses to start without the "
            "keys of its encrypted fields when DJANGO_DEBUG is off (see docs/encryption.md)."
        )
    SALT_KEY = ["insecure-demo-field-encryption-salt-only-for-debug"]
if not DEBUG and any(len(salt) < 32 for salt in SALT_KEY):
    raise ImproperlyConfiguredError(
        "Every FIELD_ENCRYPTION_SALT_KEYS entry must be a random value of at least 32 characters."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "template_partials",
    "csp",
    "guardian",
    "auditlog",
    "pgtrigger",
    # The portal's second factor (issue 6): TOTP apps and one-time e-mail codes (docs/
    # portal-authentication.md). Professionals are not asked for one by these apps.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_email",
    # Workplace authentication (issue 7, docs/authentication.md): recovery codes for the
    # workplace's TOTP second factor, and login throttling and lockout.
    "django_otp.plugins.otp_static",
    "axes",
    "core",
    "parties",
    "audit",
    "convenant",
    "consent",
    "casusoverleg",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Security headers (issue 7, docs/security.md): no response of the application is cached.
    "core.no_store.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Parents and youths reach no page but the portal's entrance until they passed the second
    # factor; the one place this is enforced (portal/middleware.py).
    "portal.middleware.SecondFactorMiddleware",
    # Issue 7: professionals, FGs and beheerders reach no page but the second step until they
    # passed it (the one place this is enforced for the workplace: parties/middleware.py).
    "parties.middleware.SecondFactorRequiredMiddleware",
    # Professionals reach no case page before accepting the yearly geheimhoudingsverklaring
    # (issue 7, R-11-1); the one place this is enforced (casusoverleg/middleware.py).
    "casusoverleg.middleware.ConfidentialityDeclarationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Issue 7: a session ends SESSION_ABSOLUTE_SECONDS after its login (after messages: the
    # login page says why).
    "parties.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Issue 7: django-axes answers a locked-out login with the lockout page (last, as it asks).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "core.context_processors.navigation",
                # Issue 7: the idle-timeout warning's numbers (templates/base.html).
                "parties.context_processors.session_timeout",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: PostgreSQL in production and CI; SQLite only as the zero-setup demo default.
if DEBUG:
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
else:
    if not env.str("DATABASE_URL", default=""):
        raise ImproperlyConfiguredError(
            "DATABASE_URL is not set (required when DJANGO_DEBUG is off)."
        )
    DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions (STYLE §4.3)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "parties.User"
AUTHENTICATION_BACKENDS = [
    # Issue 7: django-axes first, so a locked-out login is refused before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "parties.backends.UserWithProfileBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Issue 7: NIST SP 800-63B accepts at least 64 characters; far longer only costs the hasher.
    {"NAME": "parties.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]
LOGIN_URL = "login"
# How parents and youths prove who they are at the portal's entrance, before the second factor:
# dotted paths of first-factor providers (portal/auth/providers.py; DigiD can be added as one,
# docs/portal-authentication.md).
PORTAL_AUTHENTICATION_PROVIDERS = env.list(
    "PORTAL_AUTHENTICATION_PROVIDERS", default=["portal.auth.providers.PasswordProvider"]
)
# Days an invitation link to the portal stays valid (the coordinator can send a new one).
PORTAL_INVITATION_DAYS = env.int("PORTAL_INVITATION_DAYS", default=7)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 15 idle minutes (SPEC R-10-1): every request renews the expiry.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Workplace authentication and session hardening (issue 7, docs/authentication.md).
# A session ends this long after its login, however active (ASVS 7.3.2; default 10 hours).
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)
# How long before the idle timeout the "Are you still there?" warning shows (default 2 minutes).
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=2 * 60)
# django-axes: after AXES_FAILURE_LIMIT wrong passwords for one username from one address, that
# pair is locked for AXES_COOLOFF_MINUTES (both logins: the workplace's and the portal's).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "parties.views.locked_out"
# The same client address as the access log (only a trusted proxy's header counts).
AXES_CLIENT_IP_CALLABLE = "audit.middleware.client_ip"
# The attempted username is not written to the application's log (it may be a password).
AXES_VERBOSE = False

# Transport security follows IS_HTTPS, which defaults to "not DEBUG".
IS_HTTPS = env.bool("IS_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = IS_HTTPS
CSRF_COOKIE_SECURE = IS_HTTPS
# Security headers (issue 7, docs/security.md): over HTTPS the cookies carry the `__Host-` prefix,
# so browsers take them only when Secure, for this host and path / (ASVS 3.3.3). No script
# reads the CSRF cookie (htmx gets the token from `hx-headers`), so it is HttpOnly too.
SESSION_COOKIE_NAME = "__Host-sessionid" if IS_HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if IS_HTTPS else "csrftoken"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = IS_HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 63072000 if IS_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_HTTPS
SECURE_HSTS_PRELOAD = IS_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if IS_HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# A strict Content Security Policy: no inline script, no remote origins (django-csp 4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Client address for the access log: only from a header a trusted proxy sets (else REMOTE_ADDR).
AUDIT_TRUSTED_PROXY_HEADER = env.str("AUDIT_TRUSTED_PROXY_HEADER", default="")
# Sealing the logs (audit.sealing, DESIGN invariant 3): events per hash-chained block.
AUDIT_SEAL_BLOCK_SIZE = env.int("AUDIT_SEAL_BLOCK_SIZE", default=10_000)
# How long access events and row history are kept before `manage.py audit_expire` may remove
# them (SPEC R-10-2, §7.3: per the FG's advice, at least five years; Staatscourant 2019-38007).
AUDIT_LOG_RETENTION_DAYS = env.int("AUDIT_LOG_RETENTION_DAYS", default=5 * 366)
# The FG's signals (audit.signal_queries): many different youths in one day, and the working
# hours outside which access is worth a look (local time, from-hour inclusive, to-hour exclusive).
AUDIT_SIGNAL_MANY_YOUTHS = env.int("AUDIT_SIGNAL_MANY_YOUTHS", default=25)
AUDIT_WORKING_HOURS = (
    env.int("AUDIT_WORKING_HOURS_FROM", default=7),
    env.int("AUDIT_WORKING_HOURS_TO", default=19),
)

# Internationalisation: Dutch first, English available.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded documents (signed Toetredingsformulieren) are private: no URL serves this prefix; they
# are only ever returned through permission-checking, audited views.
MEDIA_URL = "/private-media-is-not-served/"

# E-mail: notifications carry links, never personal data (SPEC R-10-3).
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="casusoverleg@localhost")

# The age rules of SPEC §6 as configuration (SPEC §10): organisations read them differently.
AGE_THRESHOLDS = {
    "participates": 12,  # invited directly; under this age the child's view is heard (R-AGE-3)
    "decides_alone": 16,  # consents alone; may object to the parents' presence (Q3)
    "adult": 18,  # parents only as guests with the youth's consent
}
# The largest signed consent form a professional can upload (a scan of a few pages).
CONSENT_FORM_MAX_BYTES = env.int("CONSENT_FORM_MAX_BYTES", default=10 * 1024 * 1024)
# Working days within which adopted minutes reach parents and youth (SPEC R-12-3, default 10).
MINUTES_FAMILY_WORKING_DAYS = env.int("MINUTES_FAMILY_WORKING_DAYS", default=10)
# Days before an action's due date that its owner gets a reminder (issue 3 item 9).
ACTION_REMINDER_DAYS = env.int("ACTION_REMINDER_DAYS", default=3)
# Days after a case is closed that its participants keep reading it (to finish their own
# follow-up); then a beat job takes their grants away. The procesregisseur's party keeps the
# record until its retention period ends (DESIGN invariant 1, SPEC §7.3).
CASE_ACCESS_DAYS_AFTER_CLOSE = env.int("CASE_ACCESS_DAYS_AFTER_CLOSE", default=30)
# Thuiszitterspact: warn when a youth has been without education this many days (R-TYPE-4).
HOME_SITTER_WARNING_DAYS = 90
# The address in links of e-mails and calendar invitations (no request exists in a worker).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Celery: Redis when REDIS_URL is set; without a broker, tasks run eagerly (demo).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Every minute: seal the new access events and row history in hash-chained blocks.
    "audit-seal": {
        "task": "audit.tasks.audit_seal_task",
        "schedule": crontab(minute="*"),
    },
    # Every night: recompute the whole chain; a finding goes to the FGs (link only).
    "audit-verify": {
        "task": "audit.tasks.audit_verify_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Every morning: remind owners of actions that fall due within ACTION_REMINDER_DAYS.
    "action-reminders": {
        "task": "casusoverleg.tasks.action_reminders_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Every night: participants' grants on cases closed CASE_ACCESS_DAYS_AFTER_CLOSE days ago end
    # (idempotent: a case is done once; a missed night is caught up the next).
    "case-access-expiry": {
        "task": "casusoverleg.tasks.case_access_expire_task",
        "schedule": crontab(hour=2, minute=15),
    },
    # Every night: birthdays (16: consents to confirm; 18: parents stop seeing by default) and
    # consents past their end date (idempotent).
    "family-calendar": {
        "task": "casusoverleg.tasks.family_calendar_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # Every morning: remind the handlers of rights requests 7 days and 1 day before the deadline.
    "rights-request-reminders": {
        "task": "consent.tasks.rights_requests_remind_task",
        "schedule": crontab(hour=7, minute=15),
    },
    # Breaches (issue 7): every 15 minutes, warn the FG and the beheerders of a breach that is
    # not reported to the AP 24 hours before its deadline (R-BREACH-3; once per incident).
    "incident-escalation": {
        "task": "convenant.tasks.incidents_escalate_task",
        "schedule": crontab(minute="*/15"),
    },
    # Covenant governance (issue 7): every night, the grants that professionals of a party that
    # left the covenant hold on other parties' cases end (R-19-1; the read rule already hides
    # those cases from the end date on, so this only makes the grants agree; idempotent).
    "departed-party-access": {
        "task": "casusoverleg.tasks.departed_party_access_end_task",
        "schedule": crontab(hour=0, minute=20),
    },
}

# django-guardian: direct foreign-key permission tables; no anonymous user object.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-auditlog: row diffs of every model that holds personal data, in one list (STYLE §4.6).
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "parties.User", "exclude_fields": ["password", "last_login"]},
    "parties.Professional",
    "parties.Youth",
    "parties.Guardian",
    # The yearly geheimhoudingsverklaring (issue 7, R-11-1); append-only, one row per acceptance.
    "parties.ConfidentialityDeclaration",
    "parties.Region",
    "parties.Organisation",
    "convenant.Covenant",
    "convenant.CovenantParty",
    "convenant.LegalBasis",
    "convenant.Purpose",
    "convenant.DataCategory",
    "convenant.ConsultationType",
    "convenant.ConsultationTypeRole",
    "convenant.ChecklistItem",
    "convenant.RetentionRule",
    # Covenant governance (issue 7): the DPIA gate and its review prompts.
    "convenant.DPIARecord",
    "convenant.DPIAEndorsement",
    "convenant.DPIAReviewPrompt",
    # Encrypted fields (core.fields, docs/encryption.md) stay out of every diff: the row history
    # would otherwise keep their plaintext (tests/core/test_encryption.py checks the list).
    {
        "model": "casusoverleg.Case",
        "exclude_fields": [
            "purpose_specification",
            "hearing_note",
            "hearing_not_possible_reason",
        ],
    },
    "casusoverleg.CoordinatorHandover",
    {"model": "casusoverleg.Participant", "exclude_fields": ["not_invited_reason"]},
    "casusoverleg.Meeting",
    # The notice's snapshot is the record itself; its diff would repeat it whole.
    {"model": "casusoverleg.PrivacyNotice", "exclude_fields": ["content"]},
    "casusoverleg.Invitation",
    {"model": "casusoverleg.Attendance", "exclude_fields": ["absence_reason"]},
    "casusoverleg.ChecklistAnswer",
    "casusoverleg.Minutes",
    {"model": "casusoverleg.MinutesEntry", "exclude_fields": ["text"]},
    {"model": "casusoverleg.ActionItem", "exclude_fields": ["description"]},
    {"model": "casusoverleg.Statement", "exclude_fields": ["text"]},
    "casusoverleg.CaseDocument",
    # The content stays out of the diffs: a deleted item must not live on in its history
    # (SPEC R-9-3); the access log records that it changed, and who changed it.
    {
        "model": "casusoverleg.SharedItem",
        "exclude_fields": ["text", "withheld_reason"],
        "m2m_fields": ["recipients"],
    },
    {"model": "consent.Consent", "m2m_fields": ["categories", "recipients"]},
    {"model": "consent.IncapacityJudgement", "exclude_fields": ["reason"]},
    "consent.ParentAccess",
    # The free text of a request may name third parties; the row history keeps the rest.
    {
        "model": "consent.RightsRequest",
        "exclude_fields": ["description", "answer", "extension_reason", "refusal_ground"],
    },
    # Breaches (issue 7): the free text may describe special data of the people concerned; the
    # row history keeps the dates, the risk and who did what (SPEC R-BREACH-1, R-10-3).
    {
        "model": "convenant.Incident",
        "exclude_fields": [
            "description",
            "containment",
            "risk_notes",
            "ap_not_notified_reason",
            "subjects_exception",
        ],
        "m2m_fields": ["affected_parties", "data_categories"],
    },
)
# The proxy header is not trusted by auditlog; the access log takes the address (see AUDIT_*).
AUDITLOG_DISABLE_REMOTE_ADDR = True

# --- Retention (issue 7; docs/retention.md) -------------------------------------------------
# A killed worker's unacknowledged tasks go back to the queue once the broker's visibility
# timeout has passed (Redis transport): it must be longer than the longest task (the hard time
# limit), or a task still running would be delivered a second time. Tasks are idempotent anyway.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
# Records removed per batch; each batch is one task and one transaction.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=200)
# The dry-run report looks this many days ahead (SPEC R-9-1).
RETENTION_REPORT_DAYS = 14
CELERY_BEAT_SCHEDULE.update(
    {
        # Every night: delete or anonymise what has passed its retention period, in batches
        # (each batch its own task; idempotent).
        "retention": {
            "task": "casusoverleg.tasks.retention_task",
            "schedule": crontab(hour=2, minute=45),
        },
        # Every morning: the dry-run report of what becomes due within 14 days, to the
        # beheerders and FGs of each region (a link only; once a day).
        "retention-report": {
            "task": "casusoverleg.tasks.retention_report_task",
            "schedule": crontab(hour=6, minute=45),
        },
    }
)
# Free text stays out of the row history: a record deleted after its retention period must
# not live on in its history's diffs (SPEC R-9-3). The access log records that it changed.
_RETENTION_FREE_TEXT = {
    "casusoverleg.Case": ["purpose_specification", "hearing_note", "hearing_not_possible_reason"],
    "casusoverleg.CoordinatorHandover": ["reason"],
    "casusoverleg.Participant": ["not_invited_reason"],
    "casusoverleg.Meeting": ["agenda", "cancel_reason"],
    "casusoverleg.Attendance": ["absence_reason"],
    "casusoverleg.ChecklistAnswer": ["note"],
    "casusoverleg.MinutesEntry": ["text"],
    "casusoverleg.ActionItem": ["description"],
    "casusoverleg.Statement": ["text"],
    "consent.IncapacityJudgement": ["reason"],
}


def _without_free_text(entry: str | dict[str, object]) -> str | dict[str, object]:
    label = entry if isinstance(entry, str) else str(entry["model"])
    if label not in _RETENTION_FREE_TEXT:
        return entry
    merged = {"model": label} if isinstance(entry, str) else dict(entry)
    excluded = list(merged.get("exclude_fields", []))  # type: ignore[call-overload]
    merged["exclude_fields"] = excluded + _RETENTION_FREE_TEXT[label]
    return merged


AUDITLOG_INCLUDE_TRACKING_MODELS = (
    *(_without_free_text(entry) for entry in AUDITLOG_INCLUDE_TRACKING_MODELS),
    # The hold's reason may name a complaint and its people: kept out of the diffs.
    {"model": "casusoverleg.LegalHold", "exclude_fields": ["reason"]},
    "casusoverleg.RetentionRun",
    {"model": "casusoverleg.RetentionBatch", "exclude_fields": ["record_ids"]},
    "casusoverleg.RetentionRemoval",
)
# --- end retention --------------------------------------------------------------------------

# Application logs (issue 7, docs/security.md "Application logs"): every record passes
# core.log_safety, which escapes line breaks and control characters, redacts secret-named keys
# and withholds exception messages outside DEBUG. Django's own loggers go through the same
# handler (no mail_admins with request details); SQL with its parameters is never logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"safe": {"()": "core.log_safety.SafeLogFilter"}},
    "formatters": {
        "safe": {
            "()": "core.log_safety.SafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["safe"], "formatter": "safe"}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
# The worker keeps this configuration instead of installing its own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Seed_demo refuses to run against a configuration that is not DEBUG unless forced.
DEMO_ALLOWED = DEBUG

"""Encryption at rest of shared content and free text (SPEC R-10-4; docs/encryption.md)."""

import importlib
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from encrypted_fields.fields import EncryptedTextField as LibraryTextField

from casusoverleg.models import ActionItem, MinutesEntry, SharedItem
from consent.models import RightsRequest
from core.fields import DecryptionError, encrypted_fields, looks_like_token, rotate

pytestmark = pytest.mark.django_db

MARKER = "Zorgnotitie-7f3a: ADHD-diagnose, medicatie methylfenidaat"
KEY_B = "salt-key-B-for-tests-fedcba9876543210"
KEY_C = "salt-key-C-for-tests-not-configured-x"

# Every encrypted field, with the reason in docs/encryption.md; a new one is a conscious choice.
EXPECTED = {
    "casusoverleg.Case.purpose_specification",
    "casusoverleg.Case.hearing_note",
    "casusoverleg.Case.hearing_not_possible_reason",
    "casusoverleg.Participant.not_invited_reason",
    "casusoverleg.Attendance.absence_reason",
    "casusoverleg.MinutesEntry.text",
    "casusoverleg.ActionItem.description",
    "casusoverleg.Statement.text",
    "casusoverleg.SharedItem.text",
    "casusoverleg.SharedItem.withheld_reason",
    "consent.IncapacityJudgement.reason",
    "consent.RightsRequest.description",
    "consent.RightsRequest.extension_reason",
    "consent.RightsRequest.refusal_ground",
    "consent.RightsRequest.answer",
    "convenant.Incident.description",
    "convenant.Incident.containment",
    "convenant.Incident.risk_notes",
    "convenant.Incident.ap_not_notified_reason",
    "convenant.Incident.subjects_exception",
}


def _raw(model, pk, column: str) -> str:
    """The value as the database holds it, past the model's field."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def _set_raw(model, pk, column: str, value: str) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


def test_the_encrypted_fields_are_exactly_these():
    """R-10-4: the list of encrypted fields is pinned (docs/encryption.md gives each reason)."""
    found = {f"{model._meta.label}.{field.name}" for model, field in encrypted_fields()}
    assert found == EXPECTED
    documented = (Path(settings.BASE_DIR) / "docs" / "encryption.md").read_text()
    for label in EXPECTED:
        model, field = label.rsplit(".", 1)
        assert f"| {model} | `{field}` |" in documented, label


def test_shared_content_is_ciphertext_in_the_database_and_plaintext_through_the_model(world):
    """R-10-4: the database holds a Fernet token, never the shared text; the model reads it."""
    item = world.shared["health"]
    raw = _raw(SharedItem, item.pk, "text")
    assert "Faalangst" not in raw
    assert looks_like_token(raw)
    assert SharedItem.objects.get(pk=item.pk).text == item.text
    assert SharedItem.objects.filter(pk=item.pk).values_list("text", flat=True)[0] == item.text


def test_every_encrypted_field_is_ciphertext_at_rest(world):
    """R-10-4: a marker written to each encrypted field is found in no column in plaintext."""
    entry = world.meeting.minutes.entries.first()
    entry.text = MARKER
    entry.save()
    request = world.rights_request
    request.description = MARKER
    request.answer = MARKER
    request.save()
    world.action.description = MARKER[:100]
    world.action.save()
    for model, pk, column in [
        (MinutesEntry, entry.pk, "text"),
        (RightsRequest, request.pk, "description"),
        (RightsRequest, request.pk, "answer"),
        (ActionItem, world.action.pk, "description"),
    ]:
        raw = _raw(model, pk, column)
        assert "Zorgnotitie" not in raw, (model, column)
        assert looks_like_token(raw)
    assert RightsRequest.objects.get(pk=request.pk).answer == MARKER


def test_the_row_history_never_holds_an_encrypted_fields_plaintext(world):
    """R-10-4, R-9-3: django-auditlog's diffs leave the encrypted fields out, else the history
    table would keep in plaintext what the row keeps encrypted."""
    for model, field in encrypted_fields():
        options = auditlog.get_model_fields(model)
        assert field.name in options["exclude_fields"], f"{model._meta.label}.{field.name}"
    entry = world.meeting.minutes.entries.first()
    entry.text = MARKER
    entry.save()
    assert not any(
        MARKER in (log.changes_text + str(log.changes)) for log in LogEntry.objects.all()
    )


def test_empty_values_stay_empty_and_constraints_still_hold(world):
    """An empty optional field stays '' (not NULL); the models' `~Q(field="")` constraints work."""
    request = world.rights_request
    assert _raw(RightsRequest, request.pk, "refusal_ground") == ""
    assert RightsRequest.objects.get(pk=request.pk).refusal_ground == ""
    assert RightsRequest.objects.filter(pk=request.pk, refusal_ground="").exists()


@pytest.mark.parametrize("lookup", ["text", "text__icontains", "text__startswith", "text__in"])
def test_a_query_on_encrypted_content_is_refused_loudly(lookup):
    """Fernet tokens are random: a filter on content would silently match nothing, so it fails."""
    value = ["x"] if lookup.endswith("__in") else "Faalangst"
    with pytest.raises(FieldError):
        list(SharedItem.objects.filter(**{lookup: value}))


def test_the_keys_are_the_librarys():
    """A token written by django-fernet-encrypted-fields itself reads back through our field."""
    library_field = LibraryTextField()
    token = library_field.get_prep_value(MARKER)
    ours = SharedItem._meta.get_field("text")
    assert ours.to_python(token) == MARKER


def test_a_wrong_key_fails_loudly_not_silently(world):
    """R-10-4: with no configured key that decrypts a value, reading it raises (no ciphertext
    or empty note shown as if it were the content)."""
    item = world.shared["education"]
    with override_settings(SALT_KEY=[KEY_C]), pytest.raises(DecryptionError) as error:
        SharedItem.objects.get(pk=item.pk)
    assert "AVI" not in str(error.value)


def test_a_missing_key_fails_loudly(world):
    """R-10-4: without any salt key, encrypted fields refuse to work instead of guessing."""
    item = world.shared["education"]
    with override_settings(SALT_KEY=[]), pytest.raises(ImproperlyConfigured):
        SharedItem.objects.get(pk=item.pk)


def test_production_settings_require_the_salt_keys(tmp_path):
    """R-10-4: keys come from the environment: with DEBUG off and no salt keys, no start."""
    from tests.test_settings import _production_environment, _run

    environment = _production_environment(tmp_path)
    del environment["FIELD_ENCRYPTION_SALT_KEYS"]
    result = _run("-c", "import django; django.setup()", **environment)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_SALT_KEYS" in result.stderr


def test_key_rotation_step_by_step(world):
    """R-10-4, docs/encryption.md: values written under key A (the world, and one written just
    now) read after [B, A] is deployed, are rewritten under B by rotate_field_keys, and read
    with B alone once A is removed."""
    key_a = settings.SALT_KEY[0]
    item = world.shared["health"]
    item.text = MARKER
    item.save(update_fields=["text"])
    under_a = _raw(SharedItem, item.pk, "text")
    with override_settings(SALT_KEY=[KEY_B]), pytest.raises(DecryptionError):
        SharedItem.objects.get(pk=item.pk)
    with override_settings(SALT_KEY=[KEY_B, key_a]):
        assert SharedItem.objects.get(pk=item.pk).text == MARKER
        call_command("rotate_field_keys", "--batch-size", "1", stdout=StringIO())
        under_b = _raw(SharedItem, item.pk, "text")
        assert under_b != under_a
        # Idempotent: a second run finds nothing left to rewrite.
        assert sum(result.rewritten for result in rotate()) == 0
        assert _raw(SharedItem, item.pk, "text") == under_b
    with override_settings(SALT_KEY=[KEY_B]):
        assert SharedItem.objects.get(pk=item.pk).text == MARKER
        # Every other encrypted value of the world was rewritten too.
        education = world.shared["education"]
        assert SharedItem.objects.get(pk=education.pk).text == education.text
        request = RightsRequest.objects.get(pk=world.rights_request.pk)
        assert request.description == world.rights_request.description
    with override_settings(SALT_KEY=[key_a]), pytest.raises(DecryptionError):
        SharedItem.objects.get(pk=item.pk)


def test_rotation_to_a_new_secret_key_through_the_fallbacks(world):
    """docs/encryption.md: a new SECRET_KEY with the old one in SECRET_KEY_FALLBACKS reads old
    values; after rotate_field_keys the old secret key can go."""
    item = world.shared["health"]
    old, new = settings.SECRET_KEY, "a-new-secret-key-for-the-rotation-test-0123456789"
    with override_settings(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[old]):
        assert SharedItem.objects.get(pk=item.pk).text == item.text
        call_command("rotate_field_keys", stdout=StringIO())
    with override_settings(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[]):
        assert SharedItem.objects.get(pk=item.pk).text == item.text


def _migration(app: str):
    (path,) = (Path(settings.BASE_DIR) / app / "migrations").glob("*_i7_sec_encrypt_rows.py")
    return importlib.import_module(f"{app}.migrations.{path.stem}")


def test_the_data_migration_encrypts_existing_plaintext_rows(world):
    """R-10-4: rows written before the migration (plaintext) become tokens; running it again
    changes nothing; the reverse gives the plaintext back."""
    item = world.shared["health"]
    request = world.rights_request
    _set_raw(SharedItem, item.pk, "text", "Oude notitie in platte tekst")
    _set_raw(RightsRequest, request.pk, "description", "Oud verzoek in platte tekst")
    editor = SimpleNamespace(connection=connection)

    _migration("casusoverleg").encrypt_existing_rows(apps, editor)
    _migration("consent").encrypt_existing_rows(apps, editor)

    first = _raw(SharedItem, item.pk, "text")
    assert looks_like_token(first)
    assert looks_like_token(_raw(RightsRequest, request.pk, "description"))
    assert SharedItem.objects.get(pk=item.pk).text == "Oude notitie in platte tekst"
    assert RightsRequest.objects.get(pk=request.pk).description == "Oud verzoek in platte tekst"
    _migration("casusoverleg").encrypt_existing_rows(apps, editor)
    assert _raw(SharedItem, item.pk, "text") == first
    _migration("casusoverleg").decrypt_rows(apps, editor)
    assert _raw(SharedItem, item.pk, "text") == "Oude notitie in platte tekst"


@pytest.mark.postgres
def test_encrypted_columns_are_text_on_postgresql():
    """On PostgreSQL the encrypted columns are `text` (a token is longer than the plaintext)."""
    with connection.cursor() as cursor:
        for model, field in encrypted_fields():
            cursor.execute(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = %s AND column_name = %s",
                [model._meta.db_table, field.column],
            )
            assert cursor.fetchone()[0] == "text", f"{model._meta.label}.{field.name}"

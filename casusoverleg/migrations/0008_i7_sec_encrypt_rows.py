"""Issue 7 (docs/encryption.md): encrypt the existing rows of the fields 0007_i7_sec_encrypt made
encrypted. Its own migration: PostgreSQL refuses an ALTER TABLE in a transaction that already
updated the table (deferred foreign-key checks), which the reverse would otherwise do."""

from django.db import migrations

APP = 'casusoverleg'
# The encrypted fields of this app, per model.
ENCRYPTED = {
    'actionitem': ['description'],
    'attendance': ['absence_reason'],
    'case': ['purpose_specification', 'hearing_note', 'hearing_not_possible_reason'],
    'minutesentry': ['text'],
    'participant': ['not_invited_reason'],
    'shareditem': ['text', 'withheld_reason'],
    'statement': ['text'],
}


# The data part (issue 7, docs/encryption.md): existing rows hold plaintext; each non-empty value
# is rewritten as a Fernet token through the (historical) field itself, in batches by primary
# key. Idempotent: a value the field decrypts to something else is a token already. The reverse
# writes the plaintext back before the columns return to their old types. Raw SQL on purpose:
# the rows' other fields, the row history and the timestamps stay as they are.
BATCH = 500


def _rewrite(apps, schema_editor, *, encrypt):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name, names in ENCRYPTED.items():
        model = apps.get_model(APP, model_name)
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        for name in names:
            field = model._meta.get_field(name)
            column = quote(field.column)
            last = None
            while True:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"
                        + (f" AND {pk} > %s" if last is not None else "")
                        + f" ORDER BY {pk} LIMIT {BATCH}",
                        [last] if last is not None else [],
                    )
                    rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                changes = []
                for row_pk, value in rows:
                    if value is None:
                        continue
                    plain = field.to_python(value)
                    if encrypt and plain == value:
                        changes.append((field.get_prep_value(value), row_pk))
                    elif not encrypt and plain != value:
                        changes.append((plain, row_pk))
                if changes:
                    with connection.cursor() as cursor:
                        cursor.executemany(
                            f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", changes
                        )


def encrypt_existing_rows(apps, schema_editor):
    _rewrite(apps, schema_editor, encrypt=True)


def decrypt_rows(apps, schema_editor):
    _rewrite(apps, schema_editor, encrypt=False)


class Migration(migrations.Migration):

    dependencies = [
        ("casusoverleg", "0007_i7_sec_encrypt"),
    ]

    operations = [
        migrations.RunPython(encrypt_existing_rows, decrypt_rows),
    ]

"""Retention rules that connect SPEC R-9-2's triggers to the records the application holds.

The seed of 0002 has the parties' own regimes (shown for information) and the application's
casus_closed, data_deleted and closed rules. These three make the remaining triggers of R-9-2
(meeting_date, last_change, pupil_left_school) act on what was shared in a Casusoverleg
(R-RET-2: the app keeps only that, under the Casusoverleg policy). All are inferred [I]: they
ship with needs_legal_review until the region's FG confirms them (R-RET-1).
"""

from django.db import migrations

RULES = [
    # code, record, owner, owner party type, months, trigger, action, source
    ("casusoverleg-agenda", "Agenda, plaats en reden van afzeggen van een overleg", "Partij van de procesregisseur",
     "", 12, "meeting_date", "anonymise", "Convenant art. 7 en 9 (minimale gegevens) [I]"),
    ("jeugdhulp-in-casusoverleg", "Door jeugdhulp gedeelde gegevens in de applicatie", "Jeugdhulpaanbieder",
     "jeugdhulpaanbieder", 24, "last_change", "delete", "SPEC R-RET-2 (niet het jeugdhulpdossier) [I]"),
    ("school-in-casusoverleg", "Door de school gedeelde gegevens in de applicatie", "School", "schoolbestuur", 24,
     "pupil_left_school", "delete", "SPEC §7.3 (leerlingdossier: 2 jaar na vertrek) [I]"),
]


def load(apps, schema_editor):
    RetentionRule = apps.get_model("convenant", "RetentionRule")
    for code, record, owner, party_type, months, trigger, action, source in RULES:
        RetentionRule.objects.get_or_create(
            code=code,
            defaults={
                "record_type": record, "owner": owner, "owner_party_type": party_type, "period_months": months,
                "trigger": trigger, "action": action, "applies_in_app": True, "needs_legal_review": True,
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("convenant", "0005_i7_gov_governance")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

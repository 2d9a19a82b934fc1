"""Load the Model Privacy Convenant's reference data, exactly as SPEC.md's tables give it.

Rows SPEC tags [I] carry needs_legal_review=True. The data is copied into this migration (no app
imports, STYLE §4.14); tests/convenant/test_seeded_reference_data.py restates SPEC independently and
compares row by row. Idempotent: rows are matched on their code, so re-running changes nothing.
"""

from django.db import migrations

LEGAL_BASES = [
    # code, label, party_type, capacity, data_class, avg_article, statute_reference, requires_consent, enabled, review
    ("school-ordinary", "Schoolbestuur: publieke taak en wettelijke plicht", "schoolbestuur", "onderwijs", "ordinary",
     "6(1)(e) en 6(1)(c)", "WPO art. 40, 40a, 42, 45b en 18a lid 6; WEC en WVO 2020 (gelijke artikelen); Leerplichtwet (verzuimmelding)",
     False, True, True),
    ("school-health", "Schoolbestuur: bijzondere begeleiding of voorzieningen (gezondheid)", "schoolbestuur", "onderwijs",
     "special_health", "9(2)(g)", "UAVG art. 30 lid 2 sub a", False, True, True),
    ("school-health-consent", "Schoolbestuur: uitdrukkelijke toestemming (gezondheid)", "schoolbestuur", "onderwijs",
     "special_health", "9(2)(a)", "AVG art. 9 lid 2 sub a (uitdrukkelijke toestemming)", True, True, False),
    ("swv-ordinary", "Samenwerkingsverband: wettelijke taak passend onderwijs", "swv", "passend_onderwijs", "ordinary",
     "6(1)(e) en 6(1)(c)", "WPO art. 18a lid 13; WVO art. 17a; WEC art. 28a", False, True, False),
    ("swv-health", "Samenwerkingsverband: gezondheidsgegevens nodig voor de wettelijke taak", "swv", "passend_onderwijs",
     "special_health", "9(2)(g)", "WPO art. 18a lid 13; WVO art. 17a; WEC art. 28a", False, True, True),
    ("swv-health-consent", "Samenwerkingsverband: uitdrukkelijke toestemming (gezondheid)", "swv", "passend_onderwijs",
     "special_health", "9(2)(a)", "AVG art. 9 lid 2 sub a (uitdrukkelijke toestemming)", True, True, False),
    ("gemeente-jeugd-ordinary", "Gemeente (Jeugdwet): toegang, wijkteam, jeugdconsulent", "gemeente_college", "jeugd",
     "ordinary", "6(1)(e) en 6(1)(c)", "Jeugdwet hoofdstuk 2 en art. 7.4.0", False, True, True),
    ("gemeente-jeugd-health", "Gemeente (Jeugdwet): bijzondere gegevens voor de taken van het college", "gemeente_college",
     "jeugd", "special_health", "9(2)(g) en 9(2)(h)", "Jeugdwet art. 7.4.0", False, True, True),
    ("leerplicht-ordinary", "Leerplicht: toezicht op de Leerplichtwet", "gemeente_college", "leerplicht", "ordinary",
     "6(1)(c) en 6(1)(e)", "Leerplichtwet 1969 art. 16 (ambtsinstructie art. 16 lid 4)", False, True, False),
    ("leerplicht-health-consent", "Leerplicht: gezondheidsgegevens alleen met uitdrukkelijke toestemming", "gemeente_college",
     "leerplicht", "special_health", "9(2)(a)", "AVG art. 9 lid 2 sub a (uitdrukkelijke toestemming)", True, True, False),
    ("rmc-ordinary", "RMC: voortijdig schoolverlaten (18-23 jaar)", "gemeente_college", "rmc", "ordinary",
     "6(1)(c) en 6(1)(e)", "RMC-bepalingen in WVO, WEC en WEB", False, True, False),
    ("rmc-health-consent", "RMC: gezondheidsgegevens alleen met uitdrukkelijke toestemming", "gemeente_college", "rmc",
     "special_health", "9(2)(a)", "AVG art. 9 lid 2 sub a (uitdrukkelijke toestemming)", True, True, False),
    ("wams-ordinary", "Wams: gecoördineerde aanpak (nog niet in werking)", "gemeente_college", "wams", "ordinary",
     "6(1)(e)", "Wams (wetsvoorstel 36295)", False, False, True),
    ("wams-health", "Wams: bijzondere gegevens gecoördineerde aanpak (nog niet in werking)", "gemeente_college", "wams",
     "special_health", "9(2)(g)", "Wams (wetsvoorstel 36295)", False, False, True),
    ("jeugdhulp-ordinary", "Jeugdhulpaanbieder: dossierplicht; verstrekken alleen met toestemming", "jeugdhulpaanbieder",
     "jeugdhulp", "ordinary", "6(1)(c) en 6(1)(e)", "Jeugdwet art. 7.3.8 en 7.3.11", True, True, False),
    ("jeugdhulp-health", "Jeugdhulpaanbieder: hulpverlening; verstrekken alleen met toestemming", "jeugdhulpaanbieder",
     "jeugdhulp", "special_health", "9(2)(h)", "UAVG art. 30 lid 3 sub a; Jeugdwet art. 7.3.11", True, True, True),
    ("ggz-ordinary", "Jeugd-GGZ / BIG: behandelrelatie; verstrekken alleen met toestemming", "jeugdhulpaanbieder", "ggz",
     "ordinary", "6(1)(c) en 6(1)(e)", "Jeugdwet art. 7.3.8; WGBO (art. 7:446 e.v. BW)", True, True, True),
    ("ggz-health", "Jeugd-GGZ / BIG: gezondheidsgegevens; verstrekken alleen met toestemming", "jeugdhulpaanbieder", "ggz",
     "special_health", "9(2)(h)", "UAVG art. 30 lid 3; WGBO art. 7:457 BW; Wet BIG art. 88; Jeugdwet art. 7.3.11",
     True, True, True),
    ("jgz-ordinary", "JGZ: taak jeugdgezondheidszorg; verstrekken alleen met toestemming", "jgz", "jgz", "ordinary",
     "6(1)(e)", "Wet publieke gezondheid (JGZ-taak)", True, True, True),
    ("jgz-health", "JGZ: medische gegevens; verstrekken alleen met toestemming", "jgz", "jgz", "special_health",
     "9(2)(h)", "UAVG art. 30 lid 3; WGBO", True, True, True),
    ("mbo-ordinary", "MBO-instelling: onderwijsovereenkomst, begeleiding, RMC-melding", "mbo_instelling", "mbo", "ordinary",
     "6(1)(b), 6(1)(c) en 6(1)(e)", "WEB; Leerplichtwet (kwalificatieplicht)", False, True, True),
    ("mbo-health", "MBO-instelling: bijzondere begeleiding (gezondheid)", "mbo_instelling", "mbo", "special_health",
     "9(2)(g)", "UAVG art. 30 lid 2 sub a", False, True, True),
    ("mbo-health-consent", "MBO-instelling: uitdrukkelijke toestemming (gezondheid)", "mbo_instelling", "mbo",
     "special_health", "9(2)(a)", "AVG art. 9 lid 2 sub a (uitdrukkelijke toestemming)", True, True, False),
]

PURPOSES = [
    # code, name, description, review
    ("passende-ondersteuning", "Tijdig passend onderwijs, ondersteuning en jeugdhulp",
     "Een volledig beeld krijgen en afspreken welke (extra) ondersteuning of jeugdhulp de jongere nodig heeft.", True),
    ("vroegsignalering", "Vroegsignalering en integrale aanpak",
     "Zorgen vroeg signaleren, breed analyseren en afspreken wie de casus oppakt.", True),
    ("aanpak-verzuim", "Aanpak van zorgelijk verzuim", "Zorgelijk verzuim vroeg aanpakken; terugkeer naar school.", True),
    ("terugkeer-onderwijs", "Terugkeer naar (passend) onderwijs",
     "Een thuiszitter weer naar passend onderwijs of een onderwijszorgarrangement; nooit langer dan drie maanden zonder aanbod.",
     True),
    ("afstemming-jeugdhulp", "Afstemming onderwijs en jeugdhulp",
     "Ondersteuning afstemmen voor een leerling die al jeugdhulp krijgt, of overleggen over mogelijke hulp.", True),
    ("doorbraak", "Doorbraak bij vastgelopen situaties",
     "Mogelijkheden verkennen als een leerling na het ZAT vastloopt.", True),
    ("anoniem-advies", "Anoniem advies", "Advies vragen zonder dat de leerling herkenbaar is.", True),
    ("gecoordineerde-aanpak", "Gecoördineerde aanpak meervoudige problematiek (Wams)",
     "Aanpak van meervoudige problemen over domeinen heen; pas na inwerkingtreding van de Wams.", True),
]

CATEGORIES = [
    # code, name, data_class, description, never_shared, excluded, restricted_to, review
    ("C1", "Identificatie- en contactgegevens", "ordinary",
     "Naam, geboortedatum, adres, school/klas, contact ouders, gezagssituatie.", False, False, [], True),
    ("C2", "Onderwijsgegevens", "ordinary",
     "Leervorderingen, onderwijsbehoeften, OPP, onderwijskundig rapport, arrangement, TLV-status.", False, False, [], True),
    ("C3a", "Ongeoorloofd verzuim", "ordinary", "Aan leerplicht; de wettelijke melding loopt via DUO.", False, False, [],
     True),
    ("C3b", "Zorgelijk geoorloofd verzuim", "ordinary", "Alleen met leerplicht of de jeugdarts aan tafel.", False, False,
     ["leerplicht", "jgz"], False),
    ("C3c", "Geoorloofd verzuim", "ordinary", "Niet-zorgelijk geoorloofd verzuim wordt nooit gedeeld.", True, False, [],
     False),
    ("C3d", "Geaggregeerde verzuimcijfers", "anonymous", "Anonieme cijfers; cellen onder 5 onderdrukt.", False, False, [],
     False),
    ("C4", "Sociaal-emotioneel functioneren, gedrag, IQ, beperking", "special_health",
     "Geldt als gezondheidsgegeven.", False, False, [], False),
    ("C5", "Medische en psychische gegevens, diagnoses", "special_health", "", False, False, [], True),
    ("C6", "Betrokkenheid jeugdhulp", "special_health", "Welke aanbieder, sinds wanneer; behandeld als gezondheidsgegeven.",
     False, False, [], True),
    ("C7", "Behandelinformatie jeugdhulp/GGZ", "special_health",
     "Inhoud van de behandeling; beroepsgeheim, alleen met toestemming per gegeven.", False, False, [], True),
    ("C8", "Gezinssituatie en gegevens van ouders, broers en zussen", "mixed",
     "Alleen als strikt noodzakelijk; zij zijn dan ook betrokkenen.", False, False, [], True),
    ("C9", "Strafrechtelijke gegevens", "criminal", "Uitgesloten in het Casusoverleg.", False, True, [], True),
    ("C10", "BSN / PGN", "national_id", "Uitgesloten in het Casusoverleg (UAVG art. 46).", False, True, [], True),
    ("C11", "Afspraken, actiepunten, verslag", "mixed", "Krijgt de hoogste klasse van de inhoud.", False, False, [], True),
]

CONSULTATION_TYPES = [
    # code, name, purpose, description, allowed categories, required roles, optional roles, default coordinator,
    # consent logic, anonymous, requires roles to schedule, enabled, review
    ("mdo", "MDO – Multidisciplinair overleg", "passende-ondersteuning",
     "Volledig beeld, (extra) ondersteuningsbehoefte, plan/OPP/arrangement, wie doet wat, evaluatiedatum.",
     ["C1", "C2", "C4", "C5", "C6", "C7", "C8", "C11"],
     ["ouders", "leerkracht_mentor", "ib_zorgcoordinator", "swv_consultant"],
     ["jongere", "jeugdarts", "wijkteam_jeugdhulp", "leerplicht", "gedragsdeskundige", "tolk"],
     "IB'er of zorgcoördinator van de school; SWV-consultant bij een arrangement of TLV",
     "Toestemming van ouders nodig om te organiseren en om met externen te delen (onder 16); 16+ geeft zelf "
     "toestemming; 12-15 moet instemmen.", False, True, True, True),
    ("zat", "ZAT – Zorg- en adviesteam", "vroegsignalering",
     "Vroegsignalering, brede analyse, integrale aanpak, wie pakt de casus op; voorbereiding MDO; escaleren.",
     ["C1", "C2", "C3a", "C3b", "C4", "C5", "C6", "C7", "C11"],
     ["ib_zorgcoordinator", "jeugdarts", "smw_wijkteam", "swv_consultant"],
     ["leerplicht", "wijkagent", "gedragsdeskundige"],
     "Zorgcoördinator van de school",
     "Toestemming van ouders (en leerling vanaf 16) om op naam besproken te worden; anoniem alleen bij uitzondering; "
     "C5 en C7 alleen met toestemming per gegeven.", False, True, True, True),
    ("verzuimoverleg", "Verzuimoverleg", "aanpak-verzuim",
     "Zorgelijk verzuim vroeg aanpakken (M@ZL); terugkeer naar school. Medische inhoud blijft bij de jeugdarts.",
     ["C1", "C3a", "C3b", "C11"],
     ["verzuimcoordinator", "ouders", "jeugdarts"],
     ["jongere", "leerplicht"],
     "Verzuimcoördinator van de school; leerplicht bij een formele melding",
     "M@ZL-criteria; de jeugdarts deelt inhoud alleen met toestemming.", False, False, True, True),
    ("thuiszittersoverleg", "Thuiszittersoverleg", "terugkeer-onderwijs",
     "Terugkeer van een thuiszitter naar (passend) onderwijs; voorkomen dat een kind langer dan 3 maanden thuiszit.",
     ["C1", "C2", "C3a", "C3b", "C4", "C6", "C7", "C11"],
     ["leerplicht", "swv", "schoolbestuur", "ouders"],
     ["jongere", "wijkteam_jeugdhulp", "jeugdarts", "ggz", "onderwijszorgaanbieder"],
     "SWV of leerplicht (regionale afspraak)",
     "Als MDO; het deel van leerplicht rust op de Leerplichtwet, het deel van jeugdhulp op toestemming.",
     False, True, True, True),
    ("bilateraal", "Bilateraal overleg school – wijkteam / jeugdhulp", "afstemming-jeugdhulp",
     "Ondersteuning afstemmen voor een leerling die al jeugdhulp krijgt, of overleggen over mogelijke hulp.",
     ["C1", "C2", "C4", "C6", "C7", "C11"],
     ["school", "jeugdprofessional"],
     [],
     "IB'er of zorgcoördinator van de school",
     "In de praktijk is toestemming nodig: het wijkteam heeft geen toegang tot schoolsystemen.", False, False, True, True),
    ("zorgplatform", "Zorgplatform / TOM-tafel", "doorbraak",
     "Regionale escalatie: mogelijkheden verkennen als een leerling na het ZAT vastloopt.",
     ["C1", "C2", "C3a", "C3b", "C4", "C6", "C7", "C11"],
     ["swv", "schoolbestuur", "gemeente", "jeugdhulp"],
     [],
     "SWV",
     "Als thuiszittersoverleg.", False, False, True, True),
    ("anoniem-consult", "Anoniem consult", "anoniem-advies",
     "Advies vragen zonder de leerling te identificeren; geen namen, geen C1 of C8.",
     ["C2", "C3a", "C3d", "C4", "C5", "C6", "C11"],
     [],
     ["any"],
     "De aanvrager",
     "Geen toestemming nodig omdat geen persoonsgegevens worden verwerkt.", True, False, True, True),
    ("gecoordineerde-aanpak", "Gecoördineerde aanpak (Wams)", "gecoordineerde-aanpak",
     "Meervoudige problemen over domeinen heen; uitgeschakeld tot de Wams in werking is.",
     [],
     ["gemeente_coordinator"],
     ["partners"],
     "Gemeentelijk coördinator",
     "Volgens de Wams.", False, False, False, True),
]

CHECKLIST = [
    # code, phase, transition, text
    ("doel-type-doelgroep", "before", "voorbereid", "Doel en type vastgelegd; doelgroep gekozen."),
    ("noodzaak", "before", "voorbereid",
     "Noodzaak: kan dit zonder Casusoverleg of met minder partijen worden opgelost?"),
    ("deelnemers-need-to-know", "before", "voorbereid",
     "Deelnemers beperkt tot wie het moet weten; allen zijn partij of toegetreden."),
    ("grondslag-per-deelnemer", "before", "voorbereid",
     "Per deelnemer: grondslag voor gewone gegevens en zo nodig voor gezondheidsgegevens."),
    ("gezag-gecontroleerd", "before", "voorbereid",
     "Gezag gecontroleerd (wie heeft ouderlijk gezag; bron genoteerd, bijvoorbeeld gezagsregister)."),
    ("ouders-jongere-uitgenodigd", "before", "gepland",
     "Ouders met gezag uitgenodigd (altijd); jongere vanaf 12 uitgenodigd; jonger dan 12: vastgelegd hoe het kind "
     "gehoord wordt."),
    ("toestemming-vastgelegd", "before", "gepland",
     "Toestemming vastgelegd waar nodig, door de juiste personen; met reikwijdte (welke gegevens, welke deelnemers, "
     "welke periode)."),
    ("behandelinformatie-afgesproken", "before", "gepland",
     "Behandelinformatie jeugdhulp/BIG: met ouders (en jongere naar leeftijd) en hulpverlener afgesproken wat gedeeld "
     "mag worden."),
    ("privacyverklaring-verstuurd", "before", "gepland",
     "Privacyverklaring verstuurd; agenda via een veilig kanaal gedeeld."),
    ("verzuim-regels", "before", "gepland",
     "Verzuim: geen geoorloofd verzuim; zorgelijk geoorloofd verzuim alleen met leerplicht of jeugdarts."),
    ("aanwezigheid", "during", "gehouden",
     "Aanwezigheid vastgelegd; ouders en jongere aanwezig of reden van afwezigheid."),
    ("gespreksonderwerpen", "during", "gehouden",
     "Besproken: zorgen en of die gedeeld worden, wat goed gaat, wat helpt, wie kan bijdragen, beoogde resultaten, "
     "concrete doelen, afspraken, wie de regie heeft, evaluatiedatum."),
    ("alleen-toegestane-gegevens", "during", "gehouden",
     "Alleen gegevens van de toegestane lijst besproken; geen gegevens van broers, zussen of derden tenzij nodig."),
    ("verslag-feiten-meningen", "after", "verslag_vastgesteld",
     "Verslag scheidt feiten, meningen en afspraken; elk gegeven heeft een eigenaar."),
    ("verslag-gedeeld", "after", "afgesloten",
     "Verslag gedeeld met deelnemers en (naar leeftijd) ouders en jongere; eigen verklaring toegevoegd als gevraagd."),
    ("vervolgdatum", "after", "afgesloten", "Vervolg- of evaluatiedatum; sluitdatum start de bewaartermijn."),
    ("geen-lokale-kopieen", "after", "afgesloten", "Geen lokale kopieën buiten het systeem (e-mail, USB)."),
]

RETENTION = [
    # code, record, owner, owner party type, months, trigger, action, applies in app, review, source
    ("leerlingdossier", "Leerlingdossier (incl. OPP, MDO-verslag bij de school)", "School", "schoolbestuur", 24,
     "pupil_left_school", "delete", False, False, "PO-Raad, Kennisnet IBP"),
    ("verzuim-inschrijving", "Verzuim en in-/uitschrijving (leerlingadministratie)", "School", "schoolbestuur", 60,
     "pupil_deregistered", "delete", False, False, "PO-Raad, Kennisnet IBP"),
    ("verwijzing-so", "Gegevens over leerling verwezen naar speciaal onderwijs", "School", "schoolbestuur", 36,
     "pupil_left_school", "delete", False, False, "PO-Raad, Kennisnet IBP"),
    ("swv-dossier", "SWV-dossier (TLV, arrangement)", "SWV", "swv", 24, "arrangement_ended", "delete", False, True,
     "Beleid SWV; gebruikelijk gelijk aan de school"),
    ("jeugdhulpdossier", "Jeugdhulpdossier", "Jeugdhulpaanbieder / gemeentelijk jeugdteam", "jeugdhulpaanbieder", 240,
     "last_change", "delete", False, False, "Jeugdwet art. 7.3.8"),
    ("jgz-dossier", "JGZ / medisch dossier", "JGZ / GGZ", "jgz", 240, "last_change", "delete", False, False,
     "WGBO art. 7:454 lid 3 BW"),
    ("gemeente-toegang", "Gemeentelijke (toegangs)dossiers", "Gemeente", "gemeente_college", 240, "handled", "delete",
     False, True, "Selectielijst gemeenten (jeugdhulpplan 20 jaar; zonder plan 5 jaar)"),
    ("leerplichtdossier", "Leerplichtdossier", "Gemeente", "gemeente_college", None, "closed", "delete", False, True,
     "Selectielijst / ambtsinstructie"),
    ("casusoverleg-verslag", "Verslag Casusoverleg in de applicatie", "Partij van de procesregisseur", "", 24,
     "casus_closed", "delete", True, True, "Convenant art. 9 / DPIA (open vraag Q2)"),
    ("toestemming", "Toestemmingen", "Eigenaar van de gegevens", "", 24, "data_deleted", "delete", True, True,
     "Zolang de gegevens + 2 jaar (bewijs)"),
    ("toegangslog", "Toegangslog (audit)", "Hostende partij", "", 60, "event", "delete", True, True,
     "Volgens FG (voorstel: minimaal 5 jaar)"),
    ("verzoeken-incidenten", "Rechtenverzoeken en incidentenregister", "Elke partij", "", 60, "closed", "delete", True,
     True, "Volgens FG (voorstel: 5 jaar)"),
]


def load(apps, schema_editor):
    LegalBasis = apps.get_model("convenant", "LegalBasis")
    Purpose = apps.get_model("convenant", "Purpose")
    DataCategory = apps.get_model("convenant", "DataCategory")
    ConsultationType = apps.get_model("convenant", "ConsultationType")
    ConsultationTypeRole = apps.get_model("convenant", "ConsultationTypeRole")
    ChecklistItem = apps.get_model("convenant", "ChecklistItem")
    RetentionRule = apps.get_model("convenant", "RetentionRule")

    for code, label, party_type, capacity, data_class, avg, statute, consent, enabled, review in LEGAL_BASES:
        LegalBasis.objects.get_or_create(
            code=code,
            defaults={
                "label": label, "party_type": party_type, "capacity": capacity, "data_class": data_class,
                "avg_article": avg, "statute_reference": statute, "requires_consent": consent,
                "enabled": enabled, "needs_legal_review": review, "source": "SPEC §4",
            },
        )
    for code, name, description, review in PURPOSES:
        Purpose.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": description, "needs_legal_review": review, "source": "SPEC art. 3, §5.1"},
        )
    for code, name, data_class, description, never, excluded, restricted, review in CATEGORIES:
        DataCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "data_class": data_class, "description": description, "never_shared": never,
                "excluded": excluded, "restricted_to_capacities": restricted, "needs_legal_review": review,
                "source": "SPEC art. 5",
            },
        )
    for (code, name, purpose, description, allowed, required, optional, coordinator, consent, anonymous,
         requires_roles, enabled, review) in CONSULTATION_TYPES:
        ctype, created = ConsultationType.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "purpose": Purpose.objects.get(code=purpose), "description": description,
                "default_coordinator_role": coordinator, "consent_logic": consent, "is_anonymous": anonymous,
                "requires_roles_to_schedule": requires_roles, "enabled": enabled, "needs_legal_review": review,
                "source": "SPEC §5.1",
            },
        )
        if created:
            ctype.allowed_categories.set(DataCategory.objects.filter(code__in=allowed))
            for role in required:
                ConsultationTypeRole.objects.create(consultation_type=ctype, role=role, required=True)
            for role in optional:
                ConsultationTypeRole.objects.create(consultation_type=ctype, role=role, required=False)
    for order, (code, phase, transition, text) in enumerate(CHECKLIST, start=1):
        ChecklistItem.objects.get_or_create(
            consultation_type=None,
            code=code,
            defaults={"phase": phase, "transition": transition, "text": text, "order": order * 10,
                      "needs_legal_review": True, "source": "SPEC §5.3"},
        )
    for code, record, owner, party_type, months, trigger, action, in_app, review, source in RETENTION:
        RetentionRule.objects.get_or_create(
            code=code,
            defaults={
                "record_type": record, "owner": owner, "owner_party_type": party_type, "period_months": months,
                "trigger": trigger, "action": action, "applies_in_app": in_app, "needs_legal_review": review,
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("convenant", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""Closed lists of the parties app; labels are the users' Dutch words (docs/glossary.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in the product; decides the home page and menus (DESIGN "Who uses it")."""

    COORDINATOR = "coordinator", _("Procesregisseur")
    PROFESSIONAL = "professional", _("Professional")
    PARENT = "parent", _("Parent")
    YOUTH = "youth", _("Youth")
    PRIVACY_OFFICER = "privacy_officer", _("Data protection officer (FG)")
    ADMINISTRATOR = "administrator", _("Functional administrator")


class PartyType(models.TextChoices):
    """The kind of covenant party (SPEC R-P-1; JGZ added: §4 gives it its own legal bases)."""

    MUNICIPAL_EXECUTIVE = "gemeente_college", _("Municipality (college van B&W)")
    MAYOR = "burgemeester", _("Mayor")
    SWV = "swv", _("Samenwerkingsverband passend onderwijs")
    SCHOOL_BOARD = "schoolbestuur", _("School board")
    YOUTH_CARE_PROVIDER = "jeugdhulpaanbieder", _("Youth care provider")
    YOUTH_HEALTH_SERVICE = "jgz", _("Youth health care (JGZ)")
    MBO_INSTITUTION = "mbo_instelling", _("MBO institution")
    OTHER_JOINED = "other_joined", _("Other acceded party")


class Capacity(models.TextChoices):
    """The capacity in which an organisation or professional acts; legal bases differ per capacity
    (SPEC §4, R-P-4)."""

    EDUCATION = "onderwijs", _("Education (school)")
    SWV_TASK = "passend_onderwijs", _("Passend onderwijs (SWV)")
    YOUTH_ACT = "jeugd", _("Youth Act (wijkteam, access)")
    COMPULSORY_EDUCATION = "leerplicht", _("Compulsory education (leerplicht)")
    RMC = "rmc", _("RMC (early school leavers)")
    WAMS = "wams", _("Wams coordination")
    YOUTH_CARE = "jeugdhulp", _("Youth care")
    MENTAL_HEALTH = "ggz", _("Youth mental health care (GGZ, BIG)")
    YOUTH_HEALTH = "jgz", _("Youth health care (JGZ)")
    MBO = "mbo", _("Vocational education (MBO)")


class Secrecy(models.TextChoices):
    """The duty of confidentiality a professional is bound by (SPEC R-6-1, §4 legend)."""

    NONE = "none", _("None")
    DUTY = "geheimhoudingsplicht", _("Duty of confidentiality (geheimhoudingsplicht)")
    PROFESSIONAL_SECRECY = "beroepsgeheim", _("Professional secrecy (beroepsgeheim)")


class ProfessionalRegister(models.TextChoices):
    """The professional register a professional is entered in (SPEC R-6-1)."""

    NONE = "none", _("None")
    BIG = "big", _("BIG")
    SKJ = "skj", _("SKJ")
    NVO = "nvo", _("NVO")
    NIP = "nip", _("NIP")


class GuardianRelation(models.TextChoices):
    """How a guardian relates to the youth."""

    PARENT = "parent", _("Parent")
    LEGAL_GUARDIAN = "voogd", _("Legal guardian (voogd)")
    # From 18, for a youth judged not able to assess their own interests (SPEC §6, R-AGE-1).
    CURATOR = "curator", _("Curator or mentor")
    OTHER = "other", _("Other")


class AuthoritySource(models.TextChoices):
    """Where parental authority was checked (SPEC R-AGE-7)."""

    REGISTER = "gezagsregister", _("Gezagsregister")
    PARENT_STATEMENT = "verklaring_ouder", _("Statement of the parent")
    COURT_ORDER = "beschikking", _("Court order")

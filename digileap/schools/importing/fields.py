"""Every field the school registry importer reads: type, whether it is stored, limits, aliases.

Plausibility limits (a profile's column may set its own ``maximum`` instead). They catch figures
that cannot be true, such as two columns joined as text (121 and 468 read as 121468), while
leaving room for the largest real schools:

- pupils in one grade: 2,500 — the largest year groups (vocational colleges, large secondary
  schools in Flanders and Berlin) have well under 1,500;
- pupils in one ISCED level: 10,000 — the largest vocational school centres (Berufsbildende
  Schulen, CVO) have about 5,000–8,000 pupils at one level;
- pupils of a school, all levels: 15,000 — above the largest registered school sites of the five
  countries (about 10,000 in a vocational centre);
- teachers: 1,500 — the largest school centres employ a few hundred to about 900;
- pupils of one eligibility group: 15,000, as for the school's total.

Aliases are header names seen in real registries, in English, Dutch, French, German and Latvian;
the profile editor proposes a mapping from them.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from digileap.core.tabular.fields import CHECKED, STORED, FieldSpec

from ..models import School, SchoolOperator, Site

MAX_PUPILS_PER_GRADE = Decimal(2500)
MAX_PUPILS_PER_LEVEL = Decimal(10000)
MAX_PUPILS_TOTAL = Decimal(15000)
MAX_TEACHERS = Decimal(1500)
MAX_ELIGIBLE_PUPILS = Decimal(15000)


def _length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


SCHOOL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "authority_code",
        _("Authority code"),
        kept=CHECKED,
        required=True,
        max_length=32,
        aliases=("Authority", "Bevoegde overheid", "Autorité", "Land", "Bundesland", "Pašvaldība"),
        help=_("The code of the authority whose registry this is (DE-NI, BE-FWB, LV); usually a profile constant."),
    ),
    FieldSpec(
        "authority_name",
        _("Authority name"),
        max_length=200,
        aliases=("Authority name", "Naam overheid", "Nom de l'autorité", "Name des Landes", "Iestādes nosaukums"),
        help=_("The authority's name: needed only when the import creates the authority."),
    ),
    FieldSpec(
        "authority_kind",
        _("Authority kind"),
        max_length=16,
        help=_("ministry, region, municipality or other: only when the import creates the authority."),
    ),
    FieldSpec(
        "country",
        _("Country"),
        max_length=2,
        aliases=("Country", "Land", "Pays", "Staat", "Valsts"),
        help=_("ISO 3166-1 alpha-2 country code of a new authority (DE, BE, LV)."),
    ),
    FieldSpec(
        "operator_code",
        _("School operator code"),
        max_length=_length(SchoolOperator, "code"),
        aliases=(
            "Schulträgernummer",
            "Trägernummer",
            "Schulträger-Nr.",
            "Bestuursnummer",
            "Instellingsnummer bestuur",
            "Numéro du pouvoir organisateur",
            "Numéro PO",
            "Dibinātāja kods",
        ),  # fmt: skip
        help=_("The operator's code within the authority; when empty, a slug of its name."),
    ),
    FieldSpec(
        "operator_name",
        _("School operator"),
        max_length=_length(SchoolOperator, "name"),
        aliases=(
            "Schulträger",
            "Träger",
            "Schulbehörde",
            "Schoolbestuur",
            "Inrichtende macht",
            "Pouvoir organisateur",
            "Dibinātājs",
            "Operator",
        ),  # fmt: skip
        help=_("The body that runs the school (Schulträger, schoolbestuur, pouvoir organisateur, dibinātājs)."),
    ),
    FieldSpec(
        "operator_kind",
        _("Operator kind"),
        max_length=16,
        help=_("public or private: a new operator's kind (default: the school's sector)."),
    ),
    FieldSpec(
        "operator_region",
        _("Operator region"),
        max_length=120,
        help=_("The region a new operator belongs to (a planning region, a province), for figures by region."),
    ),
    FieldSpec(
        "number",
        _("Official school number"),
        required=True,
        max_length=_length(School, "number"),
        aliases=(
            "School number",
            "Schulnummer",
            "Schul-Nr.",
            "Dienststellennummer",
            "Dst-Nr.",
            "Schulkennzahl",
            "Instellingsnummer",
            "BRIN",
            "Schoolnummer",
            "Numéro FASE",
            "FASE",
            "Numéro d'établissement",
            "Iestādes kods",
            "Reģistrācijas numurs",
            "Izglītības iestādes reģistrācijas numurs",
        ),  # fmt: skip
        help=_("The school's official number, unique within its authority: it identifies the school."),
    ),
    FieldSpec(
        "name",
        _("School name"),
        required=True,
        max_length=_length(School, "name"),
        aliases=(
            "Name",
            "Schulname",
            "Name der Schule",
            "Naam",
            "Schoolnaam",
            "Naam instelling",
            "Nom",
            "Nom de l'établissement",
            "Dénomination",
            "Nosaukums",
            "Iestādes nosaukums",
        ),  # fmt: skip
        help=_("The school's official name."),
    ),
    FieldSpec(
        "type_code",
        _("School type code"),
        max_length=_length(School, "type_code"),
        aliases=("Schulart", "Schulform", "Schulart/ Org.form", "Onderwijsvorm", "Type", "Type d'enseignement", "Tips"),
        help=_("The national school type's code, kept as the file gives it."),
    ),
    FieldSpec(
        "type_label",
        _("School type"),
        max_length=_length(School, "type_label"),
        aliases=(
            "School type",
            "Schultyp",
            "Soort school",
            "Type d'établissement",
            "Iestādes tips",
            "Izglītības iestādes veids",
        ),
        help=_("The national school type in words."),
    ),
    FieldSpec(
        "levels",
        _("ISCED levels"),
        type="levels",
        aliases=("Levels", "Niveaus", "Niveaux", "Stufen", "Bildungsbereiche", "Līmeņi"),
        help=_("The ISCED levels 0–4 the school teaches, such as 1,2; levels with pupils are added."),
    ),
    FieldSpec(
        "language",
        _("Language of instruction"),
        max_length=_length(School, "language"),
        aliases=("Language", "Unterrichtssprache", "Onderwijstaal", "Langue", "Langue d'enseignement", "Mācību valoda"),
        help=_("The language of instruction as a code (de, nl, fr, lv)."),
    ),
    FieldSpec(
        "sector",
        _("Sector"),
        max_length=16,
        aliases=("Sector", "Rechtsform", "Trägerschaft", "Net", "Réseau", "Caractère", "Sektors"),
        help=_("public or private (a code list turns the file's words into these)."),
    ),
    FieldSpec(
        "status",
        _("Status"),
        max_length=16,
        aliases=("Status", "Statut", "Statuss"),
        help=_("open, planned or closed."),
    ),
    FieldSpec(
        "street",
        _("Street and number"),
        max_length=_length(School, "street"),
        aliases=("Street", "Straße", "Straße, Haus-Nr.", "Straat", "Adres", "Rue", "Adresse", "Iela", "Adrese"),
        help=_("The school's street and house number."),
    ),
    FieldSpec(
        "postal_code",
        _("Postal code"),
        max_length=_length(School, "postal_code"),
        aliases=("Postal code", "PLZ", "Plz", "Postleitzahl", "Postcode", "Code postal", "Pasta indekss"),
        help=_("The school's postal code."),
    ),
    FieldSpec(
        "city",
        _("City"),
        max_length=_length(School, "city"),
        aliases=("City", "Ort", "Gemeinde", "Gemeente", "Plaats", "Localité", "Commune", "Pilsēta", "Novads"),
        help=_("The school's town or city."),
    ),
    FieldSpec(
        "email",
        _("E-mail"),
        type="email",
        max_length=_length(School, "email"),
        aliases=("E-mail", "E-Mail", "Email", "Courriel", "E-pasts"),
        help=_("The school's e-mail address."),
    ),
    FieldSpec(
        "website",
        _("Website"),
        max_length=_length(School, "website"),
        aliases=("Website", "Homepage", "Internet", "Site web", "Site internet", "Tīmekļa vietne", "Mājaslapa"),
        help=_("The school's website."),
    ),
    FieldSpec(
        "latitude",
        _("Latitude (WGS84)"),
        type="decimal",
        minimum=Decimal(-90),
        maximum=Decimal(90),
        aliases=("Latitude", "Lat", "Breitengrad", "Breite", "Breedtegraad", "Platums"),
        help=_("WGS84 latitude in degrees; stored to six places."),
    ),
    FieldSpec(
        "longitude",
        _("Longitude (WGS84)"),
        type="decimal",
        minimum=Decimal(-180),
        maximum=Decimal(180),
        aliases=("Longitude", "Lon", "Lng", "Längengrad", "Länge", "Lengtegraad", "Garums"),
        help=_("WGS84 longitude in degrees; stored to six places."),
    ),
    FieldSpec(
        "x",
        _("Easting"),
        type="decimal",
        kept=CHECKED,
        aliases=("X", "Rechtswert", "Hochwert X", "X-coördinaat", "Coordonnée X", "X koordināta"),
        help=_("Easting in the profile's coordinate system; converted to latitude and longitude."),
    ),
    FieldSpec(
        "y",
        _("Northing"),
        type="decimal",
        kept=CHECKED,
        aliases=("Y", "Hochwert", "Y-coördinaat", "Coordonnée Y", "Y koordināta"),
        help=_("Northing in the profile's coordinate system; converted to latitude and longitude."),
    ),
    FieldSpec(
        "school_year",
        _("School year"),
        max_length=7,
        aliases=("School year", "Schuljahr", "Schooljaar", "Année scolaire", "Mācību gads"),
        help=_("The school year of the row's figures, like 2024/25 (a transform turns 2024 into 2024/25)."),
    ),
    FieldSpec(
        "pupils_isced_L_grade_G",
        _("Pupils in a grade"),
        type="count",
        maximum=MAX_PUPILS_PER_GRADE,
        pattern=r"^pupils_isced_[0-4]_grade_([1-9]|1[0-3])$",
        aliases=("Klasse", "Jahrgang", "Jahrgangsstufe", "Leerjaar", "Année", "Klase"),
        help=_("Pupils of one grade (1–13) at one ISCED level; a level's total must equal its grades' sum."),
    ),
    FieldSpec(
        "pupils_grade_G",
        _("Pupils in a national grade"),
        type="count",
        maximum=MAX_PUPILS_PER_GRADE,
        pattern=r"^pupils_grade_([1-9]|1[0-3])$",
        aliases=("Klasse", "Jahrgang", "klase", "Leerjaar", "Année"),
        help=_(
            "Pupils of one grade as the country counts them (1–13); the profile's grade table gives its ISCED "
            "level, and it is stored as pupils_isced_L_grade_G."
        ),
    ),
    FieldSpec(
        "pupils_isced_L",
        _("Pupils in an ISCED level"),
        type="count",
        maximum=MAX_PUPILS_PER_LEVEL,
        pattern=r"^pupils_isced_[0-4]$",
        aliases=(
            "Primarbereich",
            "Primarstufe",
            "Sekundarbereich I",
            "Sekundarstufe I",
            "Sekundarbereich II",
            "Lager onderwijs",
            "Secundair onderwijs",
            "Kleuteronderwijs",
            "Maternel",
            "Primaire",
            "Secondaire",
            "Pirmsskola",
            "Pamatizglītība",
            "Vidējā izglītība",
        ),  # fmt: skip
        help=_("Pupils at one ISCED level (0 pre-primary to 4 post-secondary) in the row's school year."),
    ),
    FieldSpec(
        "pupils_total",
        _("Pupils, all levels"),
        type="count",
        maximum=MAX_PUPILS_TOTAL,
        aliases=(
            "Pupils",
            "Schüler",
            "Schüler insgesamt",
            "Schülerzahl",
            "Schülerinnen und Schüler",
            "SuS",
            "Leerlingen",
            "Aantal leerlingen",
            "Élèves",
            "Nombre d'élèves",
            "Skolēni",
            "Izglītojamo skaits",
            "Skolēnu skaits",
        ),  # fmt: skip
        help=_(
            "The school's pupils in the school year: must equal the sum of the levels the row gives; "
            "without levels it is stored as the total of all levels."
        ),
    ),
    FieldSpec(
        "teachers",
        _("Teachers"),
        type="count",
        maximum=MAX_TEACHERS,
        aliases=("Teachers", "Lehrkräfte", "Lehrer", "Leerkrachten", "Leraren", "Enseignants", "Skolotāji", "Pedagogi"),
        help=_("The number of teachers in the school year."),
    ),
    FieldSpec(
        "ses_value",
        _("Socio-economic index"),
        type="decimal",
        aliases=(
            "Sozialindex",
            "Social index",
            "SES",
            "Indicator",
            "Indice socio-économique",
            "ISE",
            "Sociālekonomiskais indekss",
        ),
        help=_(
            "The school's socio-economic index in the school year; it must lie on its scale (stored to three places)."
        ),
    ),
    FieldSpec(
        "ses_scale",
        _("Index scale"),
        kept=CHECKED,
        max_length=40,
        help=_("The code of the index's scale (de-hh-sozialindex, be-bru-ses-index, ...): usually a constant."),
    ),
    FieldSpec(
        "eligible_CODE",
        _("Pupils of an eligibility group"),
        type="count",
        maximum=MAX_ELIGIBLE_PUPILS,
        pattern=r"^eligible_[A-Za-z0-9-]+$",
        help=_("Pupils of the school in the eligibility group CODE in the school year."),
    ),
    FieldSpec(
        "site_code",
        _("Site code"),
        max_length=_length(Site, "code"),
        aliases=(
            "Site",
            "Standort",
            "Standortnummer",
            "Gebäude-Nr.",
            "Vestigingsnummer",
            "Vestigingsplaats",
            "Numéro d'implantation",
            "Implantation",
            "FASE implantation",
            "Adreses kods",
            "Filiāle",
        ),  # fmt: skip
        help=_(
            "The code of the building (site) a row describes, with the profile's sites option; "
            "schools that give the same code share the building."
        ),
    ),
    FieldSpec(
        "site_name",
        _("Site name"),
        max_length=_length(Site, "name"),
        aliases=("Site name", "Standortname", "Naam vestiging", "Nom de l'implantation", "Filiāles nosaukums"),
        help=_("The building's name (default: its code)."),
    ),
    FieldSpec(
        "site_street",
        _("Site street and number"),
        max_length=_length(Site, "street"),
        aliases=("Standort Straße", "Adres vestiging", "Adresse de l'implantation", "Filiāles adrese"),
        help=_("The building's street and house number."),
    ),
    FieldSpec(
        "site_postal_code",
        _("Site postal code"),
        max_length=_length(Site, "postal_code"),
        aliases=("Standort PLZ", "Postcode vestiging", "Code postal de l'implantation"),
        help=_("The building's postal code."),
    ),
    FieldSpec(
        "site_city",
        _("Site city"),
        max_length=_length(Site, "city"),
        aliases=("Standort Ort", "Gemeente vestiging", "Commune de l'implantation", "Localité de l'implantation"),
        help=_("The building's town or city."),
    ),
    FieldSpec(
        "site_latitude",
        _("Site latitude (WGS84)"),
        type="decimal",
        minimum=Decimal(-90),
        maximum=Decimal(90),
        help=_("The building's WGS84 latitude; stored to six places."),
    ),
    FieldSpec(
        "site_longitude",
        _("Site longitude (WGS84)"),
        type="decimal",
        minimum=Decimal(-180),
        maximum=Decimal(180),
        help=_("The building's WGS84 longitude; stored to six places."),
    ),
)

__all__ = ["SCHOOL_FIELDS", "STORED", "CHECKED"]

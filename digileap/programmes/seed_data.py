"""The five programmes of the seed documents (../shared/seeds), with their figures as stated there.

Where a document contradicts itself both figures are kept and the description says so. Where a
document states no figure (a start date, an amount, a percentage) the field is left empty rather
than guessed. Contact persons named in the documents are left out: they are personal data.

Each target names the indicator it should have as (kind, parameters). Kinds that exist now are
attached on load; device kinds arrive with the devices app, and running the loader again then
attaches them (the loader is idempotent).
"""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

D = Decimal
day = datetime.date

AUTHORITIES = {
    "BE-BRU": {"name": "Brussels-Capital Region", "kind": "region", "country": "BE"},
    "BE-VLG": {"name": "Flemish Community", "kind": "region", "country": "BE"},
    "BE-GENT": {"name": "City of Ghent", "kind": "municipality", "country": "BE"},
    "LV-IZM": {"name": "Ministry of Education and Science of Latvia", "kind": "ministry", "country": "LV"},
    # The same authority the "mv" school import profile creates.
    "DE-MV": {"name": "Land Mecklenburg-Vorpommern", "kind": "region", "country": "DE"},
}

BELGIAN_SDGS = [4, 8, 10]  # Kwaliteitsonderwijs, Waardig werk en economische groei, Ongelijkheid verminderen
# Tags are stored in English and shown in the page's language (public.tag_labels); the plans'
# own words were "Samenleving", "Onderwijs 2.0", "EU Funded" and, for Latvia, "Digitālā
# transformācija", "2.3. Digitālās prasmes". Names (Digisprong, DigitalPakt Schule) and codes stay.
BELGIAN_TAGS = [gettext_noop("Society"), gettext_noop("Education 2.0"), gettext_noop("EU funded")]
BELGIAN_GENDER = {
    "nl": "Dit project draagt bij tot een gelijke behandeling van vrouwen en mannen.",
    "en": "This project contributes to the equal treatment of women and men.",
}
EQUIP_TITLE = {
    "nl": "Scholen/instellingen uitrusten met adequate ICT-apparatuur en -infrastructuur om de onderwijssystemen te verbeteren",
    "en": "Equip schools/institutions with adequate ICT equipment and infrastructure to improve education systems",
}

PROGRAMMES: list[dict[str, Any]] = [  # seed data: nested literals of several shapes
    {
        "code": "brussels-digitale-omkeer",
        "seed": "000",
        "authority": "BE-BRU",
        "name": {
            "nl": "Digitale omkeer voor Brusselse scholen",
            "en": "Digital shift for Brussels schools",
        },
        "description": {
            "nl": (
                "Geïntegreerde oplossingen voor interne connectiviteit en de levering van mobiele apparatuur "
                "(nieuwe of refurbished laptops, tablets, interactieve whiteboards) aan Brusselse scholen met een "
                "hoog aandeel leerlingen in kwetsbare situaties, met bijzondere aandacht voor scholen met een laag "
                "sociaal-economisch profiel. Doelpubliek: alle instellingen van het secundair en buitengewoon "
                "leerplichtonderwijs (Frans- en Nederlandstalig) in het Brussels Gewest, vandaag 240 secundaire "
                "onderwijsinstellingen.\n\n"
                "Opmerking bij de cijfers: de tekst spreekt van 2.000 wifi-toegangspunten tot eind 2023, het doel "
                "van oktober 2024 van 3.500 wifihotspots en het einddoel van 3.500 ICT-apparaten en wifihotspots "
                "(deadline 2024). Het totale budget is 5,2 miljoen € (Brusselse overheid); daarnaast vermeldt de "
                "pagina 'Publiek +3,2 miljoen €' en 'Privé +0 miljoen €'."
            ),
            "en": (
                "Integrated solutions for internal connectivity and the supply of mobile equipment (new or "
                "refurbished laptops, tablets, interactive whiteboards) to Brussels schools with a high share of "
                "pupils in vulnerable situations, with particular attention to schools with a low socio-economic "
                "profile. Target group: all secondary and special compulsory education institutions (French- and "
                "Dutch-speaking) in the Brussels Region, today 240 secondary schools.\n\n"
                "Note on the figures: the text speaks of 2,000 Wi-Fi access points by the end of 2023, the October "
                "2024 target of 3,500 Wi-Fi hotspots, and the end goal of 3,500 ICT devices and Wi-Fi hotspots "
                "(deadline 2024). The total budget is EUR 5.2 million (Brussels government); the page also lists "
                "'Public +3.2 million' and 'Private +0 million'."
            ),
        },
        "country": "BE",
        "region": "Brussels-Capital Region",
        "period_start": None,
        "period_end": day(2024, 12, 31),
        "status": "in_progress",
        "climate_contribution": D("0.00"),
        "digital_contribution": D("100.00"),
        "sdgs": BELGIAN_SDGS,
        "tags": BELGIAN_TAGS,
        "gender_equality_impact": BELGIAN_GENDER,
        "end_goal": {
            "en": "3500 ICT devices and WIFI hotspots installed in secondary schools (deadline 2024)",
            "nl": "3500 ICT-apparaten en wifihotspots geïnstalleerd in secundaire scholen (deadline 2024)",
        },
        "funding": [
            {
                "kind": "eu_rrf",
                "amount": D("5200000.00"),
                "name": {"nl": "Brusselse overheid", "en": "Brussels government"},
                "note": {"en": "The total budget as stated, EU funded (Recovery and Resilience Facility)."},
            },
            {
                "kind": "regional",
                "amount": D("3200000.00"),
                "name": {"nl": "Publiek", "en": "Public (additional)"},
                "note": {"en": "Stated as 'Publiek +3.2 miljoen €' beside the total budget."},
            },
            {
                "kind": "private",
                "amount": D("0.00"),
                "name": {"nl": "Privé", "en": "Private"},
                "note": {"en": "Stated as 'Privé +0 miljoen €'."},
            },
        ],
        "objectives": [
            {
                "nl": "Mobiele eenheden (nieuwe of refurbished laptops, tablets, interactieve whiteboards) verdelen in Brusselse scholen tegen eind 2021",
                "en": "Distribute mobile units (new or refurbished laptops, tablets, interactive whiteboards) to Brussels schools by the end of 2021",
            },
            {
                "nl": "2.000 wifi-toegangspunten installeren in Brusselse scholen (tot eind 2023)",
                "en": "Install 2,000 Wi-Fi access points in Brussels schools (until the end of 2023)",
            },
        ],
        "targets": [
            {
                "number": "405",
                "kind": "target",
                "title": EQUIP_TITLE,
                "description": {
                    "nl": "2.200 ICT-apparaten (zoals laptops, tablets, interactieve dashboards) en wifitoegangspunten zullen in Brusselse scholen worden geïnstalleerd. De verdeling daarvan zal gebaseerd zijn op de behoeften van scholen (met bijzondere aandacht voor scholen met een lagere sociaaleconomische index).",
                    "en": "2,200 ICT devices (such as laptops, tablets, interactive dashboards) and Wi-Fi access points installed in Brussels schools, distributed by the schools' needs (with particular attention to schools with a lower socio-economic index).",
                },
                "target_value": D("2200.00"),
                "unit": "ICT devices and Wi-Fi access points",
                "due_date": day(2021, 10, 31),
                "due_label": "oktober 2021",
                "reported_status": "completed",
                "indicator": ("devices_delivered", {}),
            },
            {
                "number": "",
                "kind": "target",
                "title": EQUIP_TITLE,
                "description": {
                    "nl": "3.500 wifihotspots geïnstalleerd in Brusselse scholen.",
                    "en": "3,500 Wi-Fi hotspots installed in Brussels schools.",
                },
                "target_value": D("3500.00"),
                "unit": "Wi-Fi hotspots",
                "due_date": day(2024, 10, 31),
                "due_label": "oktober 2024",
                "reported_status": "to_do",
                "indicator": ("access_points_installed", {}),
            },
        ],
    },
    {
        "code": "flanders-digisprong",
        "seed": "001",
        "authority": "BE-VLG",
        "name": {
            "nl": "Investering van 286 miljoen euro voor digisprong in Vlaams onderwijs",
            "en": "Investment of EUR 286 million for the digital leap (Digisprong) in Flemish education",
        },
        "description": {
            "nl": (
                "Digisprong beantwoordt aan de achterstand van het Vlaamse onderwijs op vlak van digitalisering "
                "met drie doelstellingen: een digitaal toestel voor elke leerling, doeltreffende leertools en "
                "opleidingen voor leerkrachten, en ondersteuning van scholen via een centraal kennis- en "
                "adviescentrum. Het richt zich in de eerste plaats op het verplicht onderwijs: ongeveer 2.695 "
                "lagere en 1.091 middelbare scholen. Goedgekeurd door de Vlaamse regering op 11 december 2020; "
                "uitvoering gepland in 2021 en 2022.\n\n"
                "Opmerking bij de cijfers: de pagina noemt zowel 286,86 miljoen € (totale budget) als 316 miljoen "
                "euro (tweede titel), en zowel 3.787 (einddoel) als 3.785 scholen/instellingen (mijlpaal 401); "
                "2.695 + 1.091 = 3.786. Naast het budget vermeldt ze 'Publiek +10 miljoen €' en 'Privé +0 miljoen €'."
            ),
            "en": (
                "Digisprong answers Flemish education's backlog in digitalisation with three objectives: a digital "
                "device for every pupil, effective learning tools and training for teachers, and support for "
                "schools through a central knowledge and advice centre. It aims first at compulsory education: "
                "about 2,695 primary and 1,091 secondary schools. Approved by the Flemish Government on "
                "11 December 2020; implementation planned for 2021 and 2022.\n\n"
                "Note on the figures: the page states both EUR 286.86 million (total budget) and EUR 316 million "
                "(second heading), and both 3,787 (end goal) and 3,785 schools/institutions (milestone 401); "
                "2,695 + 1,091 = 3,786. Beside the budget it lists 'Public +10 million' and 'Private +0 million'."
            ),
        },
        "country": "BE",
        "region": "Flanders",
        "period_start": day(2021, 1, 1),
        "period_end": day(2022, 12, 31),
        "status": "in_progress",
        "climate_contribution": D("0.00"),
        "digital_contribution": D("100.00"),
        "sdgs": BELGIAN_SDGS,
        "tags": BELGIAN_TAGS,
        "gender_equality_impact": BELGIAN_GENDER,
        "end_goal": {
            "en": "3787 Number of schools/Institutions receiving funds to update their ICT infrastructure or equipment (deadline 2022)",
            "nl": "3787 scholen/instellingen die middelen ontvangen om hun ICT-infrastructuur of -apparatuur te vernieuwen (deadline 2022)",
        },
        "funding": [
            {
                "kind": "eu_rrf",
                "amount": D("286860000.00"),
                "name": {"nl": "Vlaamse overheid", "en": "Flemish government"},
                "note": {
                    "en": "The total budget as stated (EUR 286.86 million), EU funded. A heading of the same page says EUR 316 million."
                },
            },
            {
                "kind": "regional",
                "amount": D("10000000.00"),
                "name": {"nl": "Publiek", "en": "Public (additional)"},
                "note": {"en": "Stated as 'Publiek +10 miljoen €' beside the total budget."},
            },
            {
                "kind": "private",
                "amount": D("0.00"),
                "name": {"nl": "Privé", "en": "Private"},
                "note": {"en": "Stated as 'Privé +0 miljoen €'."},
            },
        ],
        "objectives": [
            {
                "nl": "Alle scholen een digitaal toestel bezorgen voor elke student",
                "en": "Give all schools a digital device for every pupil",
            },
            {
                "nl": "Leerkrachten doeltreffende leertools en opleidingen bezorgen",
                "en": "Give teachers effective learning tools and training",
            },
            {
                "nl": "Scholen ondersteuning bieden bij digitalisering van hun onderwijsprogramma's (kennis- en adviescentrum Digisprong)",
                "en": "Support schools in digitalising their education programmes (the Digisprong knowledge and advice centre)",
            },
        ],
        "targets": [
            {
                "number": "401",
                "kind": "target",
                "title": EQUIP_TITLE,
                "description": {
                    "nl": "3 785 scholen/instellingen uitrusten met adequate ICT-apparatuur en -infrastructuur om de algehele prestaties van onderwijssystemen te verbeteren",
                    "en": "3,785 schools/institutions equipped with adequate ICT equipment and infrastructure to improve the overall performance of education systems",
                },
                "target_value": D("3785.00"),
                "unit": "schools/institutions",
                "due_date": day(2022, 10, 31),
                "due_label": "oktober 2022",
                "reported_status": "completed",
                "indicator": ("schools_reached", {"via": ["funding"]}),
            },
            {
                "number": "",
                "kind": "target",
                "title": {
                    "en": "Number of schools/Institutions receiving funds to update their ICT infrastructure or equipment",
                    "nl": "Aantal scholen/instellingen dat middelen ontvangt om hun ICT-infrastructuur of -apparatuur te vernieuwen",
                },
                "description": {
                    "en": "The end goal as the page states it: 3787, deadline 2022 (milestone 401 says 3,785).",
                    "nl": "Het einddoel zoals de pagina het vermeldt: 3787, deadline 2022 (mijlpaal 401 zegt 3.785).",
                },
                "target_value": D("3787.00"),
                "unit": "schools/institutions",
                "due_date": day(2022, 12, 31),
                "due_label": "2022",
                "reported_status": "to_do",
                "indicator": ("schools_reached", {"via": ["funding"]}),
            },
            {
                "number": "",
                "kind": "milestone",
                "title": {
                    "nl": "Oprichting van een nieuw kennis- en adviescentrum",
                    "en": "A new knowledge and advice centre set up",
                },
                "target_value": D("1.00"),
                "unit": "document",
                "due_date": day(2021, 12, 31),
                "due_label": "eind 2021",
                "reported_status": "to_do",
                "indicator": (
                    "document_approved",
                    {"document": "Founding decision of the knowledge and advice centre"},
                ),
            },
            {
                "number": "",
                "kind": "milestone",
                "title": {
                    "nl": "Apparatuur beschikbaar voor alle studenten",
                    "en": "Equipment available for all pupils",
                },
                "target_value": D("1.00"),
                "unit": "document",
                "due_date": day(2022, 12, 31),
                "due_label": "eind 2022",
                "reported_status": "to_do",
                "indicator": ("document_approved", {"document": "Report on equipment available for all pupils"}),
            },
            {
                "number": "",
                "kind": "milestone",
                "title": {
                    "nl": "Uitrol van nieuwe opleidingsprogramma's voor leerkrachten",
                    "en": "New training programmes for teachers rolled out",
                },
                "target_value": D("1.00"),
                "unit": "document",
                "due_date": day(2022, 12, 31),
                "due_label": "eind 2022",
                "reported_status": "to_do",
                "indicator": (
                    "document_approved",
                    {"document": "Report on the roll-out of the teacher training programmes"},
                ),
            },
        ],
    },
    {
        "code": "ghent-digisprong",
        "seed": "002",
        "authority": "BE-GENT",
        "name": {
            "nl": "De Digisprong in het Stedelijk Onderwijs Gent",
            "en": "The digital leap in Ghent's city schools",
        },
        "description": {
            "nl": (
                "Het Stedelijk Onderwijs Gent vertaalt de Vlaamse Digisprong in vier speerpunten. Elke leerling "
                "van de derde graad van het basisonderwijs en van het secundair onderwijs krijgt een performante "
                "laptop; de stad investeert extra om ook de leerkrachten een laptop te geven. Ongeveer 6 000 "
                "laptops, via één leverancier (Signpost), in drie fases: voorbereiding (aantallen, software per "
                "onderwijsvorm, gebruikersovereenkomst, beheersregels), levering (kant-en-klaar, aanmelden met "
                "het onderwijs-account, centraal beheer op afstand) en nazorg (problemen opgelost met de "
                "leverancier).\n\nDe brief vermeldt geen bedragen."
            ),
            "en": (
                "Ghent's city schools turn the Flemish Digisprong into four spearheads. Every pupil from the fifth "
                "year of primary school up and in secondary school gets a capable laptop; the city invests extra so "
                "that teachers get one too. About 6,000 laptops, through one supplier (Signpost), in three phases: "
                "preparation (counts, software per school type, user agreement, management rules), delivery "
                "(ready to use, sign-in with the school account, central remote management) and aftercare "
                "(problems solved with the supplier).\n\nThe letter states no amounts."
            ),
        },
        "country": "BE",
        "region": "Ghent",
        "period_start": None,
        "period_end": day(2022, 6, 30),
        "status": "in_progress",
        "climate_contribution": None,
        "digital_contribution": None,
        "sdgs": [],
        "tags": ["Digisprong"],
        "gender_equality_impact": {},
        "end_goal": {
            "nl": "Ongeveer 6 000 laptops voor leerlingen (vanaf de derde graad basisonderwijs) en leerkrachten",
            "en": "About 6,000 laptops for pupils (from the fifth year of primary school) and teachers",
        },
        "funding": [],
        "objectives": [
            {
                "nl": "Toekomstgerichte en veilige ICT-infrastructuur",
                "en": "Future-proof and secure ICT infrastructure",
            },
            {
                "nl": "Ondersteunend en doeltreffend ICT-schoolbeleid",
                "en": "Supportive and effective school ICT policy",
            },
            {"nl": "Digitaal competente leerkrachten", "en": "Digitally competent teachers"},
            {"nl": "Aangepaste digitale leermiddelen", "en": "Adapted digital learning resources"},
        ],
        "targets": [
            {
                "number": "",
                "kind": "milestone",
                "title": {"nl": "Voorbereiding afgerond", "en": "Preparation completed"},
                "description": {
                    "nl": "Aantallen in kaart gebracht, software klaargezet en doorgegeven aan de leverancier, gebruikersovereenkomst opgesteld, beheersregels afgesproken.",
                    "en": "Counts established, software prepared and handed to the supplier, user agreement drawn up, management rules agreed.",
                },
                "target_value": D("1.00"),
                "unit": "document",
                "due_date": day(2021, 11, 7),
                "due_label": "t.e.m. herfstvakantie 2021",
                "reported_status": "to_do",
                "indicator": ("document_approved", {"document": "User agreement and management rules"}),
            },
            {
                "number": "",
                "kind": "target",
                "title": {"nl": "Laptops geleverd", "en": "Laptops delivered"},
                "description": {
                    "nl": "Ongeveer 6 000 laptops kant-en-klaar geleverd op de scholen, tussen herfstvakantie 2021 en krokusvakantie 2022.",
                    "en": "About 6,000 laptops delivered ready to use to the schools, between the autumn holiday 2021 and the spring (Carnival) holiday 2022.",
                },
                "target_value": D("6000.00"),
                "unit": "laptops",
                "due_date": day(2022, 2, 27),
                "due_label": "krokusvakantie 2022",
                "reported_status": "to_do",
                "indicator": ("devices_delivered", {}),
            },
            {
                "number": "",
                "kind": "milestone",
                "title": {"nl": "Nazorg afgerond", "en": "Aftercare completed"},
                "description": {
                    "nl": "Vanaf levering tot einde schooljaar 2022: problemen snel opgelost in nauw contact met de leverancier.",
                    "en": "From delivery to the end of the 2022 school year: problems solved quickly in close contact with the supplier.",
                },
                "target_value": D("1.00"),
                "unit": "document",
                "due_date": day(2022, 6, 30),
                "due_label": "einde schooljaar 2022",
                "reported_status": "to_do",
                "indicator": ("document_approved", {"document": "Aftercare closing report"}),
            },
        ],
    },
    {
        "code": "latvia-dators-ikvienam-bernam",
        "seed": "003",
        "authority": "LV-IZM",
        "name": {
            "lv": "Digitālās plaisas mazināšana sociāli neaizsargātajiem izglītojamajiem un izglītības iestādēs (datori sociāli neaizsargātiem skolēniem)",
            "en": "Reducing the digital divide for socially vulnerable pupils and in schools (computers for socially vulnerable pupils)",
        },
        "description": {
            "lv": (
                'Investīcija 2.3.2.3.i. (Atveseļošanas un noturības mehānisma plāna 2. komponente "Digitālā '
                'transformācija", reformu un investīciju virziens 2.3. "Digitālās prasmes", reforma 2.3.2.r.) '
                "mazina šķēršļus vispārējās izglītības satura apguvei: portatīvā datortehnika izglītojamajiem no "
                "sociāli neaizsargātām grupām (grupas noteiktas Ministru kabineta noteikumos nr. 168) un datu "
                'pārraides uzlabojumi izglītības iestādēs pēc priekšizpētes. Saistīta ar memorandu "Dators '
                'ikvienam bērnam". Pirmais posms (REACT-EU) 2022. gada nogalē nodrošināja vairāk nekā 25 tūkstošus '
                "datoru 7.–9. klašu skolēniem; līdz 2023. gada beigām skolās būs vairāk nekā 60 tūkstoši portatīvo "
                "datoru. Ierobežota projektu iesniegumu atlase; īstenotājs: Izglītības un zinātnes ministrija."
            ),
            "en": (
                "Investment 2.3.2.3.i. (Latvia's Recovery and Resilience Plan, component 2 \"Digital "
                'transformation", direction 2.3 "Digital skills", reform 2.3.2.r.) lowers barriers to learning: '
                "laptops for pupils from socially vulnerable groups (groups set by Cabinet Regulation No. 168) and "
                'better data transmission in schools after a preliminary study. Linked to the memorandum "A '
                'computer for every child". The first phase (REACT-EU) provided more than 25 thousand computers to '
                "pupils of grades 7–9 by the end of 2022; by the end of 2023 schools will use more than 60 thousand "
                "laptops. Limited call for project applications; implemented by the Ministry of Education and Science."
            ),
        },
        "country": "LV",
        "region": "",
        "period_start": None,
        "period_end": day(2026, 6, 30),
        "status": "in_progress",
        "climate_contribution": None,
        "digital_contribution": None,
        "sdgs": [],
        "tags": [gettext_noop("Digital transformation"), gettext_noop("2.3. Digital skills"), "2.3.2.3.i."],
        "gender_equality_impact": {},
        "end_goal": {
            "lv": "26 620 IKT aprīkojuma vienības izglītojamajiem no mērķa grupas līdz 2023. gada 31. decembrim (kumulatīvi)",
            "en": "26,620 ICT equipment units for pupils of the target group by 31 December 2023 (cumulative)",
        },
        "funding": [
            {
                "kind": "eu_rrf",
                "amount": D("15000000.00"),
                "name": {"lv": "Atveseļošanas fonds (AF)", "en": "Recovery Fund (RRF)"},
                "note": {},
            },
            {
                "kind": "national",
                "amount": D("3000000.00"),
                "name": {"lv": "Valsts budžeta finansējums", "en": "State budget"},
                "note": {},
            },
        ],
        "objectives": [
            {
                "lv": "Nodrošināt portatīvās datortehnikas pieejamību izglītojamajiem no sociāli neaizsargātām grupām",
                "en": "Make laptops available to pupils from socially vulnerable groups",
            },
            {
                "lv": "Nodrošināt datu pārraides pieejamību kvalitatīvai, jēgpilnai un plānveidīgai digitālo tehnoloģiju izmantošanai mācību procesā",
                "en": "Provide data transmission for a good, meaningful and planned use of digital technologies in teaching",
            },
        ],
        "targets": [
            {
                "number": "",
                "kind": "target",
                "title": {
                    "lv": "IKT aprīkojuma vienības mērķa grupai (izglītojamajiem)",
                    "en": "ICT equipment units for the target group (pupils)",
                },
                "description": {
                    "lv": "Līdz 2022. gada 31. decembrim nodrošinātas 13 310 informācijas un komunikācijas tehnoloģiju (IKT) aprīkojuma vienības mērķa grupai (izglītojamajiem).",
                    "en": "By 31 December 2022, 13,310 units of ICT equipment provided to the target group (pupils).",
                },
                "target_value": D("13310.00"),
                "unit": "ICT equipment units",
                "due_date": day(2022, 12, 31),
                "due_label": "2022. gada 31. decembris",
                "reported_status": "to_do",
                "indicator": ("devices_delivered", {}),
            },
            {
                "number": "",
                "kind": "target",
                "title": {
                    "lv": "IKT aprīkojuma vienības mērķa grupai (izglītojamajiem), kumulatīvi",
                    "en": "ICT equipment units for the target group (pupils), cumulative",
                },
                "description": {
                    "lv": "Līdz 2023. gada 31. decembrim nodrošinātas 26 620 IKT aprīkojuma vienības mērķa grupai (izglītojamajiem) - kumulatīvi.",
                    "en": "By 31 December 2023, 26,620 units of ICT equipment provided to the target group (pupils), cumulative.",
                },
                "target_value": D("26620.00"),
                "unit": "ICT equipment units",
                "due_date": day(2023, 12, 31),
                "due_label": "2023. gada 31. decembris",
                "reported_status": "to_do",
                "indicator": ("devices_delivered", {}),
            },
            {
                "number": "",
                "kind": "milestone",
                "title": {
                    "lv": "Interneta datu pārraides jaudas analīze un priekšlikumi",
                    "en": "Analysis of school internet bandwidth and proposals",
                },
                "description": {
                    "lv": "Līdz 2024. gada 30. jūnijam veikts datu apkopojums un analīze par interneta datu pārraides jaudas problēmām un vajadzībām izglītības iestādēs un sagatavoti priekšlikumi datu pārraides iespēju pilnveidošanai, tostarp izglītības iestāžu iekšējā interneta tīkla funkcionēšanas uzlabojumiem.",
                    "en": "By 30 June 2024, data collected and analysed on the problems and needs of internet bandwidth in schools, and proposals prepared to improve data transmission, including the schools' internal networks.",
                },
                # Measured by the schools that answered the connectivity survey, out of Latvia's 593
                # general schools (2022/23); the analysis report is attached to it as evidence.
                "target_value": D("593.00"),
                "unit": "schools",
                "due_date": day(2024, 6, 30),
                "due_label": "2024. gada 30. jūnijs",
                "reported_status": "to_do",
                "indicator": ("connectivity_schools_surveyed", {}),
            },
        ],
    },
    {
        "code": "mv-digitalpakt-schule",
        "seed": "004",
        "authority": "DE-MV",
        "name": {
            "de": "DigitalPakt Schule in Mecklenburg-Vorpommern",
            "en": "DigitalPakt Schule (Digital Pact for Schools) in Mecklenburg-Vorpommern",
        },
        "description": {
            "de": (
                "Der Bund unterstützt mit dem DigitalPakt Schule den Ausbau der digitalen Bildungsinfrastruktur an "
                "allgemeinbildenden und beruflichen Schulen (insgesamt 5 Mrd. Euro). Das Land Mecklenburg-Vorpommern "
                "erhält daraus 99.209.500 Euro und stellt weitere 10 % dieser Summe als Kofinanzierung bereit. Der "
                "Zweckverband eGo-MV berät und begleitet im Auftrag des Ministeriums für Bildung und "
                "Kindertagesförderung die 207 Schulträger von der Konzepterstellung über das Antragsverfahren bis "
                "zur Umsetzung. Voraussetzungen für Anträge sind der Medienentwicklungsplan (MEP) des Schulträgers "
                "und das Medienbildungskonzept (MBK) der Schule; der Roll-Out-Plan (ROP) hält fest, welche Schule "
                "in welchem Förderjahr profitiert; Änderungsanträge gehen an die Gremien zur Beschlussfassung.\n\n"
                "Die Seite nennt keine Fristen."
            ),
            "en": (
                "With the DigitalPakt Schule the federal government supports digital education infrastructure in "
                "general and vocational schools (EUR 5 billion in all). Mecklenburg-Vorpommern receives "
                "EUR 99,209,500 and adds 10 % of that sum as co-financing. On behalf of the Ministry of Education, "
                "the eGo-MV association advises and guides the 207 school operators from the concepts through the "
                "funding application to the implementation. Applications require the operator's media development "
                "plan (MEP) and each school's media concept (MBK); the roll-out plan (ROP) says which school "
                "benefits in which funding year; change requests go to committees for decision.\n\n"
                "The page states no deadlines."
            ),
        },
        "country": "DE",
        "region": "Mecklenburg-Vorpommern",
        "period_start": None,
        "period_end": None,
        "status": "in_progress",
        "climate_contribution": None,
        "digital_contribution": None,
        "sdgs": [],
        "tags": ["DigitalPakt Schule"],
        "gender_equality_impact": {},
        "end_goal": {
            "de": "Die 207 Schulträger beraten und durch das Antragsverfahren begleitet",
            "en": "The 207 school operators advised and guided through the funding application",
        },
        "funding": [
            {
                "kind": "national",
                "amount": D("99209500.00"),
                "name": {"de": "Bund (DigitalPakt Schule)", "en": "Federal government (DigitalPakt Schule)"},
                "note": {},
            },
            {
                "kind": "regional",
                "amount": D("9920950.00"),
                "cofinancing_rate": D("10.00"),
                "name": {
                    "de": "Land Mecklenburg-Vorpommern (Kofinanzierung)",
                    "en": "Land Mecklenburg-Vorpommern (co-financing)",
                },
                "note": {
                    "en": "10 % of the federal sum, as stated; the amount is computed from it.",
                    "de": "10 % der Bundesmittel.",
                },
            },
        ],
        "objectives": [
            {
                "de": "Individuelle Beratung der Schulträger und Schulen",
                "en": "Individual advice to school operators and schools",
            },
            {"de": "Begleitung während des Förderverfahrens", "en": "Guidance through the funding procedure"},
            {"de": "Roll-Out-Plan (ROP) und Änderungsanträge", "en": "The roll-out plan (ROP) and its change requests"},
            {"de": "Beratung und Begleitung bei der technischen Konzeption", "en": "Advice on the technical concept"},
            {
                "de": "Konzeption und Erstellung des Medienentwicklungsplans (MEP)",
                "en": "Drafting the media development plan (MEP)",
            },
        ],
        # The page states no target with a deadline; the 207 operators are the end goal above.
        "targets": [],
    },
]


# Translations of the texts above, keyed by the English text: the seed documents give each text in
# English and in their own language only. Filled into PROGRAMMES below; a language a seed already
# has (its own words) is never replaced. test_seed_texts checks that every text has all five.
TRANSLATIONS = {
    # Shared by the Belgian programmes
    "This project contributes to the equal treatment of women and men.": {
        "fr": "Ce projet contribue à l'égalité de traitement entre les femmes et les hommes.",
        "de": "Dieses Projekt trägt zur Gleichbehandlung von Frauen und Männern bei.",
        "lv": "Šis projekts veicina vienlīdzīgu attieksmi pret sievietēm un vīriešiem.",
    },
    "Equip schools/institutions with adequate ICT equipment and infrastructure to improve education systems": {
        "fr": "Équiper les écoles/établissements d'équipements et d'infrastructures TIC adéquats afin d'améliorer les systèmes éducatifs",
        "de": "Schulen/Einrichtungen mit angemessener IKT-Ausstattung und -Infrastruktur ausstatten, um die Bildungssysteme zu verbessern",
        "lv": "Aprīkot skolas/iestādes ar atbilstošu IKT aprīkojumu un infrastruktūru, lai uzlabotu izglītības sistēmas",
    },
    "Public (additional)": {
        "fr": "Public (supplémentaire)",
        "de": "Öffentlich (zusätzlich)",
        "lv": "Publiskais (papildu)",
    },
    "Private": {"fr": "Privé", "de": "Privat", "lv": "Privātais"},
    "Stated as 'Privé +0 miljoen €'.": {
        "nl": "Vermeld als 'Privé +0 miljoen €'.",
        "fr": "Indiqué comme « Privé +0 miljoen € ».",
        "de": "Angegeben als „Privé +0 miljoen €“.",
        "lv": "Norādīts kā 'Privé +0 miljoen €'.",
    },
    # Brussels (000)
    "Digital shift for Brussels schools": {
        "fr": "Virage numérique pour les écoles bruxelloises",
        "de": "Digitaler Wandel für Brüsseler Schulen",
        "lv": "Digitālā pārveide Briseles skolām",
    },
    (
        "Integrated solutions for internal connectivity and the supply of mobile equipment (new or "
        "refurbished laptops, tablets, interactive whiteboards) to Brussels schools with a high share of "
        "pupils in vulnerable situations, with particular attention to schools with a low socio-economic "
        "profile. Target group: all secondary and special compulsory education institutions (French- and "
        "Dutch-speaking) in the Brussels Region, today 240 secondary schools.\n\n"
        "Note on the figures: the text speaks of 2,000 Wi-Fi access points by the end of 2023, the October "
        "2024 target of 3,500 Wi-Fi hotspots, and the end goal of 3,500 ICT devices and Wi-Fi hotspots "
        "(deadline 2024). The total budget is EUR 5.2 million (Brussels government); the page also lists "
        "'Public +3.2 million' and 'Private +0 million'."
    ): {
        "fr": (
            "Solutions intégrées pour la connectivité interne et la fourniture d'équipements mobiles (ordinateurs "
            "portables neufs ou reconditionnés, tablettes, tableaux blancs interactifs) aux écoles bruxelloises "
            "accueillant une forte proportion d'élèves en situation de vulnérabilité, avec une attention "
            "particulière pour les écoles à faible indice socio-économique. Public cible : tous les établissements "
            "de l'enseignement secondaire et de l'enseignement spécialisé obligatoire (francophones et "
            "néerlandophones) de la Région bruxelloise, aujourd'hui 240 établissements secondaires.\n\n"
            "Remarque sur les chiffres : le texte mentionne 2 000 points d'accès Wi-Fi d'ici fin 2023, l'objectif "
            "d'octobre 2024 de 3 500 points d'accès Wi-Fi et l'objectif final de 3 500 appareils TIC et points "
            "d'accès Wi-Fi (échéance 2024). Le budget total est de 5,2 millions d'euros (gouvernement bruxellois) ; "
            "la page indique en outre « Public +3,2 millions € » et « Privé +0 million € »."
        ),
        "de": (
            "Integrierte Lösungen für die interne Konnektivität und die Lieferung mobiler Geräte (neue oder "
            "generalüberholte Laptops, Tablets, interaktive Whiteboards) an Brüsseler Schulen mit einem hohen "
            "Anteil von Schülerinnen und Schülern in prekären Lebenslagen, mit besonderem Augenmerk auf Schulen mit "
            "niedrigem sozioökonomischem Profil. Zielgruppe: alle Einrichtungen des Sekundarunterrichts und des "
            "Förderunterrichts im Pflichtschulbereich (französisch- und niederländischsprachig) in der Region "
            "Brüssel, derzeit 240 Sekundarschulen.\n\n"
            "Anmerkung zu den Zahlen: Der Text nennt 2.000 WLAN-Zugangspunkte bis Ende 2023, das Ziel von 3.500 "
            "WLAN-Hotspots für Oktober 2024 und das Endziel von 3.500 IKT-Geräten und WLAN-Hotspots (Frist 2024). "
            "Das Gesamtbudget beträgt 5,2 Mio. Euro (Brüsseler Regierung); die Seite nennt außerdem "
            "„Öffentlich +3,2 Mio. €“ und „Privat +0 Mio. €“."
        ),
        "lv": (
            "Integrēti risinājumi iekšējai savienojamībai un mobilā aprīkojuma (jaunu vai atjaunotu klēpjdatoru, "
            "planšetdatoru, interaktīvo tāfeļu) piegādei Briseles skolām ar lielu neaizsargātā situācijā esošu "
            "skolēnu īpatsvaru, īpašu uzmanību pievēršot skolām ar zemu sociālekonomisko profilu. Mērķa grupa: "
            "visas Briseles reģiona vidējās izglītības un speciālās obligātās izglītības iestādes (franču un "
            "nīderlandiešu valodā), pašlaik 240 vidējās izglītības iestādes.\n\n"
            "Piezīme par skaitļiem: tekstā minēti 2000 Wi-Fi piekļuves punktu līdz 2023. gada beigām, 2024. gada "
            "oktobra mērķis – 3500 Wi-Fi tīklāju – un galamērķis – 3500 IKT ierīču un Wi-Fi tīklāju (termiņš "
            "2024. gads). Kopējais budžets ir 5,2 miljoni EUR (Briseles valdība); lapā norādīts arī "
            "'Publiskais +3,2 miljoni €' un 'Privātais +0 miljoni €'."
        ),
    },
    "3500 ICT devices and WIFI hotspots installed in secondary schools (deadline 2024)": {
        "fr": "3500 appareils TIC et points d'accès Wi-Fi installés dans les écoles secondaires (échéance 2024)",
        "de": "3500 IKT-Geräte und WLAN-Hotspots in Sekundarschulen installiert (Frist 2024)",
        "lv": "3500 IKT ierīces un Wi-Fi tīklāji uzstādīti vidusskolās (termiņš 2024. gads)",
    },
    "Brussels government": {"fr": "Gouvernement bruxellois", "de": "Brüsseler Regierung", "lv": "Briseles valdība"},
    "The total budget as stated, EU funded (Recovery and Resilience Facility).": {
        "nl": "Het totale budget zoals vermeld, gefinancierd door de EU (Herstel- en veerkrachtfaciliteit).",
        "fr": "Le budget total tel qu'indiqué, financé par l'UE (Facilité pour la reprise et la résilience).",
        "de": "Das Gesamtbudget wie angegeben, EU-finanziert (Aufbau- und Resilienzfazilität).",
        "lv": "Kopējais budžets, kā norādīts, ES finansēts (Atveseļošanas un noturības mehānisms).",
    },
    "Stated as 'Publiek +3.2 miljoen €' beside the total budget.": {
        "nl": "Vermeld als 'Publiek +3.2 miljoen €' naast het totale budget.",
        "fr": "Indiqué comme « Publiek +3.2 miljoen € » à côté du budget total.",
        "de": "Angegeben als „Publiek +3.2 miljoen €“ neben dem Gesamtbudget.",
        "lv": "Norādīts kā 'Publiek +3.2 miljoen €' blakus kopējam budžetam.",
    },
    "Distribute mobile units (new or refurbished laptops, tablets, interactive whiteboards) to Brussels schools by the end of 2021": {
        "fr": "Distribuer des unités mobiles (ordinateurs portables neufs ou reconditionnés, tablettes, tableaux blancs interactifs) dans les écoles bruxelloises d'ici fin 2021",
        "de": "Mobile Geräte (neue oder generalüberholte Laptops, Tablets, interaktive Whiteboards) bis Ende 2021 an Brüsseler Schulen verteilen",
        "lv": "Līdz 2021. gada beigām izdalīt Briseles skolām mobilās ierīces (jaunus vai atjaunotus klēpjdatorus, planšetdatorus, interaktīvās tāfeles)",
    },
    "Install 2,000 Wi-Fi access points in Brussels schools (until the end of 2023)": {
        "fr": "Installer 2 000 points d'accès Wi-Fi dans les écoles bruxelloises (jusqu'à fin 2023)",
        "de": "2.000 WLAN-Zugangspunkte in Brüsseler Schulen installieren (bis Ende 2023)",
        "lv": "Uzstādīt 2000 Wi-Fi piekļuves punktu Briseles skolās (līdz 2023. gada beigām)",
    },
    "2,200 ICT devices (such as laptops, tablets, interactive dashboards) and Wi-Fi access points installed in Brussels schools, distributed by the schools' needs (with particular attention to schools with a lower socio-economic index).": {
        "fr": "2 200 appareils TIC (tels que des ordinateurs portables, des tablettes, des tableaux interactifs) et points d'accès Wi-Fi installés dans les écoles bruxelloises, répartis selon les besoins des écoles (avec une attention particulière pour les écoles ayant un indice socio-économique plus faible).",
        "de": "2.200 IKT-Geräte (wie Laptops, Tablets, interaktive Tafeln) und WLAN-Zugangspunkte in Brüsseler Schulen installiert, verteilt nach dem Bedarf der Schulen (mit besonderem Augenmerk auf Schulen mit niedrigerem sozioökonomischem Index).",
        "lv": "Briseles skolās uzstādītas 2200 IKT ierīces (piemēram, klēpjdatori, planšetdatori, interaktīvie ekrāni) un Wi-Fi piekļuves punkti, sadalot tos atbilstoši skolu vajadzībām (īpašu uzmanību pievēršot skolām ar zemāku sociālekonomisko indeksu).",
    },
    "3,500 Wi-Fi hotspots installed in Brussels schools.": {
        "fr": "3 500 points d'accès Wi-Fi installés dans les écoles bruxelloises.",
        "de": "3.500 WLAN-Hotspots in Brüsseler Schulen installiert.",
        "lv": "Briseles skolās uzstādīti 3500 Wi-Fi tīklāji.",
    },
    # Flanders (001)
    "Investment of EUR 286 million for the digital leap (Digisprong) in Flemish education": {
        "fr": "Investissement de 286 millions d'euros pour le saut numérique (Digisprong) dans l'enseignement flamand",
        "de": "Investition von 286 Millionen Euro für den digitalen Sprung (Digisprong) im flämischen Bildungswesen",
        "lv": "286 miljonu eiro investīcija digitālajam lēcienam (Digisprong) Flandrijas izglītībā",
    },
    (
        "Digisprong answers Flemish education's backlog in digitalisation with three objectives: a digital "
        "device for every pupil, effective learning tools and training for teachers, and support for "
        "schools through a central knowledge and advice centre. It aims first at compulsory education: "
        "about 2,695 primary and 1,091 secondary schools. Approved by the Flemish Government on "
        "11 December 2020; implementation planned for 2021 and 2022.\n\n"
        "Note on the figures: the page states both EUR 286.86 million (total budget) and EUR 316 million "
        "(second heading), and both 3,787 (end goal) and 3,785 schools/institutions (milestone 401); "
        "2,695 + 1,091 = 3,786. Beside the budget it lists 'Public +10 million' and 'Private +0 million'."
    ): {
        "fr": (
            "Digisprong répond au retard de l'enseignement flamand en matière de numérisation avec trois objectifs : "
            "un appareil numérique pour chaque élève, des outils d'apprentissage et des formations efficaces pour "
            "les enseignants, et un soutien aux écoles par un centre central de connaissances et de conseil. Il vise "
            "d'abord l'enseignement obligatoire : environ 2 695 écoles primaires et 1 091 écoles secondaires. "
            "Approuvé par le Gouvernement flamand le 11 décembre 2020 ; mise en œuvre prévue en 2021 et 2022.\n\n"
            "Remarque sur les chiffres : la page indique à la fois 286,86 millions d'euros (budget total) et "
            "316 millions d'euros (second titre), et à la fois 3 787 (objectif final) et 3 785 écoles/établissements "
            "(jalon 401) ; 2 695 + 1 091 = 3 786. À côté du budget, elle mentionne « Public +10 millions € » et "
            "« Privé +0 million € »."
        ),
        "de": (
            "Digisprong begegnet dem Rückstand des flämischen Bildungswesens bei der Digitalisierung mit drei "
            "Zielen: ein digitales Gerät für jede Schülerin und jeden Schüler, wirksame Lernwerkzeuge und "
            "Fortbildungen für Lehrkräfte sowie Unterstützung der Schulen durch ein zentrales Wissens- und "
            "Beratungszentrum. Es richtet sich in erster Linie an die Pflichtschulen: rund 2.695 Grundschulen und "
            "1.091 Sekundarschulen. Von der Flämischen Regierung am 11. Dezember 2020 genehmigt; Umsetzung für 2021 "
            "und 2022 geplant.\n\n"
            "Anmerkung zu den Zahlen: Die Seite nennt sowohl 286,86 Mio. Euro (Gesamtbudget) als auch 316 Mio. Euro "
            "(zweite Überschrift) sowie sowohl 3.787 (Endziel) als auch 3.785 Schulen/Einrichtungen (Etappenziel "
            "401); 2.695 + 1.091 = 3.786. Neben dem Budget nennt sie „Öffentlich +10 Mio. €“ und „Privat +0 Mio. €“."
        ),
        "lv": (
            "Digisprong risina Flandrijas izglītības atpalicību digitalizācijā ar trim mērķiem: digitāla ierīce "
            "katram skolēnam, efektīvi mācību rīki un apmācības skolotājiem, kā arī atbalsts skolām ar centrāla "
            "zināšanu un konsultāciju centra starpniecību. Tā galvenokārt vērsta uz obligāto izglītību: aptuveni "
            "2695 sākumskolām un 1091 vidusskolu. Flandrijas valdība to apstiprināja 2020. gada 11. decembrī; "
            "īstenošana plānota 2021. un 2022. gadā.\n\n"
            "Piezīme par skaitļiem: lapā norādīti gan 286,86 miljoni EUR (kopējais budžets), gan 316 miljoni EUR "
            "(otrais virsraksts), kā arī gan 3787 (galamērķis), gan 3785 skolas/iestādes (starpposma mērķis 401); "
            "2695 + 1091 = 3786. Blakus budžetam norādīts 'Publiskais +10 miljoni €' un 'Privātais +0 miljoni €'."
        ),
    },
    "3787 Number of schools/Institutions receiving funds to update their ICT infrastructure or equipment (deadline 2022)": {
        "fr": "3787 écoles/établissements recevant des fonds pour moderniser leur infrastructure ou leur équipement TIC (échéance 2022)",
        "de": "3787 Schulen/Einrichtungen, die Mittel zur Erneuerung ihrer IKT-Infrastruktur oder -Ausstattung erhalten (Frist 2022)",
        "lv": "3787 skolas/iestādes, kas saņem līdzekļus IKT infrastruktūras vai aprīkojuma atjaunošanai (termiņš 2022. gads)",
    },
    "Flemish government": {"fr": "Gouvernement flamand", "de": "Flämische Regierung", "lv": "Flandrijas valdība"},
    "The total budget as stated (EUR 286.86 million), EU funded. A heading of the same page says EUR 316 million.": {
        "nl": "Het totale budget zoals vermeld (286,86 miljoen €), gefinancierd door de EU. Een titel op dezelfde pagina vermeldt 316 miljoen €.",
        "fr": "Le budget total tel qu'indiqué (286,86 millions d'euros), financé par l'UE. Un titre de la même page indique 316 millions d'euros.",
        "de": "Das Gesamtbudget wie angegeben (286,86 Mio. Euro), EU-finanziert. Eine Überschrift derselben Seite nennt 316 Mio. Euro.",
        "lv": "Kopējais budžets, kā norādīts (286,86 miljoni EUR), ES finansēts. Tās pašas lapas virsrakstā minēti 316 miljoni EUR.",
    },
    "Stated as 'Publiek +10 miljoen €' beside the total budget.": {
        "nl": "Vermeld als 'Publiek +10 miljoen €' naast het totale budget.",
        "fr": "Indiqué comme « Publiek +10 miljoen € » à côté du budget total.",
        "de": "Angegeben als „Publiek +10 miljoen €“ neben dem Gesamtbudget.",
        "lv": "Norādīts kā 'Publiek +10 miljoen €' blakus kopējam budžetam.",
    },
    "Give all schools a digital device for every pupil": {
        "fr": "Fournir à toutes les écoles un appareil numérique pour chaque élève",
        "de": "Allen Schulen ein digitales Gerät für jede Schülerin und jeden Schüler bereitstellen",
        "lv": "Nodrošināt visām skolām digitālu ierīci katram skolēnam",
    },
    "Give teachers effective learning tools and training": {
        "fr": "Fournir aux enseignants des outils d'apprentissage et des formations efficaces",
        "de": "Lehrkräften wirksame Lernwerkzeuge und Fortbildungen bereitstellen",
        "lv": "Nodrošināt skolotājiem efektīvus mācību rīkus un apmācības",
    },
    "Support schools in digitalising their education programmes (the Digisprong knowledge and advice centre)": {
        "fr": "Soutenir les écoles dans la numérisation de leurs programmes d'enseignement (centre de connaissances et de conseil Digisprong)",
        "de": "Schulen bei der Digitalisierung ihrer Bildungsprogramme unterstützen (Wissens- und Beratungszentrum Digisprong)",
        "lv": "Atbalstīt skolas to izglītības programmu digitalizācijā (Digisprong zināšanu un konsultāciju centrs)",
    },
    "3,785 schools/institutions equipped with adequate ICT equipment and infrastructure to improve the overall performance of education systems": {
        "fr": "3 785 écoles/établissements équipés d'équipements et d'infrastructures TIC adéquats afin d'améliorer la performance globale des systèmes éducatifs",
        "de": "3.785 Schulen/Einrichtungen mit angemessener IKT-Ausstattung und -Infrastruktur ausgestattet, um die Gesamtleistung der Bildungssysteme zu verbessern",
        "lv": "3785 skolas/iestādes aprīkotas ar atbilstošu IKT aprīkojumu un infrastruktūru, lai uzlabotu izglītības sistēmu kopējo sniegumu",
    },
    "Number of schools/Institutions receiving funds to update their ICT infrastructure or equipment": {
        "fr": "Nombre d'écoles/établissements recevant des fonds pour moderniser leur infrastructure ou leur équipement TIC",
        "de": "Anzahl der Schulen/Einrichtungen, die Mittel zur Erneuerung ihrer IKT-Infrastruktur oder -Ausstattung erhalten",
        "lv": "Skolu/iestāžu skaits, kas saņem līdzekļus IKT infrastruktūras vai aprīkojuma atjaunošanai",
    },
    "The end goal as the page states it: 3787, deadline 2022 (milestone 401 says 3,785).": {
        "fr": "L'objectif final tel que la page l'indique : 3787, échéance 2022 (le jalon 401 indique 3 785).",
        "de": "Das Endziel, wie die Seite es angibt: 3787, Frist 2022 (Etappenziel 401 nennt 3.785).",
        "lv": "Galamērķis, kā norādīts lapā: 3787, termiņš 2022. gads (starpposma mērķī 401 minētas 3785).",
    },
    "A new knowledge and advice centre set up": {
        "fr": "Création d'un nouveau centre de connaissances et de conseil",
        "de": "Einrichtung eines neuen Wissens- und Beratungszentrums",
        "lv": "Izveidots jauns zināšanu un konsultāciju centrs",
    },
    "Equipment available for all pupils": {
        "fr": "Équipement disponible pour tous les élèves",
        "de": "Ausstattung für alle Schülerinnen und Schüler verfügbar",
        "lv": "Aprīkojums pieejams visiem skolēniem",
    },
    "New training programmes for teachers rolled out": {
        "fr": "Déploiement de nouveaux programmes de formation pour les enseignants",
        "de": "Einführung neuer Fortbildungsprogramme für Lehrkräfte",
        "lv": "Ieviestas jaunas skolotāju apmācības programmas",
    },
    # Ghent (002)
    "The digital leap in Ghent's city schools": {
        "fr": "Le saut numérique dans l'enseignement communal de Gand",
        "de": "Der digitale Sprung in den städtischen Schulen von Gent",
        "lv": "Digitālais lēciens Gentes pilsētas skolās",
    },
    (
        "Ghent's city schools turn the Flemish Digisprong into four spearheads. Every pupil from the fifth "
        "year of primary school up and in secondary school gets a capable laptop; the city invests extra so "
        "that teachers get one too. About 6,000 laptops, through one supplier (Signpost), in three phases: "
        "preparation (counts, software per school type, user agreement, management rules), delivery "
        "(ready to use, sign-in with the school account, central remote management) and aftercare "
        "(problems solved with the supplier).\n\nThe letter states no amounts."
    ): {
        "fr": (
            "L'enseignement communal de Gand traduit le Digisprong flamand en quatre axes prioritaires. Chaque élève "
            "à partir de la cinquième année primaire et de l'enseignement secondaire reçoit un ordinateur portable "
            "performant ; la ville investit en plus pour que les enseignants en reçoivent un aussi. Environ 6 000 "
            "ordinateurs portables, par un seul fournisseur (Signpost), en trois phases : préparation (effectifs, "
            "logiciels par type d'enseignement, convention d'utilisation, règles de gestion), livraison (prêts à "
            "l'emploi, connexion avec le compte scolaire, gestion centrale à distance) et suivi (problèmes résolus "
            "avec le fournisseur).\n\nLa lettre ne mentionne aucun montant."
        ),
        "de": (
            "Das städtische Schulwesen Gent setzt den flämischen Digisprong in vier Schwerpunkten um. Jede "
            "Schülerin und jeder Schüler ab dem fünften Grundschuljahr und in der Sekundarstufe erhält einen "
            "leistungsfähigen Laptop; die Stadt investiert zusätzlich, damit auch die Lehrkräfte einen bekommen. "
            "Rund 6.000 Laptops über einen einzigen Lieferanten (Signpost) in drei Phasen: Vorbereitung "
            "(Stückzahlen, Software je Schulform, Nutzungsvereinbarung, Verwaltungsregeln), Lieferung "
            "(einsatzbereit, Anmeldung mit dem Schulkonto, zentrale Fernverwaltung) und Nachbetreuung (Probleme "
            "gemeinsam mit dem Lieferanten gelöst).\n\nDas Schreiben nennt keine Beträge."
        ),
        "lv": (
            "Gentes pilsētas skolas Flandrijas Digisprong īsteno četros prioritārajos virzienos. Katrs skolēns, "
            "sākot no sākumskolas piektā gada, un katrs vidusskolēns saņem jaudīgu klēpjdatoru; pilsēta papildus "
            "investē, lai klēpjdatoru saņemtu arī skolotāji. Aptuveni 6000 klēpjdatoru no viena piegādātāja "
            "(Signpost) trīs posmos: sagatavošana (skaits, programmatūra katram izglītības veidam, lietošanas "
            "līgums, pārvaldības noteikumi), piegāde (lietošanai gatavi, pieteikšanās ar skolas kontu, centralizēta "
            "attālināta pārvaldība) un pēcpiegādes atbalsts (problēmas risinātas kopā ar piegādātāju).\n\n"
            "Vēstulē summas nav norādītas."
        ),
    },
    "About 6,000 laptops for pupils (from the fifth year of primary school) and teachers": {
        "fr": "Environ 6 000 ordinateurs portables pour les élèves (à partir de la cinquième année primaire) et les enseignants",
        "de": "Rund 6.000 Laptops für Schülerinnen und Schüler (ab dem fünften Grundschuljahr) und Lehrkräfte",
        "lv": "Aptuveni 6000 klēpjdatoru skolēniem (no sākumskolas piektā gada) un skolotājiem",
    },
    "Future-proof and secure ICT infrastructure": {
        "fr": "Une infrastructure TIC sûre et pérenne",
        "de": "Zukunftsfähige und sichere IKT-Infrastruktur",
        "lv": "Nākotnes prasībām atbilstoša un droša IKT infrastruktūra",
    },
    "Supportive and effective school ICT policy": {
        "fr": "Une politique TIC scolaire porteuse et efficace",
        "de": "Unterstützende und wirksame schulische IKT-Strategie",
        "lv": "Atbalstoša un efektīva skolas IKT politika",
    },
    "Digitally competent teachers": {
        "fr": "Des enseignants compétents en numérique",
        "de": "Digital kompetente Lehrkräfte",
        "lv": "Digitāli kompetenti skolotāji",
    },
    "Adapted digital learning resources": {
        "fr": "Des ressources d'apprentissage numériques adaptées",
        "de": "Angepasste digitale Lernmittel",
        "lv": "Pielāgoti digitālie mācību līdzekļi",
    },
    "Preparation completed": {
        "fr": "Préparation terminée",
        "de": "Vorbereitung abgeschlossen",
        "lv": "Sagatavošana pabeigta",
    },
    "Counts established, software prepared and handed to the supplier, user agreement drawn up, management rules agreed.": {
        "fr": "Effectifs établis, logiciels préparés et transmis au fournisseur, convention d'utilisation rédigée, règles de gestion convenues.",
        "de": "Stückzahlen ermittelt, Software vorbereitet und an den Lieferanten übergeben, Nutzungsvereinbarung erstellt, Verwaltungsregeln vereinbart.",
        "lv": "Noteikts skaits, programmatūra sagatavota un nodota piegādātājam, sagatavots lietošanas līgums, saskaņoti pārvaldības noteikumi.",
    },
    "Laptops delivered": {
        "fr": "Ordinateurs portables livrés",
        "de": "Laptops geliefert",
        "lv": "Klēpjdatori piegādāti",
    },
    "About 6,000 laptops delivered ready to use to the schools, between the autumn holiday 2021 and the spring (Carnival) holiday 2022.": {
        "fr": "Environ 6 000 ordinateurs portables livrés prêts à l'emploi dans les écoles, entre les vacances d'automne 2021 et les vacances de carnaval 2022.",
        "de": "Rund 6.000 Laptops einsatzbereit an die Schulen geliefert, zwischen den Herbstferien 2021 und den Karnevalsferien 2022.",
        "lv": "Aptuveni 6000 lietošanai gatavu klēpjdatoru piegādāti skolām laikā no 2021. gada rudens brīvdienām līdz 2022. gada karnevāla (pavasara) brīvdienām.",
    },
    "Aftercare completed": {
        "fr": "Suivi terminé",
        "de": "Nachbetreuung abgeschlossen",
        "lv": "Pēcpiegādes atbalsts pabeigts",
    },
    "From delivery to the end of the 2022 school year: problems solved quickly in close contact with the supplier.": {
        "fr": "De la livraison à la fin de l'année scolaire 2022 : problèmes résolus rapidement en contact étroit avec le fournisseur.",
        "de": "Von der Lieferung bis zum Ende des Schuljahres 2022: Probleme in engem Kontakt mit dem Lieferanten schnell gelöst.",
        "lv": "No piegādes līdz 2022. mācību gada beigām: problēmas ātri atrisinātas ciešā saziņā ar piegādātāju.",
    },
    # Latvia (003)
    "Reducing the digital divide for socially vulnerable pupils and in schools (computers for socially vulnerable pupils)": {
        "nl": "De digitale kloof verkleinen voor sociaal kwetsbare leerlingen en in onderwijsinstellingen (computers voor sociaal kwetsbare leerlingen)",
        "fr": "Réduire la fracture numérique pour les élèves socialement vulnérables et dans les établissements d'enseignement (ordinateurs pour les élèves socialement vulnérables)",
        "de": "Verringerung der digitalen Kluft für sozial benachteiligte Schülerinnen und Schüler und in Bildungseinrichtungen (Computer für sozial benachteiligte Schülerinnen und Schüler)",
    },
    (
        "Investment 2.3.2.3.i. (Latvia's Recovery and Resilience Plan, component 2 \"Digital "
        'transformation", direction 2.3 "Digital skills", reform 2.3.2.r.) lowers barriers to learning: '
        "laptops for pupils from socially vulnerable groups (groups set by Cabinet Regulation No. 168) and "
        'better data transmission in schools after a preliminary study. Linked to the memorandum "A '
        'computer for every child". The first phase (REACT-EU) provided more than 25 thousand computers to '
        "pupils of grades 7–9 by the end of 2022; by the end of 2023 schools will use more than 60 thousand "
        "laptops. Limited call for project applications; implemented by the Ministry of Education and Science."
    ): {
        "nl": (
            'Investering 2.3.2.3.i. (herstel- en veerkrachtplan van Letland, component 2 "Digitale transformatie", '
            'hervormings- en investeringsrichting 2.3 "Digitale vaardigheden", hervorming 2.3.2.r.) verlaagt de '
            "drempels om te leren: laptops voor leerlingen uit sociaal kwetsbare groepen (groepen vastgesteld in "
            "Kabinetsverordening nr. 168) en betere datatransmissie in onderwijsinstellingen na een voorstudie. "
            'Verbonden met het memorandum "Een computer voor elk kind". De eerste fase (REACT-EU) leverde tegen '
            "eind 2022 meer dan 25 duizend computers aan leerlingen van de klassen 7–9; tegen eind 2023 zullen de "
            "scholen over meer dan 60 duizend laptops beschikken. Beperkte oproep tot het indienen van "
            "projectaanvragen; uitvoerder: het ministerie van Onderwijs en Wetenschap."
        ),
        "fr": (
            "L'investissement 2.3.2.3.i. (plan pour la reprise et la résilience de la Lettonie, composante 2 "
            "« Transformation numérique », axe de réformes et d'investissements 2.3 « Compétences numériques », "
            "réforme 2.3.2.r.) réduit les obstacles à l'apprentissage : des ordinateurs portables pour les élèves "
            "issus de groupes socialement vulnérables (groupes fixés par le règlement du Conseil des ministres "
            "n° 168) et une meilleure transmission des données dans les établissements d'enseignement après une "
            "étude préliminaire. Lié au mémorandum « Un ordinateur pour chaque enfant ». La première phase "
            "(REACT-EU) a fourni plus de 25 000 ordinateurs aux élèves des classes 7 à 9 d'ici fin 2022 ; d'ici "
            "fin 2023, les écoles disposeront de plus de 60 000 ordinateurs portables. Appel à projets restreint ; "
            "mise en œuvre : ministère de l'Éducation et des Sciences."
        ),
        "de": (
            "Die Investition 2.3.2.3.i. (Aufbau- und Resilienzplan Lettlands, Komponente 2 „Digitale "
            "Transformation“, Reform- und Investitionsbereich 2.3 „Digitale Kompetenzen“, Reform 2.3.2.r.) senkt "
            "die Hürden beim Lernen: Laptops für Schülerinnen und Schüler aus sozial benachteiligten Gruppen "
            "(Gruppen festgelegt in der Verordnung des Ministerkabinetts Nr. 168) und eine bessere Datenübertragung "
            "in den Bildungseinrichtungen nach einer Vorstudie. Verbunden mit dem Memorandum „Ein Computer für "
            "jedes Kind“. Die erste Phase (REACT-EU) stellte bis Ende 2022 mehr als 25.000 Computer für "
            "Schülerinnen und Schüler der Klassen 7–9 bereit; bis Ende 2023 werden die Schulen über mehr als "
            "60.000 Laptops verfügen. Begrenzter Aufruf zur Einreichung von Projektanträgen; Durchführung: "
            "Ministerium für Bildung und Wissenschaft."
        ),
    },
    "26,620 ICT equipment units for pupils of the target group by 31 December 2023 (cumulative)": {
        "nl": "26 620 eenheden ICT-apparatuur voor leerlingen van de doelgroep tegen 31 december 2023 (cumulatief)",
        "fr": "26 620 unités d'équipement TIC pour les élèves du groupe cible d'ici le 31 décembre 2023 (en cumul)",
        "de": "26.620 IKT-Geräteeinheiten für Schülerinnen und Schüler der Zielgruppe bis zum 31. Dezember 2023 (kumulativ)",
    },
    "Recovery Fund (RRF)": {"nl": "Herstelfonds (HVF)", "fr": "Fonds pour la reprise (FRR)", "de": "Aufbaufonds (ARF)"},
    "State budget": {"nl": "Staatsbegroting", "fr": "Budget de l'État", "de": "Staatshaushalt"},
    "Make laptops available to pupils from socially vulnerable groups": {
        "nl": "Laptops beschikbaar stellen voor leerlingen uit sociaal kwetsbare groepen",
        "fr": "Mettre des ordinateurs portables à la disposition des élèves issus de groupes socialement vulnérables",
        "de": "Laptops für Schülerinnen und Schüler aus sozial benachteiligten Gruppen bereitstellen",
    },
    "Provide data transmission for a good, meaningful and planned use of digital technologies in teaching": {
        "nl": "Datatransmissie voorzien voor een goed, zinvol en planmatig gebruik van digitale technologieën in het onderwijs",
        "fr": "Assurer la transmission de données pour une utilisation de qualité, pertinente et planifiée des technologies numériques dans l'enseignement",
        "de": "Datenübertragung für einen guten, sinnvollen und planvollen Einsatz digitaler Technologien im Unterricht bereitstellen",
    },
    "ICT equipment units for the target group (pupils)": {
        "nl": "Eenheden ICT-apparatuur voor de doelgroep (leerlingen)",
        "fr": "Unités d'équipement TIC pour le groupe cible (élèves)",
        "de": "IKT-Geräteeinheiten für die Zielgruppe (Schülerinnen und Schüler)",
    },
    "By 31 December 2022, 13,310 units of ICT equipment provided to the target group (pupils).": {
        "nl": "Tegen 31 december 2022 13 310 eenheden ICT-apparatuur verstrekt aan de doelgroep (leerlingen).",
        "fr": "D'ici le 31 décembre 2022, 13 310 unités d'équipement TIC fournies au groupe cible (élèves).",
        "de": "Bis zum 31. Dezember 2022 13.310 IKT-Geräteeinheiten für die Zielgruppe (Schülerinnen und Schüler) bereitgestellt.",
    },
    "ICT equipment units for the target group (pupils), cumulative": {
        "nl": "Eenheden ICT-apparatuur voor de doelgroep (leerlingen), cumulatief",
        "fr": "Unités d'équipement TIC pour le groupe cible (élèves), en cumul",
        "de": "IKT-Geräteeinheiten für die Zielgruppe (Schülerinnen und Schüler), kumulativ",
    },
    "By 31 December 2023, 26,620 units of ICT equipment provided to the target group (pupils), cumulative.": {
        "nl": "Tegen 31 december 2023 26 620 eenheden ICT-apparatuur verstrekt aan de doelgroep (leerlingen), cumulatief.",
        "fr": "D'ici le 31 décembre 2023, 26 620 unités d'équipement TIC fournies au groupe cible (élèves), en cumul.",
        "de": "Bis zum 31. Dezember 2023 26.620 IKT-Geräteeinheiten für die Zielgruppe (Schülerinnen und Schüler) bereitgestellt, kumulativ.",
    },
    "Analysis of school internet bandwidth and proposals": {
        "nl": "Analyse van de internetbandbreedte van de scholen en voorstellen",
        "fr": "Analyse de la bande passante internet des écoles et propositions",
        "de": "Analyse der Internetbandbreite der Schulen und Vorschläge",
    },
    "By 30 June 2024, data collected and analysed on the problems and needs of internet bandwidth in schools, and proposals prepared to improve data transmission, including the schools' internal networks.": {
        "nl": "Tegen 30 juni 2024 gegevens verzameld en geanalyseerd over de problemen en behoeften inzake internetbandbreedte in onderwijsinstellingen, en voorstellen opgesteld om de datatransmissie te verbeteren, waaronder de interne netwerken van de instellingen.",
        "fr": "D'ici le 30 juin 2024, données collectées et analysées sur les problèmes et les besoins en bande passante internet dans les établissements d'enseignement, et propositions élaborées pour améliorer la transmission des données, y compris les réseaux internes des établissements.",
        "de": "Bis zum 30. Juni 2024 Daten zu den Problemen und dem Bedarf an Internetbandbreite in den Bildungseinrichtungen erhoben und analysiert sowie Vorschläge zur Verbesserung der Datenübertragung erarbeitet, einschließlich der internen Netzwerke der Einrichtungen.",
    },
    # Mecklenburg-Vorpommern (004)
    "DigitalPakt Schule (Digital Pact for Schools) in Mecklenburg-Vorpommern": {
        "nl": "DigitalPakt Schule (Digitaal Pact voor Scholen) in Mecklenburg-Vorpommern",
        "fr": "DigitalPakt Schule (Pacte numérique pour les écoles) dans le Mecklenburg-Vorpommern",
        "lv": "DigitalPakt Schule (Digitālais pakts skolām) federālajā zemē Mecklenburg-Vorpommern",
    },
    (
        "With the DigitalPakt Schule the federal government supports digital education infrastructure in "
        "general and vocational schools (EUR 5 billion in all). Mecklenburg-Vorpommern receives "
        "EUR 99,209,500 and adds 10 % of that sum as co-financing. On behalf of the Ministry of Education, "
        "the eGo-MV association advises and guides the 207 school operators from the concepts through the "
        "funding application to the implementation. Applications require the operator's media development "
        "plan (MEP) and each school's media concept (MBK); the roll-out plan (ROP) says which school "
        "benefits in which funding year; change requests go to committees for decision.\n\n"
        "The page states no deadlines."
    ): {
        "nl": (
            "Met de DigitalPakt Schule ondersteunt de federale overheid de digitale onderwijsinfrastructuur in "
            "algemeen vormende scholen en beroepsscholen (in totaal 5 miljard euro). Mecklenburg-Vorpommern "
            "ontvangt daarvan 99.209.500 euro en voegt 10 % van dat bedrag toe als cofinanciering. In opdracht van "
            "het ministerie van Onderwijs adviseert en begeleidt het samenwerkingsverband eGo-MV de 207 "
            "schoolbesturen van de concepten via de subsidieaanvraag tot de uitvoering. Aanvragen vereisen het "
            "mediaontwikkelingsplan (MEP) van het schoolbestuur en het mediaconcept (MBK) van elke school; het "
            "uitrolplan (ROP) legt vast welke school in welk subsidiejaar aan de beurt is; wijzigingsverzoeken "
            "gaan ter beslissing naar de bevoegde commissies.\n\n"
            "De pagina vermeldt geen termijnen."
        ),
        "fr": (
            "Avec le DigitalPakt Schule, l'État fédéral soutient l'infrastructure numérique d'enseignement dans les "
            "écoles d'enseignement général et professionnel (5 milliards d'euros au total). Le "
            "Mecklenburg-Vorpommern en reçoit 99 209 500 euros et y ajoute 10 % de cette somme à titre de "
            "cofinancement. Pour le compte du ministère de l'Éducation, le syndicat intercommunal eGo-MV conseille "
            "et accompagne les 207 pouvoirs organisateurs, de l'élaboration des concepts à la mise en œuvre en "
            "passant par la demande de financement. Les demandes requièrent le plan de développement des médias "
            "(MEP) du pouvoir organisateur et le concept d'éducation aux médias (MBK) de chaque école ; le plan de "
            "déploiement (ROP) fixe quelle école en bénéficie au cours de quelle année de financement ; les "
            "demandes de modification sont soumises aux instances compétentes pour décision.\n\n"
            "La page ne mentionne aucune échéance."
        ),
        "lv": (
            "Ar DigitalPakt Schule federālā valdība atbalsta digitālās izglītības infrastruktūru vispārizglītojošās "
            "un profesionālās skolās (kopā 5 miljardi EUR). Mecklenburg-Vorpommern no tā saņem 99 209 500 EUR un kā "
            "līdzfinansējumu pievieno 10 % no šīs summas. Izglītības ministrijas uzdevumā mērķapvienība eGo-MV "
            "konsultē un atbalsta 207 skolu uzturētājus no koncepciju izstrādes līdz finansējuma pieteikumam un "
            "īstenošanai. Pieteikumiem nepieciešams skolas uzturētāja mediju attīstības plāns (MEP) un katras "
            "skolas medijizglītības koncepcija (MBK); ieviešanas plāns (ROP) nosaka, kura skola kurā finansēšanas "
            "gadā saņem atbalstu; grozījumu pieprasījumus lēmuma pieņemšanai iesniedz atbildīgajām komisijām.\n\n"
            "Lapā termiņi nav norādīti."
        ),
    },
    "The 207 school operators advised and guided through the funding application": {
        "nl": "De 207 schoolbesturen geadviseerd en begeleid bij de subsidieaanvraag",
        "fr": "Les 207 pouvoirs organisateurs conseillés et accompagnés tout au long de la demande de financement",
        "lv": "207 skolu uzturētāji konsultēti un atbalstīti finansējuma pieteikšanas procesā",
    },
    "Federal government (DigitalPakt Schule)": {
        "nl": "Federale overheid (DigitalPakt Schule)",
        "fr": "État fédéral (DigitalPakt Schule)",
        "lv": "Federālā valdība (DigitalPakt Schule)",
    },
    "Land Mecklenburg-Vorpommern (co-financing)": {
        "nl": "Deelstaat Mecklenburg-Vorpommern (cofinanciering)",
        "fr": "Land de Mecklenburg-Vorpommern (cofinancement)",
        "lv": "Federālā zeme Mecklenburg-Vorpommern (līdzfinansējums)",
    },
    "10 % of the federal sum, as stated; the amount is computed from it.": {
        "nl": "10 % van het federale bedrag, zoals vermeld; het bedrag is daaruit berekend.",
        "fr": "10 % de la somme fédérale, comme indiqué ; le montant en est calculé.",
        "lv": "10 % no federālās summas, kā norādīts; summa aprēķināta no tās.",
    },
    "Individual advice to school operators and schools": {
        "nl": "Individueel advies aan schoolbesturen en scholen",
        "fr": "Conseil individuel aux pouvoirs organisateurs et aux écoles",
        "lv": "Individuālas konsultācijas skolu uzturētājiem un skolām",
    },
    "Guidance through the funding procedure": {
        "nl": "Begeleiding tijdens de subsidieprocedure",
        "fr": "Accompagnement tout au long de la procédure de financement",
        "lv": "Atbalsts finansēšanas procedūras laikā",
    },
    "The roll-out plan (ROP) and its change requests": {
        "nl": "Het uitrolplan (ROP) en de wijzigingsverzoeken",
        "fr": "Le plan de déploiement (ROP) et ses demandes de modification",
        "lv": "Ieviešanas plāns (ROP) un tā grozījumu pieprasījumi",
    },
    "Advice on the technical concept": {
        "nl": "Advies over het technische concept",
        "fr": "Conseil sur le concept technique",
        "lv": "Konsultācijas par tehnisko koncepciju",
    },
    "Drafting the media development plan (MEP)": {
        "nl": "Opstellen van het mediaontwikkelingsplan (MEP)",
        "fr": "Élaboration du plan de développement des médias (MEP)",
        "lv": "Mediju attīstības plāna (MEP) izstrāde",
    },
}

# Names of the seed authorities and regions (stored once, in English, in Authority.name and
# Programme.region) as each language writes them; shown with translation.place_label.
PLACE_NAMES = {
    "Brussels-Capital Region": {
        "en": "Brussels-Capital Region",
        "nl": "Brussels Hoofdstedelijk Gewest",
        "fr": "Région de Bruxelles-Capitale",
        "de": "Region Brüssel-Hauptstadt",
        "lv": "Briseles galvaspilsētas reģions",
    },
    "Flemish Community": {
        "en": "Flemish Community",
        "nl": "Vlaamse Gemeenschap",
        "fr": "Communauté flamande",
        "de": "Flämische Gemeinschaft",
        "lv": "Flāmu kopiena",
    },
    "Flanders": {"en": "Flanders", "nl": "Vlaanderen", "fr": "Flandre", "de": "Flandern", "lv": "Flandrija"},
    "City of Ghent": {
        "en": "City of Ghent",
        "nl": "Stad Gent",
        "fr": "Ville de Gand",
        "de": "Stadt Gent",
        "lv": "Gentes pilsēta",
    },
    "Ghent": {"en": "Ghent", "nl": "Gent", "fr": "Gand", "de": "Gent", "lv": "Gente"},
    "Ministry of Education and Science of Latvia": {
        "en": "Ministry of Education and Science of Latvia",
        "nl": "Ministerie van Onderwijs en Wetenschap van Letland",
        "fr": "Ministère de l'Éducation et des Sciences de Lettonie",
        "de": "Ministerium für Bildung und Wissenschaft Lettlands",
        "lv": "Latvijas Republikas Izglītības un zinātnes ministrija",
    },
    "Latvia": {"en": "Latvia", "nl": "Letland", "fr": "Lettonie", "de": "Lettland", "lv": "Latvija"},
    "Land Mecklenburg-Vorpommern": {
        "en": "Land Mecklenburg-Vorpommern",
        "nl": "Deelstaat Mecklenburg-Vorpommern",
        "fr": "Land de Mecklenburg-Vorpommern",
        "de": "Land Mecklenburg-Vorpommern",
        "lv": "Federālā zeme Mecklenburg-Vorpommern",
    },
    "Mecklenburg-Vorpommern": {code: "Mecklenburg-Vorpommern" for code in ("en", "nl", "fr", "de", "lv")},
}

LANGUAGES = ("en", "nl", "fr", "de", "lv")


def _fill_languages(node) -> None:
    """Add the missing languages from TRANSLATIONS to every text mapping in ``node``, in place."""
    if isinstance(node, list):
        for item in node:
            _fill_languages(item)
    elif isinstance(node, dict):
        if node and set(node) <= set(LANGUAGES) and isinstance(node.get("en"), str):
            for code, text in TRANSLATIONS.get(node["en"], {}).items():
                node.setdefault(code, text)
            return
        for value in node.values():
            _fill_languages(value)


_fill_languages(PROGRAMMES)

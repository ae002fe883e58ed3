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

PROGRAMMES = [
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
                "target_value": D("1.00"),
                "unit": "document",
                "due_date": day(2024, 6, 30),
                "due_label": "2024. gada 30. jūnijs",
                "reported_status": "to_do",
                "indicator": (
                    "document_approved",
                    {"document": "Bandwidth analysis report with improvement proposals"},
                ),
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

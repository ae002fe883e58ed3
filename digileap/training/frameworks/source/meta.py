"""DigCompEdu 1.0: the framework's name, source and its six proficiency levels.

Each text is a tuple in the order of ``LANGUAGES``. The level descriptors follow Redecker (2017),
section 3, shortened; the translations use the terms of the published language versions where
known (de: Einsteiger … Vorreiter; fr: Nouveau venu … Pionnier; lv: Iesācējs … Pionieris).
"""

LANGUAGES = ("en", "nl", "fr", "de", "lv")

CODE = "digcompedu"
VERSION = "1.0"
SOURCE_URL = "https://publications.jrc.ec.europa.eu/repository/handle/JRC107466"

SOURCE = {
    "publisher": "European Commission, Joint Research Centre (JRC)",
    "citation": (
        "Redecker, C. (2017). European Framework for the Digital Competence of Educators: DigCompEdu. "
        "Punie, Y. (ed). EUR 28775 EN. Publications Office of the European Union, Luxembourg. "
        "ISBN 978-92-79-73494-6, doi:10.2760/159770, JRC107466."
    ),
    "url": SOURCE_URL,
    "doi": "https://doi.org/10.2760/159770",
    "framework_page": "https://joint-research-centre.ec.europa.eu/digcompedu_en",
    "licence": "CC BY 4.0",
    "licence_url": "https://creativecommons.org/licenses/by/4.0/",
    "licence_note": (
        "© European Union, 2017. Reuse of the framework is authorised under the European Commission's "
        "reuse policy (Decision 2011/833/EU; Commission documents are licensed under Creative Commons "
        "Attribution 4.0 International, CC BY 4.0). The areas, competences and level descriptors follow "
        "the publication, shortened. The per-level statements are Digileap's own wording in the style of "
        "the DigCompEdu CheckIn self-assessment, not the official questionnaire; the Dutch, French, German "
        "and Latvian texts are Digileap's translations, with the terms of the published language versions "
        "where known. Changes were made."
    ),
}

NAME = (
    "DigCompEdu: European Framework for the Digital Competence of Educators",
    "DigCompEdu: Europees referentiekader voor de digitale competentie van onderwijsgevenden",
    "DigCompEdu : Cadre européen pour la compétence numérique des enseignants",
    "DigCompEdu: Europäischer Rahmen für die Digitale Kompetenz Lehrender",
    "DigCompEdu: Eiropas pedagogu digitālās kompetences ietvars",
)

DESCRIPTION = (
    "The European Commission's framework of 22 competences in six areas that describe how educators use "
    "digital technologies in their professional engagement, their teaching and assessment, and to empower "
    "learners and develop their digital competence; six proficiency levels from A1 Newcomer to C2 Pioneer.",
    "Het referentiekader van de Europese Commissie met 22 competenties in zes domeinen die beschrijven hoe "
    "onderwijsgevenden digitale technologie inzetten in hun professionele betrokkenheid, hun onderwijs en "
    "toetsing, om lerenden te versterken en hun digitale competentie te ontwikkelen; zes niveaus van A1 "
    "Nieuwkomer tot C2 Pionier.",
    "Le cadre de la Commission européenne : 22 compétences réparties en six domaines, qui décrivent comment "
    "les enseignants utilisent les technologies numériques dans leur engagement professionnel, leur "
    "enseignement et leur évaluation, pour autonomiser les apprenants et développer leur compétence "
    "numérique ; six niveaux, de A1 Nouveau venu à C2 Pionnier.",
    "Der Rahmen der Europäischen Kommission mit 22 Kompetenzen in sechs Bereichen, die beschreiben, wie "
    "Lehrende digitale Technologien im beruflichen Engagement, beim Lehren und Evaluieren, zur Förderung "
    "der Lernenden und ihrer Digitalen Kompetenz einsetzen; sechs Kompetenzstufen von A1 Einsteiger bis "
    "C2 Vorreiter.",
    "Eiropas Komisijas ietvars: 22 kompetences sešās jomās, kas apraksta, kā pedagogi izmanto digitālās "
    "tehnoloģijas profesionālajā darbībā, mācīšanā un vērtēšanā, lai iespēcinātu izglītojamos un attīstītu "
    "viņu digitālo kompetenci; seši līmeņi no A1 Iesācējs līdz C2 Pionieris.",
)

# (code, rank, name, descriptor)
LEVELS = [
    (
        "A1",
        1,
        ("Newcomer", "Nieuwkomer", "Nouveau venu", "Einsteiger", "Iesācējs"),
        (
            "Newcomers are aware of the potential of digital technologies for enhancing pedagogical and "
            "professional practice, but have had very little contact with them and use them mainly for lesson "
            "preparation, administration or organisational communication. They need guidance and encouragement "
            "to expand their repertoire and to apply their digital competence in teaching.",
            "Nieuwkomers zijn zich bewust van de mogelijkheden van digitale technologie om hun didactische en "
            "professionele praktijk te verbeteren, maar hebben er weinig mee gewerkt en gebruiken ze vooral voor "
            "lesvoorbereiding, administratie of communicatie binnen de organisatie. Ze hebben begeleiding en "
            "aanmoediging nodig om hun repertoire uit te breiden en hun digitale competentie in hun onderwijs "
            "in te zetten.",
            "Les nouveaux venus ont conscience du potentiel des technologies numériques pour améliorer leur "
            "pratique pédagogique et professionnelle, mais ils les ont très peu utilisées et s'en servent surtout "
            "pour préparer leurs cours, pour l'administration ou la communication de l'établissement. Ils ont "
            "besoin d'accompagnement et d'encouragement pour élargir leur répertoire et mettre leur compétence "
            "numérique au service de leur enseignement.",
            "Einsteiger sind sich des Potenzials digitaler Technologien für die pädagogische und berufliche "
            "Praxis bewusst, hatten aber bisher wenig Kontakt mit ihnen und nutzen sie vor allem zur "
            "Unterrichtsvorbereitung, Verwaltung oder Kommunikation in der Einrichtung. Sie brauchen Anleitung "
            "und Ermutigung, um ihr Repertoire zu erweitern und ihre Digitale Kompetenz im Unterricht "
            "einzusetzen.",
            "Iesācēji apzinās digitālo tehnoloģiju potenciālu pedagoģiskās un profesionālās prakses uzlabošanā, "
            "taču viņiem ir maza pieredze ar tām, un viņi tās izmanto galvenokārt stundu sagatavošanai, "
            "administratīvajam darbam vai saziņai iestādē. Viņiem vajadzīgs atbalsts un iedrošinājums, lai "
            "paplašinātu savu repertuāru un izmantotu digitālo kompetenci mācīšanā.",
        ),
    ),
    (
        "A2",
        2,
        ("Explorer", "Ontdekker", "Explorateur", "Entdecker", "Pētnieks"),
        (
            "Explorers are aware of the potential of digital technologies and are interested in exploring them. "
            "They have started using them in some areas of digital competence, without a comprehensive or "
            "consistent approach. They need encouragement, insight and inspiration, for example through the "
            "example and guidance of colleagues.",
            "Ontdekkers zijn zich bewust van de mogelijkheden van digitale technologie en willen die verkennen. "
            "Ze gebruiken ze al in sommige domeinen van digitale competentie, maar nog zonder een samenhangende "
            "of consequente aanpak. Ze hebben aanmoediging, inzicht en inspiratie nodig, bijvoorbeeld via het "
            "voorbeeld en de begeleiding van collega's.",
            "Les explorateurs ont conscience du potentiel des technologies numériques et souhaitent les explorer. "
            "Ils ont commencé à les utiliser dans certains domaines de la compétence numérique, sans approche "
            "globale ni cohérente. Ils ont besoin d'encouragement, de repères et d'inspiration, par exemple grâce "
            "à l'exemple et aux conseils de collègues.",
            "Entdecker sind sich des Potenzials digitaler Technologien bewusst und möchten sie erkunden. Sie "
            "nutzen sie bereits in einigen Bereichen der Digitalen Kompetenz, jedoch ohne umfassenden oder "
            "einheitlichen Ansatz. Sie brauchen Ermutigung, Einblicke und Anregungen, etwa durch das Beispiel "
            "und die Unterstützung von Kolleginnen und Kollegen.",
            "Pētnieki apzinās digitālo tehnoloģiju potenciālu un vēlas tās izzināt. Viņi jau izmanto tās dažās "
            "digitālās kompetences jomās, taču bez vispusīgas vai konsekventas pieejas. Viņiem vajadzīgs "
            "iedrošinājums, izpratne un iedvesma, piemēram, ar kolēģu piemēru un padomu.",
        ),
    ),
    (
        "B1",
        3,
        ("Integrator", "Integrator", "Intégrateur", "Insider", "Integrētājs"),
        (
            "Integrators experiment with digital technologies in a variety of contexts and for a range of "
            "purposes, integrating them into many of their practices. They are eager to expand their repertoire "
            "and benefit from understanding better which tools work best in which situations. They need more "
            "time for experimentation and reflection, with collaborative encouragement and knowledge exchange.",
            "Integratoren experimenteren met digitale technologie in uiteenlopende contexten en voor "
            "verschillende doelen, en integreren ze in veel van hun praktijken. Ze willen hun repertoire graag "
            "uitbreiden en hebben baat bij meer inzicht in welke tools in welke situaties het best werken. Ze "
            "hebben meer tijd nodig om te experimenteren en te reflecteren, met aanmoediging en kennisdeling "
            "door collega's.",
            "Les intégrateurs expérimentent les technologies numériques dans des contextes variés et à des fins "
            "diverses, et les intègrent dans une grande partie de leurs pratiques. Ils souhaitent élargir leur "
            "répertoire et gagneraient à mieux comprendre quels outils conviennent le mieux à quelles situations. "
            "Il leur faut davantage de temps pour expérimenter et réfléchir, avec l'encouragement et les échanges "
            "de collègues.",
            "Insider experimentieren mit digitalen Technologien in unterschiedlichen Zusammenhängen und für "
            "verschiedene Zwecke und integrieren sie in viele ihrer Praktiken. Sie möchten ihr Repertoire "
            "erweitern und profitieren davon, besser zu verstehen, welche Werkzeuge in welchen Situationen am "
            "besten wirken. Sie brauchen mehr Zeit zum Experimentieren und Reflektieren, unterstützt durch "
            "kollegialen Austausch.",
            "Integrētāji eksperimentē ar digitālajām tehnoloģijām dažādos kontekstos un dažādiem mērķiem un "
            "iekļauj tās daudzās savas prakses jomās. Viņi vēlas paplašināt savu repertuāru, un viņiem noder "
            "labāka izpratne par to, kuri rīki kurās situācijās darbojas vislabāk. Viņiem vajag vairāk laika "
            "eksperimentiem un refleksijai, ko papildina kolēģu atbalsts un pieredzes apmaiņa.",
        ),
    ),
    (
        "B2",
        4,
        ("Expert", "Expert", "Expert", "Experte", "Eksperts"),
        (
            "Experts use a range of digital technologies confidently, creatively and critically to enhance their "
            "professional activities. They purposefully select technologies for particular situations and try "
            "to understand the benefits and drawbacks of different digital strategies. They are curious and open "
            "to new ideas, and use experimentation to expand, structure and consolidate their repertoire.",
            "Experts gebruiken een reeks digitale technologieën met vertrouwen, creatief en kritisch om hun "
            "professionele activiteiten te verbeteren. Ze kiezen technologie doelgericht voor een bepaalde "
            "situatie en proberen de voor- en nadelen van verschillende digitale strategieën te begrijpen. Ze "
            "zijn nieuwsgierig en staan open voor nieuwe ideeën, en experimenteren om hun repertoire uit te "
            "breiden, te structureren en te verankeren.",
            "Les experts utilisent un éventail de technologies numériques avec assurance, créativité et esprit "
            "critique pour améliorer leurs activités professionnelles. Ils choisissent délibérément les "
            "technologies selon la situation et cherchent à comprendre les avantages et les inconvénients des "
            "différentes stratégies numériques. Curieux et ouverts aux idées nouvelles, ils expérimentent pour "
            "élargir, structurer et consolider leur répertoire.",
            "Experten nutzen eine Reihe digitaler Technologien sicher, kreativ und kritisch, um ihre berufliche "
            "Tätigkeit zu verbessern. Sie wählen Technologien gezielt für bestimmte Situationen aus und versuchen, "
            "Vor- und Nachteile verschiedener digitaler Strategien zu verstehen. Sie sind neugierig und offen für "
            "neue Ideen und nutzen das Experimentieren, um ihr Repertoire zu erweitern, zu strukturieren und zu "
            "festigen.",
            "Eksperti droši, radoši un kritiski izmanto dažādas digitālās tehnoloģijas, lai pilnveidotu savu "
            "profesionālo darbību. Viņi mērķtiecīgi izvēlas tehnoloģijas konkrētām situācijām un cenšas izprast "
            "dažādu digitālo stratēģiju priekšrocības un trūkumus. Viņi ir zinātkāri un atvērti jaunām idejām un "
            "eksperimentē, lai paplašinātu, strukturētu un nostiprinātu savu repertuāru.",
        ),
    ),
    (
        "C1",
        5,
        ("Leader", "Leider", "Leader", "Leader", "Līderis"),
        (
            "Leaders have a consistent and comprehensive approach to using digital technologies to enhance "
            "pedagogic and professional practice. They rely on a broad repertoire of digital strategies from "
            "which they choose the most appropriate for any given situation. They continuously reflect on and "
            "develop their practice, keep up to date with peers, and are a source of inspiration for others.",
            "Leiders hebben een consequente en allesomvattende aanpak om met digitale technologie hun didactische "
            "en professionele praktijk te verbeteren. Ze beschikken over een breed repertoire aan digitale "
            "strategieën waaruit ze voor elke situatie de meest geschikte kiezen. Ze reflecteren voortdurend op "
            "hun praktijk en ontwikkelen die verder, blijven via collega's op de hoogte en inspireren anderen.",
            "Les leaders ont une approche cohérente et globale de l'utilisation des technologies numériques pour "
            "améliorer leurs pratiques pédagogiques et professionnelles. Ils s'appuient sur un large répertoire "
            "de stratégies numériques dans lequel ils savent choisir la plus adaptée à chaque situation. Ils "
            "réfléchissent en permanence à leurs pratiques et les font évoluer, se tiennent informés grâce à "
            "leurs pairs et sont une source d'inspiration pour les autres.",
            "Leader verfolgen einen konsequenten und umfassenden Ansatz, digitale Technologien zur Verbesserung "
            "ihrer pädagogischen und beruflichen Praxis einzusetzen. Sie verfügen über ein breites Repertoire "
            "digitaler Strategien, aus dem sie für jede Situation die passendste wählen. Sie reflektieren und "
            "entwickeln ihre Praxis ständig weiter, halten sich im Austausch mit anderen auf dem Laufenden und "
            "sind eine Quelle der Inspiration für andere.",
            "Līderiem ir konsekventa un vispusīga pieeja digitālo tehnoloģiju izmantošanai pedagoģiskās un "
            "profesionālās prakses uzlabošanā. Viņi balstās uz plašu digitālo stratēģiju repertuāru un prot "
            "izvēlēties katrai situācijai piemērotāko. Viņi pastāvīgi reflektē par savu praksi un to attīsta, "
            "seko jaunumiem kopā ar kolēģiem un iedvesmo citus.",
        ),
    ),
    (
        "C2",
        6,
        ("Pioneer", "Pionier", "Pionnier", "Vorreiter", "Pionieris"),
        (
            "Pioneers question the adequacy of contemporary digital and pedagogical practices, in which they "
            "themselves are Leaders. They are driven by the impulse to innovate education even further, "
            "experiment with highly innovative and complex digital technologies or develop novel pedagogical "
            "approaches. They lead innovation and are a role model for others.",
            "Pioniers stellen de hedendaagse digitale en didactische praktijken in vraag, ook al zijn ze daar "
            "zelf Leider in. Ze willen het onderwijs nog verder vernieuwen, experimenteren met zeer innovatieve "
            "en complexe digitale technologie of ontwikkelen nieuwe didactische benaderingen. Ze leiden "
            "vernieuwing en zijn een rolmodel voor anderen.",
            "Les pionniers remettent en question la pertinence des pratiques numériques et pédagogiques "
            "actuelles, dont ils sont eux-mêmes des leaders. Animés par la volonté d'innover encore davantage "
            "dans l'éducation, ils expérimentent des technologies numériques très innovantes et complexes ou "
            "développent des approches pédagogiques nouvelles. Ils mènent l'innovation et sont un modèle pour "
            "les autres.",
            "Vorreiter hinterfragen die Angemessenheit aktueller digitaler und pädagogischer Praktiken, in denen "
            "sie selbst Leader sind. Angetrieben vom Wunsch, Bildung weiter zu erneuern, experimentieren sie mit "
            "hochinnovativen und komplexen digitalen Technologien oder entwickeln neue pädagogische Ansätze. Sie "
            "treiben Innovation voran und sind ein Vorbild für andere.",
            "Pionieri apšauba mūsdienu digitālās un pedagoģiskās prakses atbilstību, lai gan paši tajā ir "
            "līderi. Viņus virza vēlme vēl vairāk inovēt izglītību: viņi eksperimentē ar ļoti inovatīvām un "
            "sarežģītām digitālajām tehnoloģijām vai izstrādā jaunas pedagoģiskās pieejas. Viņi vada inovācijas "
            "un ir paraugs citiem.",
        ),
    ),
]

"""Area 2, Digital resources (see area1.py for the shape)."""

AREA = (
    "2",
    ("Digital resources", "Digitale bronnen", "Ressources numériques", "Digitale Ressourcen", "Digitālie resursi"),
    (
        "Sourcing, creating and sharing digital resources.",
        "Digitale bronnen zoeken, maken en delen.",
        "Rechercher, créer et partager des ressources numériques.",
        "Digitale Ressourcen auswählen, erstellen und teilen.",
        "Digitālo resursu atlase, veidošana un koplietošana.",
    ),
    [
        (
            "2.1",
            ("Selecting", "Selecteren", "Sélection", "Auswählen digitaler Ressourcen", "Atlase"),
            (
                "Identifying, assessing and selecting digital resources for teaching and learning, considering the "
                "learning objective, context, pedagogical approach and learner group.",
                "Digitale bronnen voor onderwijzen en leren vinden, beoordelen en selecteren, rekening houdend met "
                "het leerdoel, de context, de didactische aanpak en de groep lerenden.",
                "Identifier, évaluer et sélectionner des ressources numériques pour l'enseignement et "
                "l'apprentissage, en tenant compte de l'objectif d'apprentissage, du contexte, de l'approche "
                "pédagogique et du groupe d'apprenants.",
                "Digitale Ressourcen für Lehren und Lernen finden, bewerten und auswählen, unter Berücksichtigung "
                "von Lernziel, Kontext, pädagogischem Ansatz und Lerngruppe.",
                "Atrast, izvērtēt un atlasīt digitālos resursus mācīšanai un mācīšanās procesam, ņemot vērā "
                "mācību mērķi, kontekstu, pedagoģisko pieeju un izglītojamo grupu.",
            ),
            [
                (
                    "I rarely look for digital resources for my teaching.",
                    "Ik zoek zelden naar digitale bronnen voor mijn onderwijs.",
                    "Je recherche rarement des ressources numériques pour mon enseignement.",
                    "Ich suche selten nach digitalen Ressourcen für meinen Unterricht.",
                    "Es reti meklēju digitālos resursus savai mācīšanai.",
                ),
                (
                    "I use simple internet searches to find digital resources for my teaching.",
                    "Ik gebruik eenvoudige zoekopdrachten op het internet om digitale bronnen voor mijn onderwijs "
                    "te vinden.",
                    "J'effectue des recherches simples sur Internet pour trouver des ressources numériques pour mon "
                    "enseignement.",
                    "Ich nutze einfache Internetsuchen, um digitale Ressourcen für meinen Unterricht zu finden.",
                    "Es izmantoju vienkāršu meklēšanu internetā, lai atrastu digitālos resursus savai mācīšanai.",
                ),
                (
                    "I use different search strategies and sources and check resources for quality and fit before "
                    "I use them.",
                    "Ik gebruik verschillende zoekstrategieën en bronnen en controleer de kwaliteit en geschiktheid "
                    "van materiaal voor ik het gebruik.",
                    "J'utilise différentes stratégies de recherche et sources, et je vérifie la qualité et la "
                    "pertinence des ressources avant de les utiliser.",
                    "Ich nutze verschiedene Suchstrategien und Quellen und prüfe Ressourcen vor dem Einsatz auf "
                    "Qualität und Eignung.",
                    "Es izmantoju dažādas meklēšanas stratēģijas un avotus un pirms lietošanas pārbaudu resursu "
                    "kvalitāti un piemērotību.",
                ),
                (
                    "I select resources against clear criteria, such as reliability, learning objective and my "
                    "learners' needs.",
                    "Ik selecteer bronnen aan de hand van duidelijke criteria, zoals betrouwbaarheid, leerdoel en de "
                    "behoeften van mijn lerenden.",
                    "Je sélectionne les ressources selon des critères clairs, comme la fiabilité, l'objectif "
                    "d'apprentissage et les besoins de mes apprenants.",
                    "Ich wähle Ressourcen nach klaren Kriterien wie Verlässlichkeit, Lernziel und Bedürfnissen "
                    "meiner Lernenden aus.",
                    "Es atlasu resursus pēc skaidriem kritērijiem, piemēram, uzticamības, mācību mērķa un manu "
                    "izglītojamo vajadzībām.",
                ),
                (
                    "I advise colleagues on suitable digital resources and on how to search for and judge them.",
                    "Ik adviseer collega's over geschikte digitale bronnen en over hoe ze die zoeken en beoordelen.",
                    "Je conseille mes collègues sur les ressources numériques adaptées et sur la manière de les "
                    "rechercher et de les évaluer.",
                    "Ich berate Kolleginnen und Kollegen zu geeigneten digitalen Ressourcen und dazu, wie man sie "
                    "sucht und bewertet.",
                    "Es konsultēju kolēģus par piemērotiem digitālajiem resursiem un to meklēšanu un izvērtēšanu.",
                ),
                (
                    "I help build collections or repositories of quality-assured digital resources for my school "
                    "or beyond.",
                    "Ik help collecties of databanken van kwaliteitsvol digitaal materiaal op te bouwen voor mijn "
                    "school of daarbuiten.",
                    "Je contribue à constituer des collections ou des banques de ressources numériques de qualité "
                    "pour mon école ou au-delà.",
                    "Ich helfe beim Aufbau von Sammlungen oder Datenbanken qualitätsgeprüfter digitaler Ressourcen "
                    "für meine Schule oder darüber hinaus.",
                    "Es palīdzu veidot kvalitatīvu digitālo resursu kolekcijas vai krātuves savai skolai vai plašāk.",
                ),
            ],
        ),
        (
            "2.2",
            (
                "Creating and modifying",
                "Creëren en aanpassen",
                "Création et modification",
                "Erstellen und Anpassen digitaler Ressourcen",
                "Veidošana un pielāgošana",
            ),
            (
                "Modifying and building on existing openly licensed resources, and creating or co-creating new "
                "digital educational resources, considering the learning objective, context and learner group.",
                "Bestaande open gelicentieerde bronnen aanpassen en erop voortbouwen, en zelf of samen nieuwe "
                "digitale leermiddelen maken, rekening houdend met het leerdoel, de context en de groep lerenden.",
                "Modifier et enrichir des ressources existantes sous licence ouverte, et créer ou co-créer de "
                "nouvelles ressources éducatives numériques, en tenant compte de l'objectif, du contexte et du "
                "groupe d'apprenants.",
                "Offen lizenzierte Ressourcen anpassen und weiterentwickeln sowie neue digitale Bildungsressourcen "
                "allein oder gemeinsam erstellen, unter Berücksichtigung von Lernziel, Kontext und Lerngruppe.",
                "Pielāgot un papildināt esošos atvērti licencētus resursus un patstāvīgi vai kopā ar citiem veidot "
                "jaunus digitālos mācību resursus, ņemot vērā mācību mērķi, kontekstu un izglītojamo grupu.",
            ),
            [
                (
                    "I do not create or change digital resources myself.",
                    "Ik maak of bewerk zelf geen digitale bronnen.",
                    "Je ne crée pas et ne modifie pas moi-même de ressources numériques.",
                    "Ich erstelle oder verändere selbst keine digitalen Ressourcen.",
                    "Es pats neveidoju un nepielāgoju digitālos resursus.",
                ),
                (
                    "I create simple digital materials, such as worksheets or slides, with office software.",
                    "Ik maak eenvoudig digitaal materiaal, zoals werkbladen of presentaties, met kantoorsoftware.",
                    "Je crée des supports numériques simples, comme des fiches ou des diaporamas, avec un logiciel "
                    "de bureautique.",
                    "Ich erstelle einfache digitale Materialien wie Arbeitsblätter oder Folien mit Office-Programmen.",
                    "Es veidoju vienkāršus digitālos materiālus, piemēram, darba lapas vai slaidus, ar biroja "
                    "programmām.",
                ),
                (
                    "I adapt existing digital resources to my class and create ones that include interactive elements.",
                    "Ik pas bestaand digitaal materiaal aan mijn klas aan en maak materiaal met interactieve "
                    "elementen.",
                    "J'adapte des ressources numériques existantes à ma classe et j'en crée qui comportent des "
                    "éléments interactifs.",
                    "Ich passe vorhandene digitale Ressourcen an meine Klasse an und erstelle Ressourcen mit "
                    "interaktiven Elementen.",
                    "Es pielāgoju esošos digitālos resursus savai klasei un veidoju resursus ar interaktīviem "
                    "elementiem.",
                ),
                (
                    "I create and modify complex, interactive resources, respecting copyright and open licences.",
                    "Ik maak en bewerk complexe, interactieve bronnen en respecteer daarbij auteursrecht en open "
                    "licenties.",
                    "Je crée et modifie des ressources complexes et interactives, dans le respect du droit d'auteur "
                    "et des licences ouvertes.",
                    "Ich erstelle und verändere komplexe, interaktive Ressourcen und beachte dabei Urheberrecht und "
                    "offene Lizenzen.",
                    "Es veidoju un pielāgoju sarežģītus, interaktīvus resursus, ievērojot autortiesības un atvērtās "
                    "licences.",
                ),
                (
                    "I create digital resources with colleagues and publish them under an open licence.",
                    "Ik maak digitale bronnen samen met collega's en publiceer ze onder een open licentie.",
                    "Je crée des ressources numériques avec mes collègues et je les publie sous licence ouverte.",
                    "Ich erstelle digitale Ressourcen gemeinsam mit Kolleginnen und Kollegen und veröffentliche sie "
                    "unter einer offenen Lizenz.",
                    "Es kopā ar kolēģiem veidoju digitālos resursus un publicēju tos ar atvērto licenci.",
                ),
                (
                    "I design innovative digital learning environments or tools and share them with other educators.",
                    "Ik ontwerp innovatieve digitale leeromgevingen of tools en deel ze met andere onderwijsgevenden.",
                    "Je conçois des environnements ou des outils d'apprentissage numériques innovants et je les "
                    "partage avec d'autres enseignants.",
                    "Ich entwickle innovative digitale Lernumgebungen oder Werkzeuge und teile sie mit anderen "
                    "Lehrenden.",
                    "Es izstrādāju inovatīvas digitālās mācību vides vai rīkus un dalos ar tiem ar citiem pedagogiem.",
                ),
            ],
        ),
        (
            "2.3",
            (
                "Managing, protecting and sharing",
                "Beheren, beschermen en delen",
                "Gestion, protection et partage",
                "Organisieren, Schützen und Teilen digitaler Ressourcen",
                "Pārvaldība, aizsardzība un koplietošana",
            ),
            (
                "Organising digital content and making it available to learners, parents and other educators; "
                "protecting sensitive content; respecting privacy and copyright rules; using open licences.",
                "Digitale inhoud ordenen en beschikbaar maken voor lerenden, ouders en andere onderwijsgevenden; "
                "gevoelige inhoud beschermen; privacy- en auteursrechtregels naleven; open licenties gebruiken.",
                "Organiser les contenus numériques et les mettre à disposition des apprenants, des parents et "
                "d'autres enseignants ; protéger les contenus sensibles ; respecter la vie privée et le droit "
                "d'auteur ; utiliser des licences ouvertes.",
                "Digitale Inhalte organisieren und Lernenden, Eltern und anderen Lehrenden zugänglich machen; "
                "sensible Inhalte schützen; Datenschutz und Urheberrecht beachten; offene Lizenzen nutzen.",
                "Organizēt digitālo saturu un padarīt to pieejamu izglītojamajiem, vecākiem un citiem pedagogiem; "
                "aizsargāt sensitīvu saturu; ievērot privātuma un autortiesību noteikumus; izmantot atvērtās "
                "licences.",
            ),
            [
                (
                    "I rarely share digital materials and I am unsure about copyright and data protection.",
                    "Ik deel zelden digitaal materiaal en ben onzeker over auteursrecht en gegevensbescherming.",
                    "Je partage rarement des supports numériques et je ne suis pas sûr(e) des règles de droit "
                    "d'auteur et de protection des données.",
                    "Ich teile selten digitale Materialien und bin unsicher in Fragen von Urheberrecht und "
                    "Datenschutz.",
                    "Es reti dalos ar digitālajiem materiāliem un neesmu drošs par autortiesību un datu "
                    "aizsardzības noteikumiem.",
                ),
                (
                    "I share materials as e-mail attachments or links and store them on my computer.",
                    "Ik deel materiaal als bijlage of link bij een e-mail en bewaar het op mijn computer.",
                    "Je partage des supports en pièce jointe ou par lien dans un courriel et je les stocke sur mon "
                    "ordinateur.",
                    "Ich teile Materialien als E-Mail-Anhang oder Link und speichere sie auf meinem Computer.",
                    "Es dalos ar materiāliem kā e-pasta pielikumiem vai saitēm un glabāju tos savā datorā.",
                ),
                (
                    "I organise my materials in a shared platform and protect personal data in them.",
                    "Ik orden mijn materiaal in een gedeeld platform en bescherm de persoonsgegevens die erin staan.",
                    "J'organise mes supports sur une plateforme partagée et je protège les données personnelles "
                    "qu'ils contiennent.",
                    "Ich organisiere meine Materialien auf einer gemeinsamen Plattform und schütze die "
                    "personenbezogenen Daten darin.",
                    "Es organizēju savus materiālus koplietošanas platformā un aizsargāju tajos esošos personas datus.",
                ),
                (
                    "I share resources on the school's platform or online with correct attribution and licences, "
                    "and protect sensitive data.",
                    "Ik deel bronnen op het platform van de school of online met correcte bronvermelding en "
                    "licenties, en bescherm gevoelige gegevens.",
                    "Je partage des ressources sur la plateforme de l'école ou en ligne en citant correctement "
                    "les sources et les licences, et je protège les données sensibles.",
                    "Ich teile Ressourcen auf der Plattform der Schule oder online mit korrekter Namensnennung und "
                    "Lizenz und schütze sensible Daten.",
                    "Es dalos ar resursiem skolas platformā vai tiešsaistē, pareizi norādot autorus un licences, un "
                    "aizsargāju sensitīvus datus.",
                ),
                (
                    "I publish my own resources under open licences and help colleagues to manage and protect theirs.",
                    "Ik publiceer mijn eigen materiaal onder open licenties en help collega's om het hunne te beheren "
                    "en te beschermen.",
                    "Je publie mes propres ressources sous licence ouverte et j'aide mes collègues à gérer et "
                    "protéger les leurs.",
                    "Ich veröffentliche eigene Ressourcen unter offenen Lizenzen und helfe Kolleginnen und "
                    "Kollegen, ihre zu organisieren und zu schützen.",
                    "Es publicēju savus resursus ar atvērtām licencēm un palīdzu kolēģiem pārvaldīt un aizsargāt "
                    "savējos.",
                ),
                (
                    "I help shape my school's or region's policy on sharing, licensing and protecting digital "
                    "resources.",
                    "Ik help het beleid van mijn school of regio vorm te geven voor het delen, licentiëren en "
                    "beschermen van digitale bronnen.",
                    "Je contribue à définir la politique de mon école ou de ma région en matière de partage, de "
                    "licences et de protection des ressources numériques.",
                    "Ich gestalte die Regeln meiner Schule oder Region zum Teilen, Lizenzieren und Schützen "
                    "digitaler Ressourcen mit.",
                    "Es palīdzu veidot savas skolas vai reģiona politiku digitālo resursu koplietošanai, "
                    "licencēšanai un aizsardzībai.",
                ),
            ],
        ),
    ],
)

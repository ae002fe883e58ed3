"""Area 3, Teaching and learning (see area1.py for the shape)."""

AREA = (
    "3",
    (
        "Teaching and learning",
        "Onderwijzen en leren",
        "Enseignement et apprentissage",
        "Lehren und Lernen",
        "Mācīšana un mācīšanās",
    ),
    (
        "Managing and orchestrating the use of digital technologies in teaching and learning.",
        "Het gebruik van digitale technologie bij onderwijzen en leren organiseren en aansturen.",
        "Gérer et orchestrer l'utilisation des technologies numériques dans l'enseignement et l'apprentissage.",
        "Den Einsatz digitaler Technologien beim Lehren und Lernen gestalten und steuern.",
        "Digitālo tehnoloģiju izmantošanas pārvaldība un vadīšana mācīšanā un mācīšanās procesā.",
    ),
    [
        (
            "3.1",
            ("Teaching", "Onderwijzen", "Enseignement", "Lehren", "Mācīšana"),
            (
                "Planning and implementing digital devices and resources in the teaching process to enhance the "
                "effectiveness of teaching interventions, and experimenting with new formats and methods.",
                "Digitale toestellen en bronnen plannen en inzetten in het onderwijsproces om het onderwijs "
                "doeltreffender te maken, en experimenteren met nieuwe vormen en methoden.",
                "Planifier et intégrer des équipements et des ressources numériques dans l'enseignement pour en "
                "renforcer l'efficacité, et expérimenter de nouveaux formats et de nouvelles méthodes.",
                "Digitale Geräte und Ressourcen im Unterricht planen und einsetzen, um die Wirksamkeit des Lehrens "
                "zu erhöhen, und mit neuen Formaten und Methoden experimentieren.",
                "Plānot un izmantot digitālās ierīces un resursus mācīšanas procesā, lai uzlabotu tā efektivitāti, "
                "un eksperimentēt ar jauniem formātiem un metodēm.",
            ),
            [
                (
                    "I rarely use digital devices or resources in my lessons.",
                    "Ik gebruik zelden digitale toestellen of bronnen in mijn lessen.",
                    "J'utilise rarement des équipements ou des ressources numériques pendant mes cours.",
                    "Ich setze im Unterricht selten digitale Geräte oder Ressourcen ein.",
                    "Es savās stundās reti izmantoju digitālās ierīces vai resursus.",
                ),
                (
                    "I use the classroom technology, such as a projector or whiteboard, to present content.",
                    "Ik gebruik de technologie in de klas, zoals een projector of digibord, om leerstof te "
                    "presenteren.",
                    "J'utilise l'équipement de la classe, comme le vidéoprojecteur ou le tableau numérique, pour "
                    "présenter des contenus.",
                    "Ich nutze die Technik im Klassenraum, etwa Beamer oder digitale Tafel, um Inhalte zu "
                    "präsentieren.",
                    "Es izmantoju klases tehnoloģijas, piemēram, projektoru vai interaktīvo tāfeli, lai prezentētu "
                    "saturu.",
                ),
                (
                    "I use digital tools in many lessons to make them more varied and to involve my learners.",
                    "Ik gebruik digitale tools in veel lessen om ze gevarieerder te maken en mijn lerenden te "
                    "betrekken.",
                    "J'utilise des outils numériques dans de nombreux cours pour les rendre plus variés et faire "
                    "participer mes apprenants.",
                    "Ich setze in vielen Stunden digitale Werkzeuge ein, um den Unterricht abwechslungsreicher zu "
                    "gestalten und meine Lernenden einzubeziehen.",
                    "Es daudzās stundās izmantoju digitālos rīkus, lai tās būtu daudzveidīgākas un iesaistītu "
                    "izglītojamos.",
                ),
                (
                    "I plan digital activities purposefully to support my teaching goals and manage them "
                    "confidently in class.",
                    "Ik plan digitale activiteiten doelgericht ter ondersteuning van mijn lesdoelen en begeleid ze "
                    "met vertrouwen in de klas.",
                    "Je planifie délibérément des activités numériques au service de mes objectifs et je les gère "
                    "avec assurance en classe.",
                    "Ich plane digitale Aktivitäten gezielt für meine Unterrichtsziele und steuere sie sicher im "
                    "Unterricht.",
                    "Es mērķtiecīgi plānoju digitālās aktivitātes savu mācību mērķu atbalstam un droši tās vadu klasē.",
                ),
                (
                    "I restructure my teaching with digital technologies and evaluate which strategies work best.",
                    "Ik herstructureer mijn onderwijs met digitale technologie en evalueer welke strategieën het "
                    "best werken.",
                    "Je restructure mon enseignement grâce aux technologies numériques et j'évalue quelles "
                    "stratégies fonctionnent le mieux.",
                    "Ich gestalte meinen Unterricht mit digitalen Technologien neu und bewerte, welche Strategien "
                    "am besten wirken.",
                    "Es pārstrukturēju savu mācīšanu ar digitālajām tehnoloģijām un izvērtēju, kuras stratēģijas "
                    "darbojas vislabāk.",
                ),
                (
                    "I develop and try out new digital teaching formats and methods and share them with others.",
                    "Ik ontwikkel nieuwe digitale onderwijsvormen en -methoden, probeer ze uit en deel ze met anderen.",
                    "Je développe et teste de nouveaux formats et méthodes d'enseignement numérique et je les "
                    "partage avec d'autres.",
                    "Ich entwickle neue digitale Unterrichtsformate und -methoden, erprobe sie und teile sie mit "
                    "anderen.",
                    "Es izstrādāju un izmēģinu jaunus digitālās mācīšanas formātus un metodes un dalos ar tiem ar "
                    "citiem.",
                ),
            ],
        ),
        (
            "3.2",
            ("Guidance", "Begeleiding", "Accompagnement", "Lernbegleitung", "Atbalsts mācībās"),
            (
                "Using digital technologies and services to enhance interaction with learners, individually and "
                "collectively, within and outside the learning session, and to offer timely and targeted guidance.",
                "Digitale technologie en diensten gebruiken om de interactie met lerenden, individueel en in groep, "
                "binnen en buiten de les te verbeteren en tijdig gerichte begeleiding te bieden.",
                "Utiliser les technologies et services numériques pour renforcer l'interaction avec les apprenants, "
                "individuellement et collectivement, pendant et en dehors des cours, et offrir un accompagnement "
                "ciblé au bon moment.",
                "Digitale Technologien und Dienste nutzen, um die Interaktion mit Lernenden einzeln und in der "
                "Gruppe, im und außerhalb des Unterrichts zu verbessern und zeitnah gezielt zu begleiten.",
                "Izmantot digitālās tehnoloģijas un pakalpojumus, lai uzlabotu mijiedarbību ar izglītojamajiem "
                "individuāli un grupā, stundās un ārpus tām, un sniegtu savlaicīgu un mērķtiecīgu atbalstu.",
            ),
            [
                (
                    "I rarely use digital technologies to interact with my learners outside class.",
                    "Ik gebruik zelden digitale technologie om buiten de les met mijn lerenden in contact te staan.",
                    "J'utilise rarement les technologies numériques pour échanger avec mes apprenants en dehors "
                    "des cours.",
                    "Ich nutze selten digitale Technologien, um außerhalb des Unterrichts mit meinen Lernenden in "
                    "Kontakt zu sein.",
                    "Es reti izmantoju digitālās tehnoloģijas mijiedarbībai ar izglītojamajiem ārpus stundām.",
                ),
                (
                    "I sometimes answer my learners' questions by e-mail or message.",
                    "Ik beantwoord soms vragen van mijn lerenden via e-mail of bericht.",
                    "Je réponds parfois aux questions de mes apprenants par courriel ou par message.",
                    "Ich beantworte gelegentlich Fragen meiner Lernenden per E-Mail oder Nachricht.",
                    "Es dažreiz atbildu uz izglītojamo jautājumiem pa e-pastu vai ziņā.",
                ),
                (
                    "I use digital channels, such as forums or chats on the learning platform, to support my learners.",
                    "Ik gebruik digitale kanalen, zoals forums of chats op het leerplatform, om mijn lerenden te "
                    "ondersteunen.",
                    "J'utilise des canaux numériques, comme les forums ou les messageries de la plateforme, pour "
                    "accompagner mes apprenants.",
                    "Ich nutze digitale Kanäle wie Foren oder Chats der Lernplattform, um meine Lernenden zu "
                    "unterstützen.",
                    "Es izmantoju digitālos kanālus, piemēram, mācību platformas forumus vai tērzēšanu, lai "
                    "atbalstītu izglītojamos.",
                ),
                (
                    "I follow my learners' activity online and step in with targeted guidance when they need it.",
                    "Ik volg de online activiteit van mijn lerenden en bied gerichte begeleiding wanneer ze die "
                    "nodig hebben.",
                    "Je suis l'activité en ligne de mes apprenants et j'interviens avec un accompagnement ciblé "
                    "lorsqu'ils en ont besoin.",
                    "Ich verfolge die Online-Aktivitäten meiner Lernenden und greife gezielt unterstützend ein, "
                    "wenn sie es brauchen.",
                    "Es sekoju izglītojamo darbībai tiešsaistē un sniedzu mērķtiecīgu atbalstu, kad viņiem tas "
                    "vajadzīgs.",
                ),
                (
                    "I combine several digital ways of giving guidance and reflect on how to improve them.",
                    "Ik combineer verschillende digitale vormen van begeleiding en ga na hoe ik ze kan verbeteren.",
                    "Je combine plusieurs formes numériques d'accompagnement et je réfléchis à la manière de les "
                    "améliorer.",
                    "Ich kombiniere verschiedene digitale Formen der Lernbegleitung und überlege, wie ich sie "
                    "verbessern kann.",
                    "Es apvienoju vairākus digitālā atbalsta veidus un domāju, kā tos uzlabot.",
                ),
                (
                    "I develop new forms of digital guidance and support that other educators take up.",
                    "Ik ontwikkel nieuwe vormen van digitale begeleiding en ondersteuning die andere "
                    "onderwijsgevenden overnemen.",
                    "Je développe de nouvelles formes d'accompagnement numérique que d'autres enseignants reprennent.",
                    "Ich entwickle neue Formen digitaler Lernbegleitung, die andere Lehrende übernehmen.",
                    "Es izstrādāju jaunus digitālā atbalsta veidus, kurus pārņem citi pedagogi.",
                ),
            ],
        ),
        (
            "3.3",
            (
                "Collaborative learning",
                "Samenwerkend leren",
                "Apprentissage collaboratif",
                "Kollaboratives Lernen",
                "Sadarbīgā mācīšanās",
            ),
            (
                "Using digital technologies to foster and enhance learner collaboration, as a means of enhancing "
                "communication, collaboration and collaborative knowledge creation.",
                "Digitale technologie gebruiken om samenwerking tussen lerenden te stimuleren en te versterken, "
                "als middel voor communicatie, samenwerking en het samen opbouwen van kennis.",
                "Utiliser les technologies numériques pour favoriser et renforcer la collaboration entre "
                "apprenants, au service de la communication, de la collaboration et de la construction collective "
                "des savoirs.",
                "Digitale Technologien nutzen, um die Zusammenarbeit der Lernenden zu fördern, als Mittel für "
                "Kommunikation, Kooperation und gemeinsame Wissenskonstruktion.",
                "Izmantot digitālās tehnoloģijas, lai veicinātu un stiprinātu izglītojamo sadarbību kā līdzekli "
                "saziņai, sadarbībai un kopīgai zināšanu veidošanai.",
            ),
            [
                (
                    "My learners rarely use digital technologies to work together.",
                    "Mijn lerenden gebruiken zelden digitale technologie om samen te werken.",
                    "Mes apprenants utilisent rarement les technologies numériques pour travailler ensemble.",
                    "Meine Lernenden nutzen selten digitale Technologien, um zusammenzuarbeiten.",
                    "Mani izglītojamie reti izmanto digitālās tehnoloģijas, lai strādātu kopā.",
                ),
                (
                    "I sometimes let my learners use the internet or digital tools in group work.",
                    "Ik laat mijn lerenden soms het internet of digitale tools gebruiken bij groepswerk.",
                    "Je permets parfois à mes apprenants d'utiliser Internet ou des outils numériques lors de "
                    "travaux de groupe.",
                    "Ich lasse meine Lernenden bei Gruppenarbeiten gelegentlich das Internet oder digitale "
                    "Werkzeuge nutzen.",
                    "Es dažreiz ļauju izglītojamajiem grupu darbā izmantot internetu vai digitālos rīkus.",
                ),
                (
                    "I set tasks in which learners work together in shared documents or online spaces.",
                    "Ik geef opdrachten waarin lerenden samenwerken in gedeelde documenten of online omgevingen.",
                    "Je propose des tâches dans lesquelles les apprenants travaillent ensemble dans des documents "
                    "partagés ou des espaces en ligne.",
                    "Ich stelle Aufgaben, bei denen Lernende in gemeinsamen Dokumenten oder Online-Räumen "
                    "zusammenarbeiten.",
                    "Es dodu uzdevumus, kuros izglītojamie sadarbojas koplietojamos dokumentos vai tiešsaistes vidēs.",
                ),
                (
                    "I design digital collaborative activities in which learners create knowledge together and "
                    "document their work.",
                    "Ik ontwerp digitale samenwerkingsactiviteiten waarin lerenden samen kennis opbouwen en hun werk "
                    "documenteren.",
                    "Je conçois des activités collaboratives numériques où les apprenants construisent ensemble "
                    "des savoirs et documentent leur travail.",
                    "Ich gestalte digitale kooperative Aktivitäten, in denen Lernende gemeinsam Wissen aufbauen und "
                    "ihre Arbeit dokumentieren.",
                    "Es veidoju digitālas sadarbības aktivitātes, kurās izglītojamie kopā rada zināšanas un "
                    "dokumentē savu darbu.",
                ),
                (
                    "I use digital environments for collaboration, peer assessment and exchange, also with "
                    "learners outside my class.",
                    "Ik gebruik digitale omgevingen voor samenwerking, peerevaluatie en uitwisseling, ook met "
                    "lerenden buiten mijn klas.",
                    "J'utilise des environnements numériques pour la collaboration, l'évaluation par les pairs et "
                    "les échanges, y compris avec des apprenants d'autres classes.",
                    "Ich nutze digitale Umgebungen für Zusammenarbeit, Peer-Feedback und Austausch, auch mit "
                    "Lernenden außerhalb meiner Klasse.",
                    "Es izmantoju digitālās vides sadarbībai, savstarpējai vērtēšanai un apmaiņai, arī ar "
                    "izglītojamajiem ārpus savas klases.",
                ),
                (
                    "I develop new formats of digital collaborative learning and share them with other educators.",
                    "Ik ontwikkel nieuwe vormen van digitaal samenwerkend leren en deel ze met andere "
                    "onderwijsgevenden.",
                    "Je développe de nouveaux formats d'apprentissage collaboratif numérique et je les partage avec "
                    "d'autres enseignants.",
                    "Ich entwickle neue Formate kollaborativen Lernens mit digitalen Mitteln und teile sie mit "
                    "anderen Lehrenden.",
                    "Es izstrādāju jaunus digitālās sadarbīgās mācīšanās formātus un dalos ar tiem ar citiem "
                    "pedagogiem.",
                ),
            ],
        ),
        (
            "3.4",
            (
                "Self-regulated learning",
                "Zelfgestuurd leren",
                "Apprentissage autorégulé",
                "Selbstgesteuertes Lernen",
                "Pašvadīta mācīšanās",
            ),
            (
                "Using digital technologies to support self-regulated learning: enabling learners to plan, monitor "
                "and reflect on their own learning, provide evidence of progress and share insights.",
                "Digitale technologie gebruiken om zelfgestuurd leren te ondersteunen: lerenden hun eigen leren "
                "laten plannen, opvolgen en erop reflecteren, hun vooruitgang aantonen en inzichten delen.",
                "Utiliser les technologies numériques pour soutenir l'apprentissage autorégulé : permettre aux "
                "apprenants de planifier, suivre et analyser leur apprentissage, de montrer leurs progrès et de "
                "partager leurs découvertes.",
                "Digitale Technologien nutzen, um selbstgesteuertes Lernen zu unterstützen: Lernende planen, "
                "überwachen und reflektieren ihr Lernen, belegen ihre Fortschritte und teilen Erkenntnisse.",
                "Izmantot digitālās tehnoloģijas pašvadītas mācīšanās atbalstam: ļaut izglītojamajiem plānot, "
                "uzraudzīt un izvērtēt savu mācīšanos, parādīt progresu un dalīties atziņās.",
            ),
            [
                (
                    "My learners rarely use digital technologies to plan or track their own learning.",
                    "Mijn lerenden gebruiken zelden digitale technologie om hun eigen leren te plannen of op te "
                    "volgen.",
                    "Mes apprenants utilisent rarement les technologies numériques pour planifier ou suivre leur "
                    "propre apprentissage.",
                    "Meine Lernenden nutzen selten digitale Technologien, um ihr eigenes Lernen zu planen oder zu "
                    "verfolgen.",
                    "Mani izglītojamie reti izmanto digitālās tehnoloģijas, lai plānotu vai sekotu savai "
                    "mācīšanās gaitai.",
                ),
                (
                    "I encourage my learners to use digital tools, such as online exercises, to practise on their own.",
                    "Ik moedig mijn lerenden aan digitale tools, zoals online oefeningen, te gebruiken om "
                    "zelfstandig te oefenen.",
                    "J'encourage mes apprenants à utiliser des outils numériques, comme des exercices en ligne, pour "
                    "s'entraîner seuls.",
                    "Ich ermutige meine Lernenden, digitale Werkzeuge wie Online-Übungen zum selbstständigen Üben "
                    "zu nutzen.",
                    "Es mudinu izglītojamos izmantot digitālos rīkus, piemēram, tiešsaistes vingrinājumus, lai "
                    "patstāvīgi trenētos.",
                ),
                (
                    "My learners use digital tools, such as blogs or learning journals, to document and reflect on "
                    "their learning.",
                    "Mijn lerenden gebruiken digitale tools, zoals blogs of leerdagboeken, om hun leren te "
                    "documenteren en erop te reflecteren.",
                    "Mes apprenants utilisent des outils numériques, comme des blogs ou des journaux "
                    "d'apprentissage, pour documenter leur apprentissage et y réfléchir.",
                    "Meine Lernenden nutzen digitale Werkzeuge wie Blogs oder Lerntagebücher, um ihr Lernen zu "
                    "dokumentieren und zu reflektieren.",
                    "Mani izglītojamie izmanto digitālos rīkus, piemēram, blogus vai mācību dienasgrāmatas, lai "
                    "dokumentētu savu mācīšanos un par to reflektētu.",
                ),
                (
                    "I use digital tools so that learners set their own goals, plan their work and monitor their "
                    "progress.",
                    "Ik gebruik digitale tools zodat lerenden hun eigen doelen stellen, hun werk plannen en hun "
                    "vooruitgang opvolgen.",
                    "J'utilise des outils numériques pour que les apprenants se fixent des objectifs, planifient "
                    "leur travail et suivent leurs progrès.",
                    "Ich setze digitale Werkzeuge ein, damit Lernende eigene Ziele setzen, ihre Arbeit planen und "
                    "ihren Fortschritt verfolgen.",
                    "Es izmantoju digitālos rīkus, lai izglītojamie paši izvirzītu mērķus, plānotu darbu un "
                    "uzraudzītu savu progresu.",
                ),
                (
                    "I reflect on how well my digital strategies support self-regulated learning and improve them.",
                    "Ik ga na hoe goed mijn digitale strategieën zelfgestuurd leren ondersteunen en verbeter ze.",
                    "J'analyse dans quelle mesure mes stratégies numériques soutiennent l'apprentissage autorégulé "
                    "et je les améliore.",
                    "Ich reflektiere, wie gut meine digitalen Strategien selbstgesteuertes Lernen unterstützen, und "
                    "verbessere sie.",
                    "Es izvērtēju, cik labi manas digitālās stratēģijas atbalsta pašvadītu mācīšanos, un tās uzlaboju.",
                ),
                (
                    "I develop new digital formats that help learners take charge of their learning and share them "
                    "with others.",
                    "Ik ontwikkel nieuwe digitale vormen die lerenden helpen zelf de regie over hun leren te nemen, "
                    "en deel ze met anderen.",
                    "Je développe de nouveaux formats numériques qui aident les apprenants à prendre en main leur "
                    "apprentissage et je les partage avec d'autres.",
                    "Ich entwickle neue digitale Formate, mit denen Lernende ihr Lernen selbst in die Hand nehmen, "
                    "und teile sie mit anderen.",
                    "Es izstrādāju jaunus digitālos formātus, kas palīdz izglītojamajiem uzņemties atbildību par "
                    "savu mācīšanos, un dalos ar tiem ar citiem.",
                ),
            ],
        ),
    ],
)

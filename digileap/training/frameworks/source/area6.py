"""Area 6, Facilitating learners' digital competence (see area1.py for the shape)."""

AREA = (
    "6",
    (
        "Facilitating learners' digital competence",
        "De digitale competentie van lerenden faciliteren",
        "Faciliter la compétence numérique des apprenants",
        "Förderung der Digitalen Kompetenz der Lernenden",
        "Izglītojamo digitālās kompetences veicināšana",
    ),
    (
        "Enabling learners to use digital technologies creatively and responsibly for information, "
        "communication, content creation, wellbeing and problem solving.",
        "Lerenden in staat stellen digitale technologie creatief en verantwoord te gebruiken voor informatie, "
        "communicatie, contentcreatie, welzijn en probleemoplossing.",
        "Permettre aux apprenants d'utiliser les technologies numériques de manière créative et responsable "
        "pour s'informer, communiquer, créer des contenus, préserver leur bien-être et résoudre des problèmes.",
        "Lernende befähigen, digitale Technologien kreativ und verantwortungsvoll für Information, "
        "Kommunikation, die Erstellung von Inhalten, Wohlbefinden und Problemlösung zu nutzen.",
        "Ļaut izglītojamajiem radoši un atbildīgi izmantot digitālās tehnoloģijas informācijai, saziņai, "
        "satura veidošanai, labbūtībai un problēmu risināšanai.",
    ),
    [
        (
            "6.1",
            (
                "Information and media literacy",
                "Informatie- en mediawijsheid",
                "Maîtrise de l'information et des médias",
                "Informations- und Medienkompetenz",
                "Informācijpratība un medijpratība",
            ),
            (
                "Incorporating learning activities that require learners to articulate information needs, find "
                "information and resources in digital environments, organise, process, analyse and interpret "
                "information, and compare and critically evaluate its credibility and reliability.",
                "Leeractiviteiten inbouwen waarin lerenden hun informatiebehoefte verwoorden, informatie en bronnen "
                "in digitale omgevingen vinden, informatie ordenen, verwerken, analyseren en interpreteren, en de "
                "geloofwaardigheid en betrouwbaarheid ervan vergelijken en kritisch beoordelen.",
                "Intégrer des activités qui amènent les apprenants à formuler leurs besoins d'information, à "
                "trouver des informations et des ressources dans des environnements numériques, à les organiser, "
                "traiter, analyser et interpréter, et à en comparer et évaluer de manière critique la crédibilité "
                "et la fiabilité.",
                "Lernaktivitäten einbauen, in denen Lernende Informationsbedarf formulieren, Informationen und "
                "Ressourcen in digitalen Umgebungen finden, Informationen ordnen, verarbeiten, analysieren und "
                "interpretieren sowie deren Glaubwürdigkeit und Verlässlichkeit vergleichen und kritisch bewerten.",
                "Iekļaut mācību aktivitātes, kurās izglītojamie formulē informācijas vajadzības, atrod informāciju "
                "un resursus digitālajās vidēs, organizē, apstrādā, analizē un interpretē informāciju un salīdzina "
                "un kritiski izvērtē tās ticamību un uzticamību.",
            ),
            [
                (
                    "I rarely teach my learners how to search for and judge information online.",
                    "Ik leer mijn lerenden zelden hoe ze online informatie zoeken en beoordelen.",
                    "J'apprends rarement à mes apprenants à rechercher et à évaluer des informations en ligne.",
                    "Ich bringe meinen Lernenden selten bei, wie sie online Informationen suchen und bewerten.",
                    "Es reti mācu izglītojamajiem, kā meklēt un izvērtēt informāciju tiešsaistē.",
                ),
                (
                    "I sometimes ask my learners to look up information online and remind them to check their sources.",
                    "Ik vraag mijn lerenden soms om informatie online op te zoeken en herinner hen eraan hun bronnen "
                    "te controleren.",
                    "Je demande parfois à mes apprenants de chercher des informations en ligne et je leur rappelle "
                    "de vérifier leurs sources.",
                    "Ich lasse meine Lernenden gelegentlich online recherchieren und erinnere sie daran, ihre "
                    "Quellen zu prüfen.",
                    "Es dažreiz lūdzu izglītojamajiem meklēt informāciju tiešsaistē un atgādinu pārbaudīt avotus.",
                ),
                (
                    "I set tasks in which learners search, compare and cite online sources.",
                    "Ik geef opdrachten waarin lerenden online bronnen zoeken, vergelijken en citeren.",
                    "Je propose des tâches dans lesquelles les apprenants recherchent, comparent et citent des "
                    "sources en ligne.",
                    "Ich stelle Aufgaben, in denen Lernende Online-Quellen suchen, vergleichen und zitieren.",
                    "Es dodu uzdevumus, kuros izglītojamie meklē, salīdzina un citē tiešsaistes avotus.",
                ),
                (
                    "I teach my learners systematically to judge the reliability of information and to recognise "
                    "misinformation.",
                    "Ik leer mijn lerenden systematisch de betrouwbaarheid van informatie te beoordelen en "
                    "desinformatie te herkennen.",
                    "J'apprends systématiquement à mes apprenants à juger de la fiabilité des informations et à "
                    "reconnaître la désinformation.",
                    "Ich bringe meinen Lernenden systematisch bei, die Verlässlichkeit von Informationen zu "
                    "beurteilen und Desinformation zu erkennen.",
                    "Es sistemātiski mācu izglītojamajiem izvērtēt informācijas uzticamību un atpazīt dezinformāciju.",
                ),
                (
                    "I build information and media literacy into my teaching throughout the year and help "
                    "colleagues do so.",
                    "Ik verwerk informatie- en mediawijsheid het hele jaar door in mijn onderwijs en help collega's "
                    "dat ook te doen.",
                    "J'intègre la maîtrise de l'information et des médias à mon enseignement tout au long de "
                    "l'année et j'aide mes collègues à le faire.",
                    "Ich verankere Informations- und Medienkompetenz das ganze Jahr über in meinem Unterricht und "
                    "helfe Kolleginnen und Kollegen dabei.",
                    "Es visu gadu iekļauju informācijpratību un medijpratību savā mācīšanā un palīdzu to darīt "
                    "kolēģiem.",
                ),
                (
                    "I develop new approaches to teaching information and media literacy and share them with others.",
                    "Ik ontwikkel nieuwe benaderingen om informatie- en mediawijsheid te onderwijzen en deel ze met "
                    "anderen.",
                    "Je développe de nouvelles approches pour enseigner la maîtrise de l'information et des médias "
                    "et je les partage avec d'autres.",
                    "Ich entwickle neue Ansätze zur Vermittlung von Informations- und Medienkompetenz und teile sie "
                    "mit anderen.",
                    "Es izstrādāju jaunas pieejas informācijpratības un medijpratības mācīšanai un dalos ar tām ar "
                    "citiem.",
                ),
            ],
        ),
        (
            "6.2",
            (
                "Digital communication and collaboration",
                "Digitale communicatie en samenwerking",
                "Communication et collaboration numériques",
                "Digitale Kommunikation und Zusammenarbeit",
                "Digitālā saziņa un sadarbība",
            ),
            (
                "Incorporating learning activities that require learners to use digital technologies effectively "
                "and responsibly for communication, collaboration and civic participation.",
                "Leeractiviteiten inbouwen waarin lerenden digitale technologie doeltreffend en verantwoord "
                "gebruiken voor communicatie, samenwerking en burgerparticipatie.",
                "Intégrer des activités qui amènent les apprenants à utiliser les technologies numériques de "
                "manière efficace et responsable pour communiquer, collaborer et participer à la vie citoyenne.",
                "Lernaktivitäten einbauen, in denen Lernende digitale Technologien wirksam und verantwortungsvoll "
                "für Kommunikation, Zusammenarbeit und gesellschaftliche Teilhabe nutzen.",
                "Iekļaut mācību aktivitātes, kurās izglītojamie efektīvi un atbildīgi izmanto digitālās "
                "tehnoloģijas saziņai, sadarbībai un pilsoniskai līdzdalībai.",
            ),
            [
                (
                    "I rarely ask my learners to communicate or collaborate using digital technologies.",
                    "Ik vraag mijn lerenden zelden om via digitale technologie te communiceren of samen te werken.",
                    "Je demande rarement à mes apprenants de communiquer ou de collaborer avec les technologies "
                    "numériques.",
                    "Ich lasse meine Lernenden selten mit digitalen Technologien kommunizieren oder zusammenarbeiten.",
                    "Es reti lūdzu izglītojamajiem sazināties vai sadarboties, izmantojot digitālās tehnoloģijas.",
                ),
                (
                    "I sometimes let my learners communicate with me or each other through digital channels.",
                    "Ik laat mijn lerenden soms via digitale kanalen met mij of met elkaar communiceren.",
                    "Je laisse parfois mes apprenants communiquer avec moi ou entre eux par des canaux numériques.",
                    "Ich lasse meine Lernenden gelegentlich über digitale Kanäle mit mir oder untereinander "
                    "kommunizieren.",
                    "Es dažreiz ļauju izglītojamajiem sazināties ar mani vai savā starpā digitālos kanālos.",
                ),
                (
                    "My learners use digital tools to communicate and work together, and I discuss rules of "
                    "respectful online communication with them.",
                    "Mijn lerenden gebruiken digitale tools om te communiceren en samen te werken, en ik bespreek "
                    "met hen regels voor respectvolle online communicatie.",
                    "Mes apprenants utilisent des outils numériques pour communiquer et travailler ensemble, et je "
                    "discute avec eux des règles d'une communication respectueuse en ligne.",
                    "Meine Lernenden nutzen digitale Werkzeuge zur Kommunikation und Zusammenarbeit, und ich "
                    "bespreche mit ihnen Regeln respektvoller Online-Kommunikation.",
                    "Mani izglītojamie izmanto digitālos rīkus saziņai un sadarbībai, un es ar viņiem pārrunāju "
                    "cieņpilnas tiešsaistes saziņas noteikumus.",
                ),
                (
                    "I set tasks in which learners collaborate online, also with others outside the school, and "
                    "reflect on their communication.",
                    "Ik geef opdrachten waarin lerenden online samenwerken, ook met anderen buiten de school, en "
                    "over hun communicatie reflecteren.",
                    "Je propose des tâches dans lesquelles les apprenants collaborent en ligne, y compris avec des "
                    "personnes extérieures à l'école, et analysent leur communication.",
                    "Ich stelle Aufgaben, in denen Lernende online zusammenarbeiten, auch mit anderen außerhalb der "
                    "Schule, und ihre Kommunikation reflektieren.",
                    "Es dodu uzdevumus, kuros izglītojamie sadarbojas tiešsaistē, arī ar citiem ārpus skolas, un "
                    "reflektē par savu saziņu.",
                ),
                (
                    "I support my learners systematically in using digital media for collaboration and civic "
                    "participation, and help colleagues to do so.",
                    "Ik ondersteun mijn lerenden systematisch bij het gebruik van digitale media voor samenwerking "
                    "en burgerparticipatie, en help collega's daarbij.",
                    "J'accompagne systématiquement mes apprenants dans l'usage des médias numériques pour "
                    "collaborer et participer à la vie citoyenne, et j'aide mes collègues à le faire.",
                    "Ich unterstütze meine Lernenden systematisch darin, digitale Medien für Zusammenarbeit und "
                    "gesellschaftliche Teilhabe zu nutzen, und helfe Kolleginnen und Kollegen dabei.",
                    "Es sistemātiski atbalstu izglītojamos digitālo mediju izmantošanā sadarbībai un pilsoniskai "
                    "līdzdalībai un palīdzu to darīt kolēģiem.",
                ),
                (
                    "I develop new formats that foster learners' digital communication and collaboration and share "
                    "them with others.",
                    "Ik ontwikkel nieuwe vormen die de digitale communicatie en samenwerking van lerenden "
                    "bevorderen en deel ze met anderen.",
                    "Je développe de nouveaux formats qui favorisent la communication et la collaboration "
                    "numériques des apprenants et je les partage avec d'autres.",
                    "Ich entwickle neue Formate, die die digitale Kommunikation und Zusammenarbeit der Lernenden "
                    "fördern, und teile sie mit anderen.",
                    "Es izstrādāju jaunus formātus, kas veicina izglītojamo digitālo saziņu un sadarbību, un dalos "
                    "ar tiem ar citiem.",
                ),
            ],
        ),
        (
            "6.3",
            (
                "Digital content creation",
                "Digitale contentcreatie",
                "Création de contenus numériques",
                "Erstellung digitaler Inhalte",
                "Digitālā satura veidošana",
            ),
            (
                "Incorporating learning activities that require learners to express themselves through digital "
                "means and to modify and create digital content in different formats, and teaching how copyright "
                "and licences apply to digital content.",
                "Leeractiviteiten inbouwen waarin lerenden zich met digitale middelen uitdrukken en digitale "
                "inhoud in verschillende formaten bewerken en maken, en aanleren hoe auteursrecht en licenties "
                "van toepassing zijn op digitale inhoud.",
                "Intégrer des activités qui amènent les apprenants à s'exprimer par des moyens numériques, à "
                "modifier et créer des contenus numériques sous différents formats, et leur apprendre comment le "
                "droit d'auteur et les licences s'appliquent aux contenus numériques.",
                "Lernaktivitäten einbauen, in denen Lernende sich mit digitalen Mitteln ausdrücken und digitale "
                "Inhalte in verschiedenen Formaten bearbeiten und erstellen, und vermitteln, wie Urheberrecht und "
                "Lizenzen für digitale Inhalte gelten.",
                "Iekļaut mācību aktivitātes, kurās izglītojamie izpaužas ar digitāliem līdzekļiem un pielāgo un "
                "veido digitālo saturu dažādos formātos, un mācīt, kā autortiesības un licences attiecas uz "
                "digitālo saturu.",
            ),
            [
                (
                    "My learners rarely create digital content in my lessons.",
                    "Mijn lerenden maken zelden digitale inhoud in mijn lessen.",
                    "Mes apprenants créent rarement des contenus numériques pendant mes cours.",
                    "Meine Lernenden erstellen in meinem Unterricht selten digitale Inhalte.",
                    "Mani izglītojamie manās stundās reti veido digitālo saturu.",
                ),
                (
                    "My learners sometimes create simple digital content, such as typed texts or slides.",
                    "Mijn lerenden maken soms eenvoudige digitale inhoud, zoals getypte teksten of presentaties.",
                    "Mes apprenants créent parfois des contenus numériques simples, comme des textes saisis ou des "
                    "diaporamas.",
                    "Meine Lernenden erstellen gelegentlich einfache digitale Inhalte wie getippte Texte oder Folien.",
                    "Mani izglītojamie dažreiz veido vienkāršu digitālo saturu, piemēram, datorā rakstītus tekstus "
                    "vai slaidus.",
                ),
                (
                    "My learners create digital content in different formats, such as videos, podcasts or blogs.",
                    "Mijn lerenden maken digitale inhoud in verschillende formaten, zoals video's, podcasts of blogs.",
                    "Mes apprenants créent des contenus numériques sous différents formats, comme des vidéos, des "
                    "podcasts ou des blogs.",
                    "Meine Lernenden erstellen digitale Inhalte in verschiedenen Formaten wie Videos, Podcasts oder "
                    "Blogs.",
                    "Mani izglītojamie veido digitālo saturu dažādos formātos, piemēram, video, podkāstus vai blogus.",
                ),
                (
                    "I design projects in which learners create digital content and I teach them about copyright "
                    "and licences.",
                    "Ik ontwerp projecten waarin lerenden digitale inhoud maken en leer hen over auteursrecht en "
                    "licenties.",
                    "Je conçois des projets dans lesquels les apprenants créent des contenus numériques et je leur "
                    "enseigne le droit d'auteur et les licences.",
                    "Ich gestalte Projekte, in denen Lernende digitale Inhalte erstellen, und vermittle ihnen "
                    "Urheberrecht und Lizenzen.",
                    "Es veidoju projektus, kuros izglītojamie rada digitālo saturu, un mācu viņiem par "
                    "autortiesībām un licencēm.",
                ),
                (
                    "I make digital content creation an integral part of learning and help colleagues to do the same.",
                    "Ik maak het creëren van digitale inhoud tot een vast onderdeel van het leren en help collega's "
                    "om hetzelfde te doen.",
                    "Je fais de la création de contenus numériques une partie intégrante de l'apprentissage et "
                    "j'aide mes collègues à faire de même.",
                    "Ich mache die Erstellung digitaler Inhalte zu einem festen Bestandteil des Lernens und helfe "
                    "Kolleginnen und Kollegen dabei.",
                    "Es padaru digitālā satura veidošanu par mācīšanās neatņemamu daļu un palīdzu to darīt kolēģiem.",
                ),
                (
                    "I develop new approaches in which learners create and publish digital content and share them "
                    "with other educators.",
                    "Ik ontwikkel nieuwe benaderingen waarin lerenden digitale inhoud maken en publiceren, en deel "
                    "ze met andere onderwijsgevenden.",
                    "Je développe de nouvelles approches dans lesquelles les apprenants créent et publient des "
                    "contenus numériques, et je les partage avec d'autres enseignants.",
                    "Ich entwickle neue Ansätze, in denen Lernende digitale Inhalte erstellen und veröffentlichen, "
                    "und teile sie mit anderen Lehrenden.",
                    "Es izstrādāju jaunas pieejas, kurās izglītojamie veido un publicē digitālo saturu, un dalos ar "
                    "tām ar citiem pedagogiem.",
                ),
            ],
        ),
        (
            "6.4",
            (
                "Responsible use",
                "Verantwoord gebruik",
                "Usage responsable",
                "Verantwortungsvoller Umgang",
                "Atbildīga lietošana",
            ),
            (
                "Taking measures to ensure learners' physical, psychological and social wellbeing while using "
                "digital technologies, and empowering learners to manage risks and use digital technologies "
                "safely and responsibly.",
                "Maatregelen nemen voor het fysieke, psychische en sociale welzijn van lerenden bij het gebruik "
                "van digitale technologie, en lerenden in staat stellen risico's te beheersen en digitale "
                "technologie veilig en verantwoord te gebruiken.",
                "Prendre des mesures pour garantir le bien-être physique, psychologique et social des apprenants "
                "lorsqu'ils utilisent le numérique, et leur donner les moyens de gérer les risques et d'utiliser "
                "les technologies numériques de manière sûre et responsable.",
                "Maßnahmen ergreifen, die das körperliche, psychische und soziale Wohlbefinden der Lernenden bei "
                "der Nutzung digitaler Technologien sichern, und Lernende befähigen, Risiken zu bewältigen und "
                "digitale Technologien sicher und verantwortungsvoll zu nutzen.",
                "Veikt pasākumus izglītojamo fiziskās, psiholoģiskās un sociālās labbūtības nodrošināšanai, "
                "izmantojot digitālās tehnoloģijas, un iespēcināt izglītojamos pārvaldīt riskus un lietot "
                "digitālās tehnoloģijas droši un atbildīgi.",
            ),
            [
                (
                    "I rarely talk with my learners about safe and responsible use of digital technologies.",
                    "Ik praat zelden met mijn lerenden over veilig en verantwoord gebruik van digitale technologie.",
                    "Je parle rarement avec mes apprenants d'un usage sûr et responsable des technologies numériques.",
                    "Ich spreche mit meinen Lernenden selten über sicheren und verantwortungsvollen Umgang mit "
                    "digitalen Technologien.",
                    "Es reti runāju ar izglītojamajiem par drošu un atbildīgu digitālo tehnoloģiju lietošanu.",
                ),
                (
                    "I remind my learners of basic rules, such as keeping passwords and personal data private.",
                    "Ik herinner mijn lerenden aan basisregels, zoals wachtwoorden en persoonsgegevens privé houden.",
                    "Je rappelle à mes apprenants des règles de base, comme garder leurs mots de passe et leurs "
                    "données personnelles confidentiels.",
                    "Ich erinnere meine Lernenden an Grundregeln, etwa Passwörter und persönliche Daten geheim zu "
                    "halten.",
                    "Es atgādinu izglītojamajiem pamatnoteikumus, piemēram, neizpaust paroles un personas datus.",
                ),
                (
                    "I discuss online risks, such as cyberbullying and privacy, with my learners when the occasion "
                    "arises.",
                    "Ik bespreek online risico's, zoals cyberpesten en privacy, met mijn lerenden wanneer de "
                    "gelegenheid zich voordoet.",
                    "J'aborde les risques en ligne, comme le cyberharcèlement et la vie privée, avec mes apprenants "
                    "lorsque l'occasion se présente.",
                    "Ich bespreche Online-Risiken wie Cybermobbing und Privatsphäre mit meinen Lernenden, wenn sich "
                    "die Gelegenheit ergibt.",
                    "Es pārrunāju tiešsaistes riskus, piemēram, kiberhuligānismu un privātumu, ar izglītojamajiem, "
                    "kad rodas izdevība.",
                ),
                (
                    "I teach my learners systematically to protect their privacy, health and wellbeing and to act "
                    "responsibly online.",
                    "Ik leer mijn lerenden systematisch hun privacy, gezondheid en welzijn te beschermen en online "
                    "verantwoord te handelen.",
                    "J'apprends systématiquement à mes apprenants à protéger leur vie privée, leur santé et leur "
                    "bien-être, et à agir de manière responsable en ligne.",
                    "Ich bringe meinen Lernenden systematisch bei, ihre Privatsphäre, Gesundheit und ihr "
                    "Wohlbefinden zu schützen und online verantwortungsvoll zu handeln.",
                    "Es sistemātiski mācu izglītojamajiem aizsargāt savu privātumu, veselību un labbūtību un "
                    "tiešsaistē rīkoties atbildīgi.",
                ),
                (
                    "I reflect on my strategies for responsible use, adapt them to new risks and support colleagues.",
                    "Ik reflecteer op mijn strategieën voor verantwoord gebruik, pas ze aan nieuwe risico's aan en "
                    "ondersteun collega's.",
                    "Je réfléchis à mes stratégies pour un usage responsable, je les adapte aux nouveaux risques et "
                    "j'aide mes collègues.",
                    "Ich reflektiere meine Strategien für verantwortungsvollen Umgang, passe sie an neue Risiken an "
                    "und unterstütze Kolleginnen und Kollegen.",
                    "Es reflektēju par savām atbildīgas lietošanas stratēģijām, pielāgoju tās jauniem riskiem un "
                    "atbalstu kolēģus.",
                ),
                (
                    "I help develop my school's policy on digital wellbeing and safety and share approaches beyond it.",
                    "Ik help het beleid van mijn school rond digitaal welzijn en veiligheid te ontwikkelen en deel "
                    "benaderingen ook daarbuiten.",
                    "Je contribue à la politique de mon école en matière de bien-être et de sécurité numériques et "
                    "je partage des approches au-delà.",
                    "Ich wirke an den Regeln meiner Schule zu digitalem Wohlbefinden und Sicherheit mit und teile "
                    "Ansätze darüber hinaus.",
                    "Es palīdzu izstrādāt savas skolas politiku digitālās labbūtības un drošības jomā un dalos ar "
                    "pieejām arī ārpus tās.",
                ),
            ],
        ),
        (
            "6.5",
            (
                "Digital problem solving",
                "Digitaal probleemoplossen",
                "Résolution de problèmes numériques",
                "Digitales Problemlösen",
                "Digitālu problēmu risināšana",
            ),
            (
                "Incorporating learning activities that require learners to identify and solve technical "
                "problems, or to transfer technological knowledge creatively to new situations.",
                "Leeractiviteiten inbouwen waarin lerenden technische problemen herkennen en oplossen, of "
                "technologische kennis creatief toepassen in nieuwe situaties.",
                "Intégrer des activités qui amènent les apprenants à identifier et résoudre des problèmes "
                "techniques, ou à transférer de manière créative leurs connaissances technologiques à de nouvelles "
                "situations.",
                "Lernaktivitäten einbauen, in denen Lernende technische Probleme erkennen und lösen oder "
                "technologisches Wissen kreativ auf neue Situationen übertragen.",
                "Iekļaut mācību aktivitātes, kurās izglītojamie atpazīst un risina tehniskas problēmas vai radoši "
                "pārnes tehnoloģiskās zināšanas jaunās situācijās.",
            ),
            [
                (
                    "I rarely ask my learners to solve technical problems themselves.",
                    "Ik vraag mijn lerenden zelden om technische problemen zelf op te lossen.",
                    "Je demande rarement à mes apprenants de résoudre eux-mêmes des problèmes techniques.",
                    "Ich lasse meine Lernenden selten technische Probleme selbst lösen.",
                    "Es reti lūdzu izglītojamajiem pašiem risināt tehniskas problēmas.",
                ),
                (
                    "I encourage my learners to try to solve simple technical problems before asking for help.",
                    "Ik moedig mijn lerenden aan eenvoudige technische problemen eerst zelf te proberen oplossen "
                    "voor ze om hulp vragen.",
                    "J'encourage mes apprenants à essayer de résoudre des problèmes techniques simples avant de "
                    "demander de l'aide.",
                    "Ich ermutige meine Lernenden, einfache technische Probleme erst selbst zu lösen, bevor sie um "
                    "Hilfe bitten.",
                    "Es mudinu izglītojamos vispirms pašiem mēģināt atrisināt vienkāršas tehniskas problēmas un "
                    "tikai tad lūgt palīdzību.",
                ),
                (
                    "I set tasks in which learners solve problems with digital tools, for example simple "
                    "programming or troubleshooting.",
                    "Ik geef opdrachten waarin lerenden problemen oplossen met digitale tools, bijvoorbeeld "
                    "eenvoudig programmeren of storingen verhelpen.",
                    "Je propose des tâches dans lesquelles les apprenants résolvent des problèmes avec des outils "
                    "numériques, par exemple de la programmation simple ou du dépannage.",
                    "Ich stelle Aufgaben, in denen Lernende Probleme mit digitalen Werkzeugen lösen, etwa durch "
                    "einfaches Programmieren oder Fehlersuche.",
                    "Es dodu uzdevumus, kuros izglītojamie risina problēmas ar digitālajiem rīkiem, piemēram, "
                    "vienkārši programmē vai novērš kļūmes.",
                ),
                (
                    "I design activities in which learners apply computational thinking and transfer their digital "
                    "skills to new situations.",
                    "Ik ontwerp activiteiten waarin lerenden computationeel denken toepassen en hun digitale "
                    "vaardigheden in nieuwe situaties gebruiken.",
                    "Je conçois des activités dans lesquelles les apprenants mobilisent la pensée informatique et "
                    "transfèrent leurs compétences numériques à de nouvelles situations.",
                    "Ich gestalte Aktivitäten, in denen Lernende informatisches Denken anwenden und ihre digitalen "
                    "Fähigkeiten auf neue Situationen übertragen.",
                    "Es veidoju aktivitātes, kurās izglītojamie izmanto algoritmisko domāšanu un pārnes savas "
                    "digitālās prasmes jaunās situācijās.",
                ),
                (
                    "I make digital problem solving a regular part of my teaching and help colleagues to do the same.",
                    "Ik maak digitaal probleemoplossen tot een vast onderdeel van mijn onderwijs en help collega's "
                    "om hetzelfde te doen.",
                    "Je fais de la résolution de problèmes numériques une composante régulière de mon enseignement "
                    "et j'aide mes collègues à faire de même.",
                    "Ich mache digitales Problemlösen zu einem festen Bestandteil meines Unterrichts und helfe "
                    "Kolleginnen und Kollegen dabei.",
                    "Es padaru digitālu problēmu risināšanu par regulāru savas mācīšanas daļu un palīdzu to darīt "
                    "kolēģiem.",
                ),
                (
                    "I develop new activities that build learners' digital problem-solving competence and share "
                    "them with others.",
                    "Ik ontwikkel nieuwe activiteiten die de digitale probleemoplossende competentie van lerenden "
                    "versterken en deel ze met anderen.",
                    "Je développe de nouvelles activités qui renforcent la compétence des apprenants à résoudre des "
                    "problèmes numériques et je les partage avec d'autres.",
                    "Ich entwickle neue Aktivitäten, die die digitale Problemlösekompetenz der Lernenden stärken, "
                    "und teile sie mit anderen.",
                    "Es izstrādāju jaunas aktivitātes, kas stiprina izglītojamo digitālo problēmu risināšanas "
                    "kompetenci, un dalos ar tām ar citiem.",
                ),
            ],
        ),
    ],
)

"""Area 5, Empowering learners (see area1.py for the shape)."""

AREA = (
    "5",
    (
        "Empowering learners",
        "Lerenden versterken",
        "Autonomisation des apprenants",
        "Lernendenorientierung",
        "Izglītojamo iespēcināšana",
    ),
    (
        "Using digital technologies to enhance inclusion, personalisation and learners' active engagement.",
        "Digitale technologie gebruiken om inclusie, personalisatie en de actieve betrokkenheid van lerenden te "
        "vergroten.",
        "Utiliser les technologies numériques pour renforcer l'inclusion, la personnalisation et l'engagement "
        "actif des apprenants.",
        "Digitale Technologien nutzen, um Teilhabe, Individualisierung und die aktive Einbindung der Lernenden "
        "zu stärken.",
        "Digitālo tehnoloģiju izmantošana iekļaušanas, personalizācijas un izglītojamo aktīvas iesaistes veicināšanai.",
    ),
    [
        (
            "5.1",
            (
                "Accessibility and inclusion",
                "Toegankelijkheid en inclusie",
                "Accessibilité et inclusion",
                "Digitale Teilhabe",
                "Piekļūstamība un iekļaušana",
            ),
            (
                "Ensuring access to learning resources and activities for all learners, including those with "
                "special needs; considering and responding to learners' expectations, abilities, uses and "
                "misconceptions of digital technologies and the contextual, physical or cognitive constraints on "
                "their use.",
                "De toegang tot leermiddelen en -activiteiten garanderen voor alle lerenden, ook voor lerenden met "
                "specifieke noden; rekening houden met hun verwachtingen, vaardigheden, gebruik en misvattingen "
                "rond digitale technologie en met contextuele, fysieke of cognitieve beperkingen.",
                "Garantir l'accès aux ressources et aux activités d'apprentissage à tous les apprenants, y compris "
                "ceux ayant des besoins particuliers ; tenir compte de leurs attentes, capacités, usages et idées "
                "fausses sur le numérique ainsi que des contraintes contextuelles, physiques ou cognitives.",
                "Allen Lernenden, auch solchen mit besonderem Förderbedarf, Zugang zu Lernressourcen und "
                "-aktivitäten sichern; ihre Erwartungen, Fähigkeiten, Nutzungsweisen und Fehlvorstellungen sowie "
                "kontextuelle, körperliche oder kognitive Einschränkungen berücksichtigen.",
                "Nodrošināt piekļuvi mācību resursiem un aktivitātēm visiem izglītojamajiem, arī tiem, kuriem ir "
                "īpašas vajadzības; ņemt vērā viņu gaidas, spējas, lietošanas paradumus un maldīgus priekšstatus "
                "par digitālajām tehnoloģijām, kā arī kontekstuālus, fiziskus vai kognitīvus ierobežojumus.",
            ),
            [
                (
                    "I rarely consider whether all my learners can access and use the digital tools I choose.",
                    "Ik sta zelden stil bij de vraag of al mijn lerenden de digitale tools die ik kies kunnen "
                    "bereiken en gebruiken.",
                    "Je me demande rarement si tous mes apprenants peuvent accéder aux outils numériques que je "
                    "choisis et les utiliser.",
                    "Ich prüfe selten, ob alle meine Lernenden die digitalen Werkzeuge, die ich wähle, erreichen "
                    "und nutzen können.",
                    "Es reti pārdomāju, vai visi mani izglītojamie var piekļūt manis izvēlētajiem digitālajiem "
                    "rīkiem un tos izmantot.",
                ),
                (
                    "I am aware that some learners lack devices, connectivity or skills, and I try to avoid "
                    "disadvantaging them.",
                    "Ik weet dat sommige lerenden geen toestel, verbinding of vaardigheden hebben, en probeer hen "
                    "niet te benadelen.",
                    "Je sais que certains apprenants n'ont pas d'équipement, de connexion ou de compétences, et "
                    "j'essaie de ne pas les désavantager.",
                    "Mir ist bewusst, dass manchen Lernenden Geräte, Internetzugang oder Fähigkeiten fehlen, und "
                    "ich versuche, sie nicht zu benachteiligen.",
                    "Es apzinos, ka dažiem izglītojamajiem trūkst ierīču, interneta pieslēguma vai prasmju, un "
                    "cenšos viņus nenostādīt neizdevīgā situācijā.",
                ),
                (
                    "I check that the digital activities I set are accessible to all my learners and offer "
                    "alternatives when needed.",
                    "Ik ga na of de digitale activiteiten die ik geef toegankelijk zijn voor al mijn lerenden en "
                    "bied zo nodig alternatieven.",
                    "Je vérifie que les activités numériques que je propose sont accessibles à tous mes apprenants "
                    "et je prévois des alternatives si nécessaire.",
                    "Ich prüfe, ob die digitalen Aktivitäten, die ich stelle, für alle meine Lernenden zugänglich "
                    "sind, und biete bei Bedarf Alternativen.",
                    "Es pārbaudu, vai manis dotās digitālās aktivitātes ir pieejamas visiem izglītojamajiem, un "
                    "vajadzības gadījumā piedāvāju alternatīvas.",
                ),
                (
                    "I use assistive technologies and accessible formats systematically for learners with special "
                    "needs.",
                    "Ik gebruik systematisch ondersteunende technologie en toegankelijke formaten voor lerenden met "
                    "specifieke noden.",
                    "J'utilise systématiquement des technologies d'assistance et des formats accessibles pour les "
                    "apprenants ayant des besoins particuliers.",
                    "Ich setze für Lernende mit besonderem Förderbedarf systematisch assistive Technologien und "
                    "barrierefreie Formate ein.",
                    "Es sistemātiski izmantoju atbalsta tehnoloģijas un piekļūstamus formātus izglītojamajiem ar "
                    "īpašām vajadzībām.",
                ),
                (
                    "I reflect on how inclusive my digital teaching is and help colleagues to make theirs accessible.",
                    "Ik reflecteer op hoe inclusief mijn digitaal onderwijs is en help collega's om het hunne "
                    "toegankelijk te maken.",
                    "Je réfléchis au caractère inclusif de mon enseignement numérique et j'aide mes collègues à "
                    "rendre le leur accessible.",
                    "Ich reflektiere, wie inklusiv mein digitaler Unterricht ist, und helfe Kolleginnen und "
                    "Kollegen, ihren barrierefrei zu gestalten.",
                    "Es reflektēju par to, cik iekļaujoša ir mana digitālā mācīšana, un palīdzu kolēģiem padarīt "
                    "viņu mācīšanu piekļūstamu.",
                ),
                (
                    "I develop new approaches or tools for digital inclusion and advocate for them beyond my school.",
                    "Ik ontwikkel nieuwe benaderingen of tools voor digitale inclusie en zet me er ook buiten mijn "
                    "school voor in.",
                    "Je développe de nouvelles approches ou de nouveaux outils d'inclusion numérique et je les "
                    "promeus au-delà de mon école.",
                    "Ich entwickle neue Ansätze oder Werkzeuge für digitale Teilhabe und setze mich über meine "
                    "Schule hinaus für sie ein.",
                    "Es izstrādāju jaunas pieejas vai rīkus digitālajai iekļaušanai un aizstāvu tos arī ārpus "
                    "savas skolas.",
                ),
            ],
        ),
        (
            "5.2",
            (
                "Differentiation and personalisation",
                "Differentiatie en personalisatie",
                "Différenciation et personnalisation",
                "Differenzierung und Individualisierung",
                "Diferenciācija un personalizācija",
            ),
            (
                "Using digital technologies to address learners' diverse needs, by allowing them to advance at "
                "different levels and speeds and to follow individual learning pathways and objectives.",
                "Digitale technologie gebruiken om in te spelen op de uiteenlopende noden van lerenden, zodat ze "
                "op verschillende niveaus en in hun eigen tempo vorderen en individuele leertrajecten en doelen "
                "volgen.",
                "Utiliser les technologies numériques pour répondre aux besoins variés des apprenants, en leur "
                "permettant d'avancer à des niveaux et des rythmes différents et de suivre des parcours et des "
                "objectifs individuels.",
                "Digitale Technologien nutzen, um den unterschiedlichen Bedürfnissen der Lernenden gerecht zu "
                "werden: auf verschiedenen Niveaus und in eigenem Tempo lernen, individuellen Lernwegen und "
                "-zielen folgen.",
                "Izmantot digitālās tehnoloģijas, lai atbilstu izglītojamo dažādajām vajadzībām, ļaujot viņiem "
                "virzīties dažādos līmeņos un tempos un sekot individuāliem mācību ceļiem un mērķiem.",
            ),
            [
                (
                    "I rarely use digital technologies to give learners tasks that fit their level.",
                    "Ik gebruik zelden digitale technologie om lerenden opdrachten op hun niveau te geven.",
                    "J'utilise rarement les technologies numériques pour donner aux apprenants des tâches adaptées "
                    "à leur niveau.",
                    "Ich nutze selten digitale Technologien, um Lernenden Aufgaben auf ihrem Niveau zu geben.",
                    "Es reti izmantoju digitālās tehnoloģijas, lai dotu izglītojamajiem viņu līmenim atbilstošus "
                    "uzdevumus.",
                ),
                (
                    "I sometimes give additional digital exercises to learners who need more practice or a challenge.",
                    "Ik geef soms extra digitale oefeningen aan lerenden die meer oefening of uitdaging nodig hebben.",
                    "Je propose parfois des exercices numériques supplémentaires aux apprenants qui ont besoin de "
                    "plus d'entraînement ou de défis.",
                    "Ich gebe gelegentlich zusätzliche digitale Übungen an Lernende, die mehr Übung oder eine "
                    "Herausforderung brauchen.",
                    "Es dažreiz dodu papildu digitālos vingrinājumus izglītojamajiem, kuriem vajag vairāk "
                    "vingrināties vai lielāku izaicinājumu.",
                ),
                (
                    "I offer digital activities at different levels so that learners can work at their own pace.",
                    "Ik bied digitale activiteiten op verschillende niveaus aan, zodat lerenden in hun eigen tempo "
                    "kunnen werken.",
                    "Je propose des activités numériques de différents niveaux pour que les apprenants puissent "
                    "travailler à leur rythme.",
                    "Ich biete digitale Aktivitäten auf verschiedenen Niveaus an, damit Lernende in ihrem eigenen "
                    "Tempo arbeiten können.",
                    "Es piedāvāju dažāda līmeņa digitālās aktivitātes, lai izglītojamie varētu strādāt savā tempā.",
                ),
                (
                    "I use digital technologies systematically to offer learners individual pathways, tasks and goals.",
                    "Ik gebruik digitale technologie systematisch om lerenden individuele trajecten, opdrachten en "
                    "doelen aan te bieden.",
                    "J'utilise systématiquement les technologies numériques pour proposer aux apprenants des "
                    "parcours, des tâches et des objectifs individuels.",
                    "Ich nutze digitale Technologien systematisch, um Lernenden individuelle Lernwege, Aufgaben und "
                    "Ziele anzubieten.",
                    "Es sistemātiski izmantoju digitālās tehnoloģijas, lai piedāvātu izglītojamajiem individuālus "
                    "mācību ceļus, uzdevumus un mērķus.",
                ),
                (
                    "I reflect on and adapt my personalised digital learning designs, and support colleagues in "
                    "doing the same.",
                    "Ik reflecteer op mijn gepersonaliseerde digitale leerontwerpen, pas ze aan en ondersteun "
                    "collega's daarbij.",
                    "Je réfléchis à mes scénarios d'apprentissage numériques personnalisés, je les adapte et "
                    "j'aide mes collègues à faire de même.",
                    "Ich reflektiere und überarbeite meine individualisierten digitalen Lernsettings und "
                    "unterstütze Kolleginnen und Kollegen dabei.",
                    "Es reflektēju par saviem personalizētajiem digitālās mācīšanās risinājumiem, tos pielāgoju un "
                    "atbalstu kolēģus to darīt.",
                ),
                (
                    "I develop new personalised or adaptive digital learning approaches and share them with others.",
                    "Ik ontwikkel nieuwe gepersonaliseerde of adaptieve digitale leerbenaderingen en deel ze met "
                    "anderen.",
                    "Je développe de nouvelles approches d'apprentissage numérique personnalisées ou adaptatives et "
                    "je les partage avec d'autres.",
                    "Ich entwickle neue individualisierte oder adaptive digitale Lernansätze und teile sie mit "
                    "anderen.",
                    "Es izstrādāju jaunas personalizētas vai adaptīvas digitālās mācīšanās pieejas un dalos ar tām "
                    "ar citiem.",
                ),
            ],
        ),
        (
            "5.3",
            (
                "Actively engaging learners",
                "Lerenden actief betrekken",
                "Engagement actif des apprenants",
                "Aktive Einbindung der Lernenden",
                "Izglītojamo aktīva iesaiste",
            ),
            (
                "Using digital technologies to foster learners' active and creative engagement with a subject: "
                "hands-on activities, scientific investigation, complex problem solving, and real-world contexts.",
                "Digitale technologie gebruiken om lerenden actief en creatief met een onderwerp bezig te laten "
                "zijn: doe-activiteiten, wetenschappelijk onderzoek, complexe probleemoplossing en contexten uit "
                "de echte wereld.",
                "Utiliser les technologies numériques pour favoriser l'engagement actif et créatif des apprenants "
                "dans une matière : activités pratiques, démarche scientifique, résolution de problèmes complexes "
                "et situations réelles.",
                "Digitale Technologien nutzen, um die aktive und kreative Auseinandersetzung der Lernenden mit "
                "einem Thema zu fördern: praktische Aktivitäten, forschendes Lernen, komplexe Problemlösung und "
                "Bezüge zur realen Welt.",
                "Izmantot digitālās tehnoloģijas, lai veicinātu izglītojamo aktīvu un radošu iesaisti mācību "
                "tēmā: praktiskas aktivitātes, zinātniska izpēte, sarežģītu problēmu risināšana un reālās dzīves "
                "konteksti.",
            ),
            [
                (
                    "My learners rarely use digital technologies actively in my lessons.",
                    "Mijn lerenden gebruiken zelden zelf actief digitale technologie in mijn lessen.",
                    "Mes apprenants utilisent rarement les technologies numériques de manière active pendant mes "
                    "cours.",
                    "Meine Lernenden nutzen in meinem Unterricht selten selbst aktiv digitale Technologien.",
                    "Mani izglītojamie manās stundās reti paši aktīvi izmanto digitālās tehnoloģijas.",
                ),
                (
                    "I use motivating digital content, such as videos or animations, to spark my learners' interest.",
                    "Ik gebruik motiverende digitale inhoud, zoals video's of animaties, om de interesse van mijn "
                    "lerenden te wekken.",
                    "J'utilise des contenus numériques motivants, comme des vidéos ou des animations, pour susciter "
                    "l'intérêt de mes apprenants.",
                    "Ich nutze motivierende digitale Inhalte wie Videos oder Animationen, um das Interesse meiner "
                    "Lernenden zu wecken.",
                    "Es izmantoju motivējošu digitālo saturu, piemēram, video vai animācijas, lai rosinātu "
                    "izglītojamo interesi.",
                ),
                (
                    "My learners use digital tools actively in class, for example to research, experiment or create.",
                    "Mijn lerenden gebruiken digitale tools actief in de les, bijvoorbeeld om op te zoeken, te "
                    "experimenteren of te creëren.",
                    "Mes apprenants utilisent activement des outils numériques en classe, par exemple pour "
                    "rechercher, expérimenter ou créer.",
                    "Meine Lernenden nutzen digitale Werkzeuge aktiv im Unterricht, etwa zum Recherchieren, "
                    "Experimentieren oder Gestalten.",
                    "Mani izglītojamie stundās aktīvi izmanto digitālos rīkus, piemēram, lai pētītu, "
                    "eksperimentētu vai radītu.",
                ),
                (
                    "I design activities in which learners use digital technologies to investigate and solve "
                    "real-world problems.",
                    "Ik ontwerp activiteiten waarin lerenden digitale technologie gebruiken om problemen uit de "
                    "echte wereld te onderzoeken en op te lossen.",
                    "Je conçois des activités dans lesquelles les apprenants utilisent le numérique pour "
                    "investiguer et résoudre des problèmes réels.",
                    "Ich gestalte Aktivitäten, in denen Lernende mit digitalen Technologien Probleme aus der realen "
                    "Welt erforschen und lösen.",
                    "Es veidoju aktivitātes, kurās izglītojamie ar digitālajām tehnoloģijām pēta un risina reālās "
                    "dzīves problēmas.",
                ),
                (
                    "I reflect on how well my digital activities engage learners and improve them with colleagues.",
                    "Ik ga na hoe goed mijn digitale activiteiten lerenden betrekken en verbeter ze samen met "
                    "collega's.",
                    "J'analyse dans quelle mesure mes activités numériques engagent les apprenants et je les "
                    "améliore avec mes collègues.",
                    "Ich reflektiere, wie gut meine digitalen Aktivitäten die Lernenden einbinden, und verbessere "
                    "sie mit Kolleginnen und Kollegen.",
                    "Es izvērtēju, cik labi manas digitālās aktivitātes iesaista izglītojamos, un uzlaboju tās "
                    "kopā ar kolēģiem.",
                ),
                (
                    "I develop new digital formats for active and creative learning and share them with other "
                    "educators.",
                    "Ik ontwikkel nieuwe digitale vormen voor actief en creatief leren en deel ze met andere "
                    "onderwijsgevenden.",
                    "Je développe de nouveaux formats numériques pour un apprentissage actif et créatif et je les "
                    "partage avec d'autres enseignants.",
                    "Ich entwickle neue digitale Formate für aktives und kreatives Lernen und teile sie mit anderen "
                    "Lehrenden.",
                    "Es izstrādāju jaunus digitālos formātus aktīvai un radošai mācīšanai un dalos ar tiem ar "
                    "citiem pedagogiem.",
                ),
            ],
        ),
    ],
)

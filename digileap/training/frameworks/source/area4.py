"""Area 4, Assessment (see area1.py for the shape)."""

AREA = (
    "4",
    ("Assessment", "Evaluatie", "Évaluation", "Evaluation", "Vērtēšana"),
    (
        "Using digital technologies and strategies to enhance assessment.",
        "Digitale technologie en strategieën gebruiken om evaluatie te verbeteren.",
        "Utiliser des technologies et des stratégies numériques pour améliorer l'évaluation.",
        "Digitale Technologien und Strategien nutzen, um die Evaluation zu verbessern.",
        "Digitālo tehnoloģiju un stratēģiju izmantošana vērtēšanas uzlabošanai.",
    ),
    [
        (
            "4.1",
            (
                "Assessment strategies",
                "Evaluatiestrategieën",
                "Stratégies d'évaluation",
                "Lernstandserhebung",
                "Vērtēšanas stratēģijas",
            ),
            (
                "Using digital technologies for formative and summative assessment, and enhancing the diversity "
                "and suitability of assessment formats and approaches.",
                "Digitale technologie gebruiken voor formatieve en summatieve evaluatie en de verscheidenheid en "
                "geschiktheid van evaluatievormen en -benaderingen vergroten.",
                "Utiliser les technologies numériques pour l'évaluation formative et sommative, et diversifier "
                "et mieux adapter les formats et les approches d'évaluation.",
                "Digitale Technologien für formative und summative Lernstandserhebungen nutzen und die Vielfalt "
                "und Eignung der Formate und Ansätze erhöhen.",
                "Izmantot digitālās tehnoloģijas formatīvajai un summatīvajai vērtēšanai un dažādot un "
                "pilnveidot vērtēšanas formas un pieejas.",
            ),
            [
                (
                    "I rarely use digital technologies to assess my learners.",
                    "Ik gebruik zelden digitale technologie om mijn lerenden te evalueren.",
                    "J'utilise rarement les technologies numériques pour évaluer mes apprenants.",
                    "Ich nutze selten digitale Technologien, um den Lernstand meiner Lernenden zu erheben.",
                    "Es reti izmantoju digitālās tehnoloģijas izglītojamo vērtēšanai.",
                ),
                (
                    "I use digital tools to prepare tests and to record marks.",
                    "Ik gebruik digitale tools om toetsen voor te bereiden en punten bij te houden.",
                    "J'utilise des outils numériques pour préparer des contrôles et enregistrer les notes.",
                    "Ich nutze digitale Werkzeuge, um Tests vorzubereiten und Noten zu erfassen.",
                    "Es izmantoju digitālos rīkus, lai sagatavotu pārbaudes darbus un reģistrētu vērtējumus.",
                ),
                (
                    "I use digital quizzes and polls to check my learners' understanding during lessons.",
                    "Ik gebruik digitale quizzen en peilingen om tijdens de les het begrip van mijn lerenden na te "
                    "gaan.",
                    "J'utilise des quiz et des sondages numériques pour vérifier la compréhension de mes apprenants "
                    "pendant les cours.",
                    "Ich nutze digitale Quizze und Umfragen, um während des Unterrichts das Verständnis meiner "
                    "Lernenden zu prüfen.",
                    "Es izmantoju digitālās viktorīnas un aptaujas, lai stundās pārbaudītu izglītojamo izpratni.",
                ),
                (
                    "I use a variety of digital assessment formats, formative and summative, that fit what I assess.",
                    "Ik gebruik uiteenlopende digitale evaluatievormen, formatief en summatief, die passen bij wat "
                    "ik evalueer.",
                    "J'utilise des formats d'évaluation numériques variés, formatifs et sommatifs, adaptés à ce que "
                    "j'évalue.",
                    "Ich nutze vielfältige digitale Formate, formativ und summativ, die zu dem passen, was ich erhebe.",
                    "Es izmantoju daudzveidīgas digitālās vērtēšanas formas, formatīvas un summatīvas, kas atbilst "
                    "tam, ko vērtēju.",
                ),
                (
                    "I reflect critically on my use of digital assessment and adapt my strategies accordingly.",
                    "Ik reflecteer kritisch op mijn gebruik van digitale evaluatie en pas mijn strategieën daarop aan.",
                    "Je porte un regard critique sur mon usage de l'évaluation numérique et j'adapte mes stratégies "
                    "en conséquence.",
                    "Ich reflektiere meinen Einsatz digitaler Lernstandserhebungen kritisch und passe meine "
                    "Strategien entsprechend an.",
                    "Es kritiski izvērtēju, kā izmantoju digitālo vērtēšanu, un attiecīgi pielāgoju savas stratēģijas.",
                ),
                (
                    "I develop new digital assessment formats, such as e-portfolios or game-based assessment, and "
                    "share them.",
                    "Ik ontwikkel nieuwe digitale evaluatievormen, zoals e-portfolio's of spelgebaseerde evaluatie, "
                    "en deel ze.",
                    "Je développe de nouveaux formats d'évaluation numériques, comme les portfolios numériques ou "
                    "l'évaluation ludique, et je les partage.",
                    "Ich entwickle neue digitale Formate der Lernstandserhebung, etwa E-Portfolios oder "
                    "spielbasierte Formate, und teile sie.",
                    "Es izstrādāju jaunas digitālās vērtēšanas formas, piemēram, e-portfolio vai spēlēs balstītu "
                    "vērtēšanu, un dalos ar tām.",
                ),
            ],
        ),
        (
            "4.2",
            (
                "Analysing evidence",
                "Leerbewijs analyseren",
                "Analyse des preuves d'apprentissage",
                "Lern-Evidenzen analysieren",
                "Pierādījumu analīze",
            ),
            (
                "Generating, selecting, critically analysing and interpreting digital evidence on learner "
                "activity, performance and progress, in order to inform teaching and learning.",
                "Digitaal bewijs over de activiteit, prestaties en vooruitgang van lerenden verzamelen, selecteren, "
                "kritisch analyseren en interpreteren om onderwijzen en leren bij te sturen.",
                "Produire, sélectionner, analyser de manière critique et interpréter des données numériques sur "
                "l'activité, les résultats et les progrès des apprenants, afin d'éclairer l'enseignement et "
                "l'apprentissage.",
                "Digitale Evidenzen zu Aktivität, Leistung und Fortschritt der Lernenden erzeugen, auswählen, "
                "kritisch analysieren und interpretieren, um Lehren und Lernen daran auszurichten.",
                "Iegūt, atlasīt, kritiski analizēt un interpretēt digitālus pierādījumus par izglītojamo darbību, "
                "sniegumu un progresu, lai pamatotu mācīšanu un mācīšanos.",
            ),
            [
                (
                    "I rarely look at the data that digital tools give about my learners.",
                    "Ik kijk zelden naar de gegevens die digitale tools over mijn lerenden geven.",
                    "Je consulte rarement les données que les outils numériques fournissent sur mes apprenants.",
                    "Ich sehe mir selten die Daten an, die digitale Werkzeuge über meine Lernenden liefern.",
                    "Es reti aplūkoju datus, ko digitālie rīki sniedz par maniem izglītojamajiem.",
                ),
                (
                    "I look at my learners' results in digital tools, such as marks or quiz scores.",
                    "Ik bekijk de resultaten van mijn lerenden in digitale tools, zoals punten of quizscores.",
                    "Je consulte les résultats de mes apprenants dans les outils numériques, comme les notes ou "
                    "les scores aux quiz.",
                    "Ich schaue mir die Ergebnisse meiner Lernenden in digitalen Werkzeugen an, etwa Noten oder "
                    "Quizergebnisse.",
                    "Es aplūkoju izglītojamo rezultātus digitālajos rīkos, piemēram, atzīmes vai viktorīnu punktus.",
                ),
                (
                    "I use the data of digital tools to see where my learners stand and who needs support.",
                    "Ik gebruik de gegevens van digitale tools om te zien waar mijn lerenden staan en wie "
                    "ondersteuning nodig heeft.",
                    "J'utilise les données des outils numériques pour voir où en sont mes apprenants et qui a "
                    "besoin d'aide.",
                    "Ich nutze die Daten digitaler Werkzeuge, um zu sehen, wo meine Lernenden stehen und wer "
                    "Unterstützung braucht.",
                    "Es izmantoju digitālo rīku datus, lai redzētu, kur atrodas izglītojamie un kam vajadzīgs "
                    "atbalsts.",
                ),
                (
                    "I analyse data on my learners' activity and progress systematically and critically to adapt "
                    "my teaching.",
                    "Ik analyseer gegevens over de activiteit en vooruitgang van mijn lerenden systematisch en "
                    "kritisch om mijn onderwijs aan te passen.",
                    "J'analyse de manière systématique et critique les données sur l'activité et les progrès de "
                    "mes apprenants pour adapter mon enseignement.",
                    "Ich analysiere Daten zu Aktivität und Fortschritt meiner Lernenden systematisch und kritisch, "
                    "um meinen Unterricht anzupassen.",
                    "Es sistemātiski un kritiski analizēju datus par izglītojamo darbību un progresu, lai "
                    "pielāgotu savu mācīšanu.",
                ),
                (
                    "I combine data from several sources, judge their reliability and help colleagues to interpret "
                    "them.",
                    "Ik combineer gegevens uit verschillende bronnen, beoordeel hun betrouwbaarheid en help "
                    "collega's ze te interpreteren.",
                    "Je croise des données de plusieurs sources, j'en évalue la fiabilité et j'aide mes collègues "
                    "à les interpréter.",
                    "Ich kombiniere Daten aus mehreren Quellen, beurteile ihre Verlässlichkeit und helfe "
                    "Kolleginnen und Kollegen, sie zu deuten.",
                    "Es apvienoju datus no vairākiem avotiem, izvērtēju to uzticamību un palīdzu kolēģiem tos "
                    "interpretēt.",
                ),
                (
                    "I develop new ways of gathering and analysing evidence of learning, such as learning "
                    "analytics, and share them.",
                    "Ik ontwikkel nieuwe manieren om leerbewijs te verzamelen en te analyseren, zoals learning "
                    "analytics, en deel ze.",
                    "Je développe de nouvelles manières de recueillir et d'analyser des preuves d'apprentissage, "
                    "comme l'analytique de l'apprentissage, et je les partage.",
                    "Ich entwickle neue Wege, Lern-Evidenzen zu erheben und zu analysieren, etwa Learning "
                    "Analytics, und teile sie.",
                    "Es izstrādāju jaunus veidus, kā vākt un analizēt mācīšanās pierādījumus, piemēram, mācīšanās "
                    "analītiku, un dalos ar tiem.",
                ),
            ],
        ),
        (
            "4.3",
            (
                "Feedback and planning",
                "Feedback en planning",
                "Rétroaction et planification",
                "Feedback und Planung",
                "Atgriezeniskā saite un plānošana",
            ),
            (
                "Using digital technologies to provide targeted and timely feedback to learners, to adapt teaching "
                "strategies and to help learners and parents understand the evidence and use it for decisions.",
                "Digitale technologie gebruiken om lerenden tijdig gerichte feedback te geven, "
                "onderwijsstrategieën aan te passen en lerenden en ouders te helpen het leerbewijs te begrijpen en "
                "te gebruiken bij beslissingen.",
                "Utiliser les technologies numériques pour donner aux apprenants une rétroaction ciblée et rapide, "
                "adapter les stratégies d'enseignement et aider apprenants et parents à comprendre les résultats "
                "et à s'en servir pour décider.",
                "Digitale Technologien nutzen, um Lernenden gezielt und zeitnah Feedback zu geben, "
                "Unterrichtsstrategien anzupassen und Lernenden und Eltern zu helfen, die Evidenzen zu verstehen "
                "und für Entscheidungen zu nutzen.",
                "Izmantot digitālās tehnoloģijas, lai sniegtu izglītojamajiem mērķtiecīgu un savlaicīgu "
                "atgriezenisko saiti, pielāgotu mācīšanas stratēģijas un palīdzētu izglītojamajiem un vecākiem "
                "izprast pierādījumus un izmantot tos lēmumiem.",
            ),
            [
                (
                    "I rarely use digital technologies to give feedback to my learners.",
                    "Ik gebruik zelden digitale technologie om mijn lerenden feedback te geven.",
                    "J'utilise rarement les technologies numériques pour donner une rétroaction à mes apprenants.",
                    "Ich nutze selten digitale Technologien, um meinen Lernenden Feedback zu geben.",
                    "Es reti izmantoju digitālās tehnoloģijas, lai sniegtu izglītojamajiem atgriezenisko saiti.",
                ),
                (
                    "I give my learners their marks and short comments through a digital tool.",
                    "Ik geef mijn lerenden hun punten en korte opmerkingen via een digitale tool.",
                    "Je communique à mes apprenants leurs notes et de brefs commentaires au moyen d'un outil "
                    "numérique.",
                    "Ich gebe meinen Lernenden Noten und kurze Kommentare über ein digitales Werkzeug.",
                    "Es paziņoju izglītojamajiem vērtējumus un īsus komentārus ar digitāla rīka palīdzību.",
                ),
                (
                    "I give my learners digital feedback on their work, for example comments in shared documents.",
                    "Ik geef mijn lerenden digitale feedback op hun werk, bijvoorbeeld met opmerkingen in gedeelde "
                    "documenten.",
                    "Je donne à mes apprenants une rétroaction numérique sur leur travail, par exemple des "
                    "commentaires dans des documents partagés.",
                    "Ich gebe meinen Lernenden digitales Feedback zu ihren Arbeiten, etwa als Kommentare in "
                    "gemeinsamen Dokumenten.",
                    "Es sniedzu izglītojamajiem digitālu atgriezenisko saiti par viņu darbu, piemēram, komentārus "
                    "koplietojamos dokumentos.",
                ),
                (
                    "I use digital evidence to give timely, personal feedback and to adjust my teaching plans.",
                    "Ik gebruik digitaal leerbewijs om tijdig persoonlijke feedback te geven en mijn lesplanning "
                    "bij te sturen.",
                    "J'utilise les données numériques pour donner une rétroaction personnalisée au bon moment et "
                    "ajuster ma planification.",
                    "Ich nutze digitale Evidenzen, um zeitnah persönliches Feedback zu geben und meine "
                    "Unterrichtsplanung anzupassen.",
                    "Es izmantoju digitālos pierādījumus, lai savlaicīgi sniegtu personisku atgriezenisko saiti un "
                    "pielāgotu savu stundu plānojumu.",
                ),
                (
                    "I help learners and parents understand the evidence and use it to plan the next steps together.",
                    "Ik help lerenden en ouders het leerbewijs te begrijpen en het samen te gebruiken om de "
                    "volgende stappen te plannen.",
                    "J'aide les apprenants et les parents à comprendre les résultats et à s'en servir pour "
                    "planifier ensemble les prochaines étapes.",
                    "Ich helfe Lernenden und Eltern, die Evidenzen zu verstehen und gemeinsam die nächsten "
                    "Schritte zu planen.",
                    "Es palīdzu izglītojamajiem un vecākiem izprast pierādījumus un kopā izmantot tos nākamo soļu "
                    "plānošanai.",
                ),
                (
                    "I develop new digital ways of giving feedback and of planning learning, and share them with "
                    "others.",
                    "Ik ontwikkel nieuwe digitale manieren om feedback te geven en leren te plannen, en deel ze met "
                    "anderen.",
                    "Je développe de nouvelles façons numériques de donner une rétroaction et de planifier "
                    "l'apprentissage, et je les partage avec d'autres.",
                    "Ich entwickle neue digitale Wege, Feedback zu geben und Lernen zu planen, und teile sie mit "
                    "anderen.",
                    "Es izstrādāju jaunus digitālus veidus, kā sniegt atgriezenisko saiti un plānot mācīšanos, un "
                    "dalos ar tiem ar citiem.",
                ),
            ],
        ),
    ],
)

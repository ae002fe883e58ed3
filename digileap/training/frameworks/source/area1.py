"""Area 1, Professional engagement: (code, name, description, competences); each competence
(code, name, description, six statements A1..C2); each text (en, nl, fr, de, lv)."""

AREA = (
    "1",
    (
        "Professional engagement",
        "Professionele betrokkenheid",
        "Engagement professionnel",
        "Berufliches Engagement",
        "Profesionālā iesaiste",
    ),
    (
        "Using digital technologies for communication, collaboration and professional development.",
        "Digitale technologie gebruiken voor communicatie, samenwerking en professionele ontwikkeling.",
        "Utiliser les technologies numériques pour communiquer, collaborer et se développer professionnellement.",
        "Digitale Technologien für Kommunikation, Zusammenarbeit und berufliche Weiterentwicklung nutzen.",
        "Digitālo tehnoloģiju izmantošana saziņai, sadarbībai un profesionālajai pilnveidei.",
    ),
    [
        (
            "1.1",
            (
                "Organisational communication",
                "Organisatorische communicatie",
                "Communication organisationnelle",
                "Berufliche Kommunikation",
                "Organizatoriskā komunikācija",
            ),
            (
                "Using digital technologies to improve communication with learners, parents and third parties, "
                "and contributing to the organisation's communication strategies.",
                "Digitale technologie gebruiken om de communicatie met lerenden, ouders en derden te verbeteren, "
                "en bijdragen aan de communicatiestrategie van de organisatie.",
                "Utiliser les technologies numériques pour améliorer la communication avec les apprenants, les "
                "parents et les tiers, et contribuer aux stratégies de communication de l'établissement.",
                "Digitale Technologien nutzen, um die Kommunikation mit Lernenden, Eltern und Dritten zu "
                "verbessern, und zu den Kommunikationsstrategien der Einrichtung beitragen.",
                "Izmantot digitālās tehnoloģijas, lai uzlabotu saziņu ar izglītojamajiem, vecākiem un trešajām "
                "personām, un piedalīties iestādes komunikācijas stratēģiju veidošanā.",
            ),
            [
                (
                    "I rarely use digital channels to communicate with colleagues, learners or parents.",
                    "Ik gebruik zelden digitale kanalen om met collega's, lerenden of ouders te communiceren.",
                    "J'utilise rarement des canaux numériques pour communiquer avec mes collègues, les apprenants "
                    "ou les parents.",
                    "Ich nutze selten digitale Kanäle, um mit Kolleginnen und Kollegen, Lernenden oder Eltern zu "
                    "kommunizieren.",
                    "Es reti izmantoju digitālos kanālus saziņai ar kolēģiem, izglītojamajiem vai vecākiem.",
                ),
                (
                    "I use basic digital channels, such as e-mail, to communicate with colleagues, learners and "
                    "parents.",
                    "Ik gebruik eenvoudige digitale kanalen, zoals e-mail, om met collega's, lerenden en ouders te "
                    "communiceren.",
                    "J'utilise des canaux numériques simples, comme le courriel, pour communiquer avec mes "
                    "collègues, les apprenants et les parents.",
                    "Ich nutze einfache digitale Kanäle wie E-Mail, um mit Kolleginnen und Kollegen, Lernenden und "
                    "Eltern zu kommunizieren.",
                    "Es izmantoju vienkāršus digitālos kanālus, piemēram, e-pastu, saziņai ar kolēģiem, "
                    "izglītojamajiem un vecākiem.",
                ),
                (
                    "I combine different digital channels, such as e-mail, the school's platform and its website, "
                    "to communicate.",
                    "Ik combineer verschillende digitale kanalen, zoals e-mail, het platform en de website van de "
                    "school, om te communiceren.",
                    "Je combine différents canaux numériques, comme le courriel, la plateforme et le site web de "
                    "l'école, pour communiquer.",
                    "Ich kombiniere verschiedene digitale Kanäle wie E-Mail, die Lernplattform und die Website der "
                    "Schule, um zu kommunizieren.",
                    "Saziņai es apvienoju dažādus digitālos kanālus, piemēram, e-pastu, skolas platformu un "
                    "tīmekļvietni.",
                ),
                (
                    "I choose, adapt and combine digital channels systematically to suit each purpose and audience.",
                    "Ik kies digitale kanalen systematisch, pas ze aan en combineer ze, afgestemd op elk doel en "
                    "elk publiek.",
                    "Je choisis, adapte et combine systématiquement les canaux numériques selon l'objectif et le "
                    "public.",
                    "Ich wähle digitale Kanäle systematisch passend zu Zweck und Zielgruppe aus, passe sie an und "
                    "kombiniere sie.",
                    "Es sistemātiski izvēlos, pielāgoju un apvienoju digitālos kanālus atbilstoši katram mērķim "
                    "un adresātam.",
                ),
                (
                    "I reflect on, discuss and proactively improve my communication strategies with colleagues.",
                    "Ik reflecteer op mijn communicatiestrategieën, bespreek ze met collega's en verbeter ze "
                    "proactief.",
                    "Je réfléchis à mes stratégies de communication, j'en discute avec mes collègues et je les "
                    "améliore de manière proactive.",
                    "Ich reflektiere meine Kommunikationsstrategien, bespreche sie mit Kolleginnen und Kollegen und "
                    "verbessere sie proaktiv.",
                    "Es reflektēju par savām komunikācijas stratēģijām, apspriežu tās ar kolēģiem un proaktīvi tās "
                    "uzlaboju.",
                ),
                (
                    "I contribute to developing and improving the school's communication strategy.",
                    "Ik draag bij aan het ontwikkelen en verbeteren van de communicatiestrategie van de school.",
                    "Je contribue à l'élaboration et à l'amélioration de la stratégie de communication de l'école.",
                    "Ich trage dazu bei, die Kommunikationsstrategie der Schule zu entwickeln und zu verbessern.",
                    "Es piedalos skolas komunikācijas stratēģijas izstrādē un pilnveidē.",
                ),
            ],
        ),
        (
            "1.2",
            (
                "Professional collaboration",
                "Professionele samenwerking",
                "Collaboration professionnelle",
                "Berufliche Zusammenarbeit",
                "Profesionālā sadarbība",
            ),
            (
                "Using digital technologies to collaborate with other educators, share and exchange knowledge and "
                "experience, and innovate pedagogic practice together.",
                "Digitale technologie gebruiken om samen te werken met andere onderwijsgevenden, kennis en "
                "ervaring te delen en samen de didactische praktijk te vernieuwen.",
                "Utiliser les technologies numériques pour collaborer avec d'autres enseignants, partager et "
                "échanger savoirs et expériences, et innover ensemble dans la pratique pédagogique.",
                "Digitale Technologien nutzen, um mit anderen Lehrenden zusammenzuarbeiten, Wissen und Erfahrungen "
                "auszutauschen und gemeinsam die pädagogische Praxis weiterzuentwickeln.",
                "Izmantot digitālās tehnoloģijas sadarbībai ar citiem pedagogiem, zināšanu un pieredzes apmaiņai "
                "un kopīgai pedagoģiskās prakses inovācijai.",
            ),
            [
                (
                    "I rarely use digital technologies to work with colleagues.",
                    "Ik gebruik zelden digitale technologie om met collega's samen te werken.",
                    "J'utilise rarement les technologies numériques pour travailler avec mes collègues.",
                    "Ich nutze selten digitale Technologien, um mit Kolleginnen und Kollegen zusammenzuarbeiten.",
                    "Es reti izmantoju digitālās tehnoloģijas darbam ar kolēģiem.",
                ),
                (
                    "I sometimes exchange materials with colleagues by e-mail or on a shared drive.",
                    "Ik wissel soms materiaal uit met collega's via e-mail of een gedeelde map.",
                    "J'échange parfois des supports avec mes collègues par courriel ou sur un espace partagé.",
                    "Ich tausche gelegentlich Materialien mit Kolleginnen und Kollegen per E-Mail oder über ein "
                    "gemeinsames Laufwerk aus.",
                    "Es dažreiz apmainos ar materiāliem ar kolēģiem pa e-pastu vai koplietojamā krātuvē.",
                ),
                (
                    "I work with colleagues in shared documents and online spaces to prepare lessons and projects.",
                    "Ik werk met collega's samen in gedeelde documenten en online omgevingen om lessen en "
                    "projecten voor te bereiden.",
                    "Je travaille avec mes collègues dans des documents partagés et des espaces en ligne pour "
                    "préparer des cours et des projets.",
                    "Ich arbeite mit Kolleginnen und Kollegen in gemeinsamen Dokumenten und Online-Räumen an "
                    "Unterricht und Projekten.",
                    "Es strādāju ar kolēģiem koplietojamos dokumentos un tiešsaistes vidēs, lai sagatavotu stundas "
                    "un projektus.",
                ),
                (
                    "I take part in online networks and communities of practice to exchange ideas and resources "
                    "with other educators.",
                    "Ik neem deel aan online netwerken en praktijkgemeenschappen om ideeën en materiaal uit te "
                    "wisselen met andere onderwijsgevenden.",
                    "Je participe à des réseaux en ligne et à des communautés de pratique pour échanger idées et "
                    "ressources avec d'autres enseignants.",
                    "Ich beteilige mich an Online-Netzwerken und Praxisgemeinschaften, um Ideen und Materialien mit "
                    "anderen Lehrenden auszutauschen.",
                    "Es piedalos tiešsaistes tīklos un prakses kopienās, lai apmainītos ar idejām un resursiem ar "
                    "citiem pedagogiem.",
                ),
                (
                    "I use digital collaboration to develop new practices with colleagues and share what we learn "
                    "beyond my school.",
                    "Ik werk digitaal samen om met collega's nieuwe praktijken te ontwikkelen en deel wat we leren "
                    "ook buiten mijn school.",
                    "Je m'appuie sur la collaboration numérique pour développer de nouvelles pratiques avec mes "
                    "collègues et je partage nos acquis au-delà de mon école.",
                    "Ich nutze digitale Zusammenarbeit, um mit Kolleginnen und Kollegen neue Praktiken zu "
                    "entwickeln, und teile unsere Erfahrungen über meine Schule hinaus.",
                    "Es izmantoju digitālo sadarbību, lai kopā ar kolēģiem izstrādātu jaunas prakses, un dalos ar "
                    "atziņām arī ārpus savas skolas.",
                ),
                (
                    "I build and lead online communities or networks through which educators develop their "
                    "practice together.",
                    "Ik bouw en leid online gemeenschappen of netwerken waarin onderwijsgevenden samen hun praktijk "
                    "ontwikkelen.",
                    "Je crée et j'anime des communautés ou des réseaux en ligne où les enseignants font évoluer "
                    "ensemble leurs pratiques.",
                    "Ich baue Online-Gemeinschaften oder Netzwerke auf und leite sie, in denen Lehrende gemeinsam "
                    "ihre Praxis weiterentwickeln.",
                    "Es veidoju un vadu tiešsaistes kopienas vai tīklus, kuros pedagogi kopā attīsta savu praksi.",
                ),
            ],
        ),
        (
            "1.3",
            (
                "Reflective practice",
                "Reflectieve praktijk",
                "Pratique réflexive",
                "Reflektierte Praxis",
                "Reflektējoša prakse",
            ),
            (
                "Reflecting on, critically assessing and actively developing one's own and one's community's "
                "digital pedagogical practice.",
                "Individueel en samen reflecteren op de eigen digitale didactische praktijk en die van de "
                "gemeenschap, ze kritisch beoordelen en actief verder ontwikkelen.",
                "Réfléchir à sa pratique pédagogique numérique et à celle de sa communauté, l'évaluer de manière "
                "critique et la faire évoluer activement.",
                "Die eigene digitale pädagogische Praxis und die der Gemeinschaft reflektieren, kritisch bewerten "
                "und aktiv weiterentwickeln.",
                "Reflektēt par savu un savas kopienas digitālo pedagoģisko praksi, to kritiski izvērtēt un aktīvi "
                "attīstīt.",
            ),
            [
                (
                    "I rarely think about how I use digital technologies in my teaching.",
                    "Ik sta zelden stil bij hoe ik digitale technologie in mijn onderwijs gebruik.",
                    "Je réfléchis rarement à la manière dont j'utilise les technologies numériques dans mon "
                    "enseignement.",
                    "Ich denke selten darüber nach, wie ich digitale Technologien im Unterricht einsetze.",
                    "Es reti aizdomājos par to, kā izmantoju digitālās tehnoloģijas savā mācīšanā.",
                ),
                (
                    "I am aware that I could use digital technologies better and sometimes think about how.",
                    "Ik weet dat ik digitale technologie beter zou kunnen gebruiken en denk soms na over hoe.",
                    "Je sais que je pourrais mieux utiliser les technologies numériques et je réfléchis parfois à "
                    "la manière de le faire.",
                    "Mir ist bewusst, dass ich digitale Technologien besser nutzen könnte, und ich überlege "
                    "manchmal, wie.",
                    "Es apzinos, ka varētu labāk izmantot digitālās tehnoloģijas, un dažreiz domāju, kā to darīt.",
                ),
                (
                    "I experiment with new digital practices and reflect on how well they worked.",
                    "Ik experimenteer met nieuwe digitale praktijken en ga na hoe goed ze werkten.",
                    "J'expérimente de nouvelles pratiques numériques et j'analyse dans quelle mesure elles ont "
                    "fonctionné.",
                    "Ich probiere neue digitale Praktiken aus und überlege, wie gut sie funktioniert haben.",
                    "Es eksperimentēju ar jaunām digitālām praksēm un izvērtēju, cik labi tās izdevās.",
                ),
                (
                    "I seek feedback from learners and colleagues to improve my digital teaching practice.",
                    "Ik vraag feedback aan lerenden en collega's om mijn digitale onderwijspraktijk te verbeteren.",
                    "Je sollicite l'avis des apprenants et de mes collègues pour améliorer ma pratique "
                    "d'enseignement numérique.",
                    "Ich hole Rückmeldungen von Lernenden und Kolleginnen und Kollegen ein, um meine digitale "
                    "Unterrichtspraxis zu verbessern.",
                    "Es lūdzu atgriezenisko saiti izglītojamajiem un kolēģiem, lai uzlabotu savu digitālo "
                    "mācīšanas praksi.",
                ),
                (
                    "I reflect on my digital practice with colleagues and help them to develop theirs.",
                    "Ik reflecteer samen met collega's op onze digitale praktijk en help hen die van hen te "
                    "ontwikkelen.",
                    "Je réfléchis à ma pratique numérique avec mes collègues et je les aide à faire évoluer la leur.",
                    "Ich reflektiere meine digitale Praxis gemeinsam mit Kolleginnen und Kollegen und helfe ihnen, "
                    "ihre eigene weiterzuentwickeln.",
                    "Es reflektēju par savu digitālo praksi kopā ar kolēģiem un palīdzu viņiem attīstīt savējo.",
                ),
                (
                    "I do research on digital teaching practices and share the results to improve education "
                    "beyond my school.",
                    "Ik doe onderzoek naar digitale onderwijspraktijken en deel de resultaten om het onderwijs ook "
                    "buiten mijn school te verbeteren.",
                    "Je mène des recherches sur les pratiques d'enseignement numérique et j'en partage les résultats "
                    "pour améliorer l'éducation au-delà de mon école.",
                    "Ich erforsche digitale Unterrichtspraktiken und teile die Ergebnisse, um Bildung über meine "
                    "Schule hinaus zu verbessern.",
                    "Es pētu digitālās mācīšanas prakses un dalos ar rezultātiem, lai uzlabotu izglītību arī ārpus "
                    "savas skolas.",
                ),
            ],
        ),
        (
            "1.4",
            (
                "Digital continuous professional development",
                "Digitale professionele ontwikkeling",
                "Développement professionnel continu par le numérique",
                "Digitale Weiterbildung",
                "Digitālā profesionālā pilnveide",
            ),
            (
                "Using digital sources and resources for continuous professional development.",
                "Digitale bronnen en middelen gebruiken voor de eigen professionele ontwikkeling.",
                "Utiliser des sources et des ressources numériques pour son développement professionnel continu.",
                "Digitale Quellen und Ressourcen für die kontinuierliche berufliche Weiterbildung nutzen.",
                "Izmantot digitālos avotus un resursus nepārtrauktai profesionālajai pilnveidei.",
            ),
            [
                (
                    "I rarely use the internet or online courses to learn for my profession.",
                    "Ik gebruik zelden het internet of online cursussen om bij te leren voor mijn beroep.",
                    "J'utilise rarement Internet ou des formations en ligne pour me former dans mon métier.",
                    "Ich nutze selten das Internet oder Online-Kurse, um mich beruflich fortzubilden.",
                    "Es reti izmantoju internetu vai tiešsaistes kursus, lai mācītos savai profesijai.",
                ),
                (
                    "I sometimes look up information or teaching ideas on the internet.",
                    "Ik zoek soms informatie of lesideeën op het internet.",
                    "Je cherche parfois des informations ou des idées pédagogiques sur Internet.",
                    "Ich suche gelegentlich Informationen oder Unterrichtsideen im Internet.",
                    "Es dažreiz meklēju internetā informāciju vai idejas stundām.",
                ),
                (
                    "I use a range of online sources, such as videos, webinars and professional websites, to keep "
                    "learning.",
                    "Ik gebruik uiteenlopende online bronnen, zoals video's, webinars en vakwebsites, om bij te "
                    "blijven leren.",
                    "J'utilise diverses sources en ligne, comme des vidéos, des webinaires et des sites "
                    "professionnels, pour continuer à me former.",
                    "Ich nutze verschiedene Online-Quellen wie Videos, Webinare und Fachportale, um mich "
                    "weiterzubilden.",
                    "Es izmantoju dažādus tiešsaistes avotus, piemēram, video, vebinārus un profesionālas "
                    "tīmekļvietnes, lai turpinātu mācīties.",
                ),
                (
                    "I take part in online courses, MOOCs or virtual communities to develop my teaching "
                    "systematically.",
                    "Ik volg online cursussen, MOOC's of neem deel aan virtuele gemeenschappen om mijn onderwijs "
                    "systematisch te ontwikkelen.",
                    "Je suis des formations en ligne, des MOOC ou je participe à des communautés virtuelles pour "
                    "développer systématiquement mon enseignement.",
                    "Ich nehme an Online-Kursen, MOOCs oder virtuellen Gemeinschaften teil, um meinen Unterricht "
                    "systematisch weiterzuentwickeln.",
                    "Es piedalos tiešsaistes kursos, MOOC vai virtuālās kopienās, lai sistemātiski pilnveidotu savu "
                    "mācīšanu.",
                ),
                (
                    "I choose the digital learning opportunities that suit my needs and help colleagues to find "
                    "theirs.",
                    "Ik kies de digitale leerkansen die bij mijn behoeften passen en help collega's om die van hen "
                    "te vinden.",
                    "Je choisis les offres de formation numériques adaptées à mes besoins et j'aide mes collègues "
                    "à trouver les leurs.",
                    "Ich wähle die digitalen Lernangebote, die zu meinem Bedarf passen, und helfe Kolleginnen und "
                    "Kollegen, passende zu finden.",
                    "Es izvēlos man piemērotas digitālās mācīšanās iespējas un palīdzu kolēģiem atrast viņiem "
                    "piemērotās.",
                ),
                (
                    "I design and deliver online professional development for other educators.",
                    "Ik ontwerp en geef online professionaliseringsaanbod voor andere onderwijsgevenden.",
                    "Je conçois et j'anime des formations professionnelles en ligne pour d'autres enseignants.",
                    "Ich entwickle Online-Fortbildungen für andere Lehrende und führe sie durch.",
                    "Es izstrādāju un vadu tiešsaistes profesionālās pilnveides nodarbības citiem pedagogiem.",
                ),
            ],
        ),
    ],
)

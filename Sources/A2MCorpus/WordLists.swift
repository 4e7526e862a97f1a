/// Phrase lists the sentence generator combines: subject + verb + object [+ adverb] [conjunction + clause].
/// Word order is SVO in every listed language, so combinations read as plain (if odd) sentences, which is
/// all the synthesizer needs to produce natural prosody, stress and phrasing.
struct WordList: Sendable {
    let subjects: [String]
    let verbs: [String]
    let objects: [String]
    let adverbs: [String]
    let conjunctions: [String]
}

enum WordLists {
    /// espeak-ng language code → phrase list.
    static let byLanguage: [String: WordList] = [
        "en": WordList(
            subjects: ["the old man", "my sister", "our teacher", "the young doctor", "a tired farmer", "the small child",
                       "your neighbour", "the captain", "this strange woman", "every student", "the driver", "my best friend"],
            verbs: ["carefully opened", "quickly found", "never understood", "suddenly painted", "slowly carried", "happily visited",
                    "always wanted", "finally repaired", "quietly watched", "loudly called", "gently moved", "almost forgot"],
            objects: ["the wooden door", "a bright red apple", "the long letter", "our little garden", "the heavy box", "a beautiful song",
                      "the green bicycle", "an empty room", "the morning train", "a broken window", "the big market", "the cold river"],
            adverbs: ["yesterday", "this morning", "again", "in the evening", "without a word", "for the first time", "at last", "today"],
            conjunctions: ["and then", "but", "because", "while"]),
        "de": WordList(
            subjects: ["der alte Mann", "meine Schwester", "unser Lehrer", "die junge Ärztin", "ein müder Bauer", "das kleine Kind",
                       "dein Nachbar", "der Kapitän", "diese seltsame Frau", "jeder Student", "der Fahrer", "mein bester Freund"],
            verbs: ["öffnete vorsichtig", "fand schnell", "verstand nie", "malte plötzlich", "trug langsam", "besuchte fröhlich",
                    "wollte immer", "reparierte endlich", "beobachtete leise", "rief laut", "bewegte sanft", "vergaß fast"],
            objects: ["die hölzerne Tür", "einen roten Apfel", "den langen Brief", "unseren kleinen Garten", "die schwere Kiste", "ein schönes Lied",
                      "das grüne Fahrrad", "einen leeren Raum", "den Morgenzug", "ein kaputtes Fenster", "den großen Markt", "den kalten Fluss"],
            adverbs: ["gestern", "heute Morgen", "wieder", "am Abend", "ohne ein Wort", "zum ersten Mal", "endlich", "heute"],
            conjunctions: ["und dann", "aber", "denn", "und"]),
        "fr": WordList(
            subjects: ["le vieil homme", "ma sœur", "notre professeur", "la jeune médecin", "un paysan fatigué", "le petit enfant",
                       "ton voisin", "le capitaine", "cette femme étrange", "chaque étudiant", "le chauffeur", "mon meilleur ami"],
            verbs: ["ouvrit doucement", "trouva vite", "ne comprit jamais", "peignit soudain", "porta lentement", "visita joyeusement",
                    "voulait toujours", "répara enfin", "regardait en silence", "appela fort", "déplaça", "oublia presque"],
            objects: ["la porte en bois", "une pomme rouge", "la longue lettre", "notre petit jardin", "la boîte lourde", "une belle chanson",
                      "le vélo vert", "une pièce vide", "le train du matin", "une fenêtre cassée", "le grand marché", "la rivière froide"],
            adverbs: ["hier", "ce matin", "encore", "le soir", "sans un mot", "pour la première fois", "enfin", "aujourd'hui"],
            conjunctions: ["et puis", "mais", "parce que", "pendant que"]),
        "es": WordList(
            subjects: ["el hombre viejo", "mi hermana", "nuestro maestro", "la joven doctora", "un granjero cansado", "el niño pequeño",
                       "tu vecino", "el capitán", "esta mujer extraña", "cada estudiante", "el conductor", "mi mejor amigo"],
            verbs: ["abrió con cuidado", "encontró rápido", "nunca entendió", "pintó de repente", "llevó despacio", "visitó feliz",
                    "siempre quiso", "reparó por fin", "miró en silencio", "llamó fuerte", "movió suavemente", "casi olvidó"],
            objects: ["la puerta de madera", "una manzana roja", "la carta larga", "nuestro pequeño jardín", "la caja pesada", "una canción bonita",
                      "la bicicleta verde", "un cuarto vacío", "el tren de la mañana", "una ventana rota", "el gran mercado", "el río frío"],
            adverbs: ["ayer", "esta mañana", "otra vez", "por la tarde", "sin una palabra", "por primera vez", "al final", "hoy"],
            conjunctions: ["y luego", "pero", "porque", "mientras"]),
        "it": WordList(
            subjects: ["il vecchio", "mia sorella", "il nostro maestro", "la giovane dottoressa", "un contadino stanco", "il bambino piccolo",
                       "il tuo vicino", "il capitano", "questa donna strana", "ogni studente", "l'autista", "il mio migliore amico"],
            verbs: ["aprì con cura", "trovò subito", "non capì mai", "dipinse all'improvviso", "portò piano", "visitò felice",
                    "voleva sempre", "riparò finalmente", "guardava in silenzio", "chiamò forte", "spostò", "dimenticò quasi"],
            objects: ["la porta di legno", "una mela rossa", "la lunga lettera", "il nostro piccolo giardino", "la scatola pesante", "una bella canzone",
                      "la bicicletta verde", "una stanza vuota", "il treno del mattino", "una finestra rotta", "il grande mercato", "il fiume freddo"],
            adverbs: ["ieri", "stamattina", "di nuovo", "la sera", "senza una parola", "per la prima volta", "alla fine", "oggi"],
            conjunctions: ["e poi", "ma", "perché", "mentre"]),
        "nl": WordList(
            subjects: ["de oude man", "mijn zus", "onze leraar", "de jonge dokter", "een moeie boer", "het kleine kind",
                       "je buurman", "de kapitein", "deze vreemde vrouw", "elke student", "de chauffeur", "mijn beste vriend"],
            verbs: ["opende voorzichtig", "vond snel", "begreep nooit", "schilderde plotseling", "droeg langzaam", "bezocht vrolijk",
                    "wilde altijd", "repareerde eindelijk", "bekeek stil", "riep luid", "bewoog zacht", "vergat bijna"],
            objects: ["de houten deur", "een rode appel", "de lange brief", "onze kleine tuin", "de zware doos", "een mooi lied",
                      "de groene fiets", "een lege kamer", "de ochtendtrein", "een kapot raam", "de grote markt", "de koude rivier"],
            adverbs: ["gisteren", "vanochtend", "opnieuw", "'s avonds", "zonder een woord", "voor het eerst", "eindelijk", "vandaag"],
            conjunctions: ["en toen", "maar", "want", "en"]),
        "pt": WordList(
            subjects: ["o homem velho", "minha irmã", "nosso professor", "a jovem médica", "um agricultor cansado", "a criança pequena",
                       "o teu vizinho", "o capitão", "esta mulher estranha", "cada estudante", "o motorista", "o meu melhor amigo"],
            verbs: ["abriu com cuidado", "encontrou depressa", "nunca entendeu", "pintou de repente", "levou devagar", "visitou feliz",
                    "sempre quis", "consertou finalmente", "olhou em silêncio", "chamou alto", "moveu suavemente", "quase esqueceu"],
            objects: ["a porta de madeira", "uma maçã vermelha", "a carta longa", "o nosso pequeno jardim", "a caixa pesada", "uma canção bonita",
                      "a bicicleta verde", "um quarto vazio", "o comboio da manhã", "uma janela partida", "o grande mercado", "o rio frio"],
            adverbs: ["ontem", "esta manhã", "outra vez", "à noite", "sem uma palavra", "pela primeira vez", "por fim", "hoje"],
            conjunctions: ["e depois", "mas", "porque", "enquanto"]),
        "pl": WordList(
            subjects: ["stary człowiek", "moja siostra", "nasz nauczyciel", "młoda lekarka", "zmęczony rolnik", "małe dziecko",
                       "twój sąsiad", "kapitan", "ta dziwna kobieta", "każdy student", "kierowca", "mój najlepszy przyjaciel"],
            verbs: ["ostrożnie otworzył", "szybko znalazł", "nigdy nie zrozumiał", "nagle pomalował", "powoli niósł", "radośnie odwiedził",
                    "zawsze chciał", "w końcu naprawił", "cicho oglądał", "głośno zawołał", "delikatnie przesunął", "prawie zapomniał"],
            objects: ["drewniane drzwi", "czerwone jabłko", "długi list", "nasz mały ogród", "ciężkie pudło", "piękną piosenkę",
                      "zielony rower", "pusty pokój", "poranny pociąg", "zbite okno", "duży rynek", "zimną rzekę"],
            adverbs: ["wczoraj", "dziś rano", "znowu", "wieczorem", "bez słowa", "pierwszy raz", "wreszcie", "dzisiaj"],
            conjunctions: ["a potem", "ale", "bo", "podczas gdy"]),
    ]
}

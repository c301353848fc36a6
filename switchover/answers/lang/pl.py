"""Polish question words, said in the English the understander reads.

A Polish question is read by rewriting its question words into English ones ("kiedy jest moja
migracja?" -> "when is my migration?"): intents, facets and date words here; names (places,
departments, waves) are left as typed, so the plan's own names and aliases still match.

Polish is inflected: a noun has seven cases and a verb a form per person, so most words are known by
their stem and an ending (``STEMS`` with ``_ENDINGS``: "migracja", "migracji", "migracją" are all
"migration"; "przenoszą", "przeniosą", "przeniesiemy" are all "move"). Words are compared folded (no
diacritics, lower case: "poczte" is "pocztę", "haslo" is "hasło"), and a misspelt word close to a known
one ("migarcja") is read as it. Only everyday Polish lives here: nothing of any one customer's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from switchover.answers.text import fold

# Several words said as one thing. Keys are folded Polish words.
PHRASES: dict[str, str] = {
    # asking when and what time
    "o ktorej godzinie": "what time",
    "o ktorej": "what time",
    "o jakiej godzinie": "what time",
    "od ktorej": "from what time",
    "do ktorej": "until what time",
    "do kiedy": "until when",
    "od kiedy": "since when",
    "na kiedy": "by when",
    "ktorego dnia": "what day",
    "w jaki dzien": "what day",
    "w ktory dzien": "what day",
    "jaki dzien": "what day",
    "ktory dzien": "what day",
    "jaka data": "what date",
    "jaki termin": "what date",
    "ktorego": "what date",
    "ile czasu": "how long",
    "jak dlugo": "how long",
    "ile dni": "how many days",
    "ile zostalo": "how long until",
    # whose turn: "kiedy moja kolej?" is "when is my turn"
    # "kolej" is a turn; asked of the move it is the asker's own move
    "moja kolej": "my move",
    "nasza kolej": "our move",
    "kolej na mnie": "my move",
    "kolej na nas": "our move",
    # what happens
    "co sie stanie z": "what happens to",
    "co sie dzieje z": "what happens to",
    "co bedzie z": "what happens to",
    "co z": "what about",
    "co bedzie": "what is on",
    "co mamy": "what is on",
    "co jest": "what is on",
    "co jest z": "what about",
    "co jest nie tak": "what is wrong",
    "co sie bedzie dzialo": "what is happening",
    "co sie stanie": "what happens",
    "co sie dzieje": "what is happening",
    "co sie wydarzy": "what is happening",
    "co sie zmienia": "what changes",
    "co sie zmieni": "what changes",
    "co mam zrobic": "what do i do",
    "czy musze": "must i",
    "po co": "why",
    "po co mi": "why do i need",
    "zamiast": "instead of",
    "bedziemy mogli": "can we",
    "bede mogl": "can i",
    "bede mogla": "can i",
    "co mam robic": "what do i do",
    "co musze zrobic": "what must i do",
    "co robic": "what do i do",
    "co wtedy": "what do i do",
    "co teraz": "what do i do now",
    "co zrobic": "what do i do",
    "co to jest": "what is",
    "co to": "what is",
    "co oznacza": "what does mean",
    "co znaczy": "what does mean",
    "czy jest cos": "is there anything",
    "jest cos": "is there anything",
    "czy cos": "anything",
    # whom to ask
    "do kogo": "who do i contact",
    "do kogo mam": "who do i",
    "do kogo mamy": "who do we",
    "jak cos": "if something",
    "jesli cos": "if something",
    "gdyby cos": "if something",
    "z kim": "who do i talk to",
    "z kim mam": "who do i",
    "kogo mam": "who do i",
    # losing things, said impersonally
    "nie dziala": "does not work",
    "nie dzialaja": "do not work",
    "nie moge": "i can not",
    "nie mozemy": "we can not",
    "nie widze": "i do not see",
    "nie mam": "i have no",
    "nie mamy": "we have no",
    "nie ma": "there is no",
    "nie przychodza": "do not arrive",
    "nie przychodzi": "does not arrive",
    "nie dostaje": "i do not get",
    "nie bedzie": "will not be",
    "nie znam": "i do not know",
    "nie wiem": "i do not know",
    "nie umiem": "i can not",
    "bedzie dzialac": "will work",
    "beda dzialac": "will work",
    "bedzie dzialal": "will work",
    "bedzie dzialala": "will work",
    "beda dzialaly": "will work",
    "bedzie trzeba": "will i need",
    "trzeba bedzie": "will i need",
    "nie bede": "i will not be",
    "nie bedziemy": "we will not be",
    # who I am and where I work: "jestem z magazynu", "pracuję w Gdańsku"
    "jestem z": "i am in",
    "jestem w": "i am in",
    "jestesmy z": "we are in",
    "jestesmy w": "we are in",
    "pracuje w": "i work in",
    "pracujemy w": "we work in",
    # days
    "w ten weekend": "this weekend",
    "w najblizszy weekend": "this weekend",
    "najblizszy weekend": "this weekend",
    "w dniach": "on",
    "za tydzien": "next week",
    "w przyszlym roku": "next year",
    "ten weekend": "this weekend",
    "w tym tygodniu": "this week",
    "ten tydzien": "this week",
    "w przyszlym tygodniu": "next week",
    "w nastepnym tygodniu": "next week",
    "przyszly tydzien": "next week",
    "nastepny tydzien": "next week",
    "w przyszly weekend": "next weekend",
    "w nastepny weekend": "next weekend",
    "przyszly weekend": "next weekend",
    "nastepny weekend": "next weekend",
    "w przyszlym miesiacu": "next month",
    "w tym miesiacu": "this month",
    "po poludniu": "in the afternoon",
    "przed poludniem": "in the morning",
    "w nocy": "at night",
    "w weekend": "at the weekend",
    "w weekend migracji": "on cutover weekend",
    "weekend migracji": "cutover weekend",
    "w jakich godzinach dziala": "when is open",
    "w jakich godzinach": "what hours",
    "godziny pracy": "opening hours",
    "godziny otwarcia": "opening hours",
    "dzis rano": "this morning",
    "dzisiaj rano": "this morning",
    "dzis wieczorem": "tonight",
    "dzisiaj wieczorem": "tonight",
    "tej nocy": "tonight",
    # shifts: "zmiana" is a shift at work as well as a change
    "nocna zmiana": "night shift",
    "nocnej zmianie": "night shift",
    "nocnej zmiany": "night shift",
    "nocna zmiane": "night shift",
    "na nocce": "on the night shift",
    "nocka": "night shift",
    "weekendowa zmiana": "weekend shift",
    "weekendowej zmianie": "weekend shift",
    "weekendowej zmiany": "weekend shift",
    "zmiana weekendowa": "weekend shift",
    "zmianie weekendowej": "weekend shift",
    "na zmianie": "on shift",
    "na zmiane": "on shift",
    "na zmiany": "in shifts",
    "na zmianach": "in shifts",
    "ranna zmiana": "early shift",
    "rannej zmianie": "early shift",
    "popoludniowa zmiana": "late shift",
    "popoludniowej zmianie": "late shift",
    # services
    "skrzynka wspolna": "shared mailbox",
    "wspolna skrzynka": "shared mailbox",
    "wspolnej skrzynki": "shared mailbox",
    "wspolnej skrzynce": "shared mailbox",
    "wspolne skrzynki": "shared mailboxes",
    "wspoldzielona skrzynka": "shared mailbox",
    "wspoldzielonej skrzynki": "shared mailbox",
    "wspoldzielone skrzynki": "shared mailboxes",
    "skrzynka wspoldzielona": "shared mailbox",
    "skrzynki wspoldzielone": "shared mailboxes",
    "skrzynka pocztowa": "mailbox",
    "skrzynki pocztowej": "mailbox",
    "skrzynke pocztowa": "mailbox",
    "poczta elektroniczna": "email",
    "poczty elektronicznej": "email",
    "dwa etapy": "two step",
    "dwuetapowa weryfikacja": "two step",
    "weryfikacja dwuetapowa": "two step",
    "weryfikacji dwuetapowej": "two step",
    "uwierzytelnianie wieloskladnikowe": "multi factor authentication",
    "uwierzytelniania wieloskladnikowego": "multi factor authentication",
    "uwierzytelnianie dwuskladnikowe": "two factor authentication",
    "klucz bezpieczenstwa": "security key",
    "klucza bezpieczenstwa": "security key",
    "kluczem bezpieczenstwa": "security key",
    "tylko do odczytu": "read only",
    "do odczytu": "read only",
    "dodatkowe wsparcie": "extra support",
    "dodatkowego wsparcia": "extra support",
    "dodatkowa pomoc": "extra help",
    "wzmozone wsparcie": "extra support",
    "wzmozonego wsparcia": "extra support",
    "okres wsparcia": "support period",
    "okresu wsparcia": "support period",
    "dzial it": "IT",
    "dzialu it": "IT",
    "dziale it": "IT",
    "service desk": "service desk",
    "service desku": "service desk",
    "pomoc techniczna": "service desk",
    "pomocy technicznej": "service desk",
    "wsparcie techniczne": "service desk",
    "wsparcia technicznego": "service desk",
    "dzial kadr": "human resources",
    "dzialu kadr": "human resources",
    "zasoby ludzkie": "human resources",
    "obsluga klienta": "customer service",
    "obslugi klienta": "customer service",
    "obsludze klienta": "customer service",
    "biuro obslugi klienta": "customer service",
    # being and having
    "musze": "i must",
    "musimy": "we must",
    "bede": "i will",
    "bedziemy": "we will",
    "przed migracja": "before the migration",
    # "after the switch" is a time, not a question about who switches
    "po zmianie": "after the change",
    "po przejsciu": "after the change",
    "po przelaczeniu": "after the change",
    "po przeniesieniu": "after the change",
    "po przeprowadzce": "after the change",
    "przed zmiana": "before the change",
    "przed przejsciem": "before the change",
    "na magazynie": "in the warehouse",
    "w magazynie": "in the warehouse",
    "z soboty na niedziele": "from saturday to sunday",
    "z piatku na sobote": "from friday to saturday",
    "po migracji": "after the migration",
    "w trakcie": "during",
    "wielka brytania": "the United Kingdom",
    "wielkiej brytanii": "the United Kingdom",
    "nowa zelandia": "New Zealand",
    "nowej zelandii": "New Zealand",
    "stany zjednoczone": "the US",
    "stanach zjednoczonych": "the US",
    "mnie to czeka": "is my move",
    "mnie czeka": "is my move",
    "nas to czeka": "is our move",
    "nas czeka": "is our move",
    "u mnie": "for me",
    "u nas": "for us",
    "po polsku": "in polish",
    "po angielsku": "in english",
    "po niemiecku": "in german",
    "po hiszpansku": "in spanish",
    "za bardzo": "really",
    "w czasie": "during",
    "w razie": "in case of",
    "jeszcze raz": "again",
    "od nowa": "again",
    "z powrotem": "back",
    "dzien dobry": "hello",
    "dobry wieczor": "hello",
}

# One word (folded) said as one or more English words: the words that do not inflect, and forms whose
# stem would read as something else.
WORDS: dict[str, str] = {
    # question words
    "kiedy": "when",
    "kiedyz": "when",
    "gdzie": "where",
    "dokad": "where",
    "skad": "where from",
    "czy": "",
    "co": "what",
    "czego": "what",
    "czym": "what",
    "jak": "how",
    "jakie": "which",
    "jaki": "which",
    "jaka": "which",
    "jakiej": "which",
    "jakim": "which",
    "jakiego": "which",
    "ktory": "which",
    "ktora": "which",
    "ktore": "which",
    "ktorej": "which",
    "ktorym": "which",
    "ktorych": "which",
    "ktorzy": "which",
    "kto": "who",
    "kogo": "who",
    "komu": "who",
    "ile": "how many",
    "dlaczego": "why",
    "czemu": "why",
    "terminy": "dates",
    "data": "date",
    "daty": "dates",
    "dzien": "day",
    "dnia": "day",
    "dni": "days",
    "godzina": "time",
    "godzinie": "time",
    "godziny": "hours",
    "godzin": "hours",
    "harmonogram": "schedule",
    "harmonogramie": "schedule",
    "plan": "plan",
    "planie": "plan",
    "zaplanowana": "planned",
    "zaplanowane": "planned",
    "zaplanowany": "planned",
    "przewidziana": "planned",
    "wkrotce": "soon",
    "niedlugo": "soon",
    "kolej": "turn",
    # people
    **dict.fromkeys("moj moja moje mojego mojej moim moich moimi mojemu".split(), "my"),
    **dict.fromkeys("swoj swoja swoje swojego swojej swoim swoich swoimi swojemu".split(), "my"),
    **dict.fromkeys("nasz nasza nasze naszego naszej naszym naszych naszymi naszemu".split(), "our"),
    **dict.fromkeys("twoj twoja twoje twojego twojej twoim twoich".split(), "your"),
    "jego": "their",
    "jej": "their",
    "ich": "them",
    "ja": "i",
    "mnie": "me",
    "mi": "me",
    "mna": "me",
    "my": "we",
    "nas": "us",
    "nam": "us",
    "nami": "us",
    "ty": "you",
    "ciebie": "you",
    "pan": "you",
    "pani": "you",
    "panstwo": "you",
    "jestem": "i am",
    "jestesmy": "we are",
    "pracuje": "i work",
    "pracujemy": "we work",
    "mam": "i have",
    "mamy": "we have",
    "moge": "can i",
    "mozemy": "can we",
    "mozna": "can i",
    "potrzebuje": "i need",
    "potrzebujemy": "we need",
    "nalezy": "must",
    "trzeba": "i need",
    "powinienem": "should i",
    "powinnam": "should i",
    "powinnismy": "should we",
    "chce": "i want",
    "chcemy": "we want",
    # being
    "jest": "is",
    "sa": "are",
    "bedzie": "will be",
    "beda": "will be",
    "byl": "was",
    "byla": "was",
    "bylo": "was",
    "byly": "were",
    "byli": "were",
    "zostanie": "will be",
    "zostana": "will be",
    "ma": "has",
    "maja": "have",
    "masz": "have",
    "trwa": "lasts",
    "potrwa": "will last",
    "potrwaja": "will last",
    "zaczyna": "starts",
    "zaczynaja": "start",
    "zacznie": "starts",
    "rozpocznie": "starts",
    "konczy": "ends",
    "konczymy": "end",
    "skonczy": "ends",
    "zakonczy": "ends",
    "koniec": "end",
    "konca": "end",
    "poczatek": "start",
    "start": "start",
    # function words
    "i": "and",
    "a": "and",
    "oraz": "and",
    "albo": "or",
    "lub": "or",
    "ale": "but",
    "jesli": "if",
    "jezeli": "if",
    "gdyby": "if",
    "nie": "not",
    "tak": "yes",
    "w": "in",
    "we": "in",
    "na": "on",
    "z": "with",
    "ze": "with",
    "do": "to",
    "od": "from",
    "dla": "for",
    "o": "about",
    "po": "after",
    "przed": "before",
    "podczas": "during",
    "bez": "without",
    "przez": "for",
    "miedzy": "between",
    "az": "until",
    "juz": "already",
    "jeszcze": "still",
    "nadal": "still",
    "dalej": "still",
    "tez": "too",
    "takze": "too",
    "rowniez": "too",
    "tylko": "only",
    "wszystko": "everything",
    "wszystkie": "all",
    "wszystkich": "all",
    "wszyscy": "everyone",
    "cos": "anything",
    "nic": "nothing",
    "sie": "",
    "to": "",
    "ten": "this",
    "ta": "this",
    "tym": "this",
    "tej": "this",
    "tego": "this",
    "te": "these",
    "tych": "these",
    "tam": "there",
    "tu": "here",
    "tutaj": "here",
    "teraz": "now",
    "wtedy": "then",
    "potem": "after",
    "pozniej": "later",
    "wczesniej": "before",
    "zawsze": "always",
    "prosze": "please",
    "dzieki": "thanks",
    "dziekuje": "thanks",
    "czesc": "hi",
    "hej": "hi",
    "witam": "hi",
    "siema": "hi",
    "halo": "hi",
    "ok": "ok",
    "okej": "ok",
    "pomocy": "help",
    "pomoz": "help",
    "pomoc": "help",
    "stary": "old",
    "stare": "old",
    "starej": "old",
    "starego": "old",
    "starych": "old",
    "starym": "old",
    "stara": "old",
    "nowy": "new",
    "nowe": "new",
    "nowa": "new",
    "nowej": "new",
    "nowego": "new",
    "nowym": "new",
    "nowych": "new",
    "nastepna": "next",
    "nastepny": "next",
    "nastepnej": "next",
    "przyszly": "next",
    "przyszla": "next",
    "przyszlym": "next",
    "pierwsza": "first",
    "pierwszej": "first",
    "pierwszy": "first",
    "druga": "second",
    "drugiej": "second",
    "trzecia": "third",
    "trzeciej": "third",
    "czwarta": "fourth",
    "czwartej": "fourth",
    "ostatnia": "last",
    "ostatniej": "last",
    "zero": "zero",
    "jeden": "one",
    "dwa": "two",
    "trzy": "three",
    "cztery": "four",
    "rano": "in the morning",
    "wieczorem": "in the evening",
    "noca": "at night",
    "pilne": "urgent",
    "bo": "because",
    "poniewaz": "because",
    "skoro": "since",
    "lat": "years",
    "lata": "years",
    "normalnie": "as usual",
    "praca": "work",
    "pracy": "work",
    "prace": "work",
    "czynny": "open",
    "czynne": "open",
    "czynna": "open",
    "otwarty": "open",
    "otwarte": "open",
    # going over to the new: "kiedy idę na nowego outlooka?"
    "ide": "i move",
    "idziemy": "we move",
    "idzie": "moves",
    "ida": "move",
    "pojde": "i move",
    "pojdziemy": "we move",
    "pojdzie": "moves",
    "dzieje": "is happening",
    "padnie": "breaks down",
    "padl": "broke down",
    "padla": "broke down",
    "padlo": "broke down",
    "pada": "breaks down",
    "mogli": "can",
    "dniach": "days",
    "najblizszy": "coming",
    "najblizsza": "coming",
    "najblizsze": "coming",
    "najblizszej": "coming",
    "najblizszym": "coming",
    "najblizszych": "coming",
    "za": "in",
    "przejdzie": "come over",
    "przejda": "come over",
    "pilnie": "urgent",
    # days and months
    "dzis": "today",
    "dzisiaj": "today",
    "jutro": "tomorrow",
    "jutra": "tomorrow",
    "pojutrze": "in two days",
    "wczoraj": "yesterday",
    "weekend": "weekend",
    "weekendu": "weekend",
    "weekendzie": "weekend",
    "weekendy": "weekends",
    "weekendowy": "weekend",
    "weekendowa": "weekend",
    "tydzien": "week",
    "tygodnia": "week",
    "tygodniu": "week",
    "tygodnie": "weeks",
    "tygodni": "weeks",
    "miesiac": "month",
    "miesiaca": "month",
    "miesiacu": "month",
    # the move and its groups
    "kutower": "cutover",
    "cutoveru": "cutover",
    "cutoverze": "cutover",
    "cutover": "cutover",
    "turze": "wave",
    "srodzie": "wednesday",
    "dzialal": "work",
    "dzialala": "work",
    "dzialaly": "work",
    "dzialali": "work",
    "pilot": "pilot",
    "pilota": "pilot",
    "pilocie": "pilot",
    "pilotaz": "pilot",
    "pilotazu": "pilot",
    "pilotazowej": "pilot",
    "pilotazowa": "pilot",
    "informatyk": "IT",
    "informatycy": "IT",
    "informatyka": "IT",
    "informatyki": "IT",
    "it": "IT",
    "kadry": "HR",
    "kadr": "HR",
    "hr": "HR",
    "ksiegowosc": "accounting",
    "ksiegowosci": "accounting",
    "marketing": "marketing",
    "marketingu": "marketing",
    "zarzad": "management",
    "zarzadu": "management",
    "zarzadzie": "management",
    "wszystkim": "everyone",
    "ludzie": "people",
    "ludzi": "people",
    "handlowiec": "sales rep",
    "handlowcy": "sales reps",
    "przedstawiciel": "sales rep",
    "przedstawiciele": "sales reps",
    "domu": "home",
    # services (English words as typed, with Polish endings)
    "e": "",
    "outlook": "outlook",
    "teams": "teams",
    "teamsy": "teams",
    "teamsa": "teams",
    "teamsach": "teams",
    "teamsie": "teams",
    "teamsem": "teams",
    "teamsow": "teams",
    "onedrive": "onedrive",
    "onedrivie": "onedrive",
    "onedrivea": "onedrive",
    "onedrive'a": "onedrive",
    "sharepoint": "sharepoint",
    "sharepointa": "sharepoint",
    "sharepoincie": "sharepoint",
    "sharepoincie'": "sharepoint",
    "mfa": "mfa",
    "hypercare": "hypercare",
    "hypercare'u": "hypercare",
    "hypercareu": "hypercare",
    "intranet": "intranet",
    "intranetu": "intranet",
    "intranecie": "intranet",
    "erp": "ERP",
    "erpa": "ERP",
    "erpie": "ERP",
    "erpem": "ERP",
    "wifi": "wifi",
    "wi": "wi",
    "fi": "fi",
    "internet": "internet",
    "internetu": "internet",
    "vpn": "vpn",
    "vpna": "vpn",
    "vpnie": "vpn",
    "iphone": "iphone",
    "iphonie": "iphone",
    "iphonea": "iphone",
    "android": "android",
    "androidzie": "android",
    "androida": "android",
}

# Stems and the English they give, with any ending of ``_ENDINGS`` ("migracj" + "a", "i", "e", "ach", ...).
# Keys are folded; the longest stem that fits wins.
STEMS: dict[str, str] = {
    # the move
    "migracj": "migration",
    "termin": "date",
    "migracyjn": "migration",
    "migruj": "migrate",
    "migrowa": "migrate",
    "migrowan": "migrated",
    "zmigruj": "migrate",
    "zmigrowa": "migrate",
    "zmigrowan": "migrated",
    "przeniesieni": "move",
    "przenosin": "move",
    "przenos": "move",
    "przenosz": "move",
    "przenies": "move",
    "przeniesi": "move",
    "przenios": "move",
    "przeniesion": "moved",
    "przejsci": "switch",
    "przejsc": "switch",
    "przechodz": "switch",
    "przejdz": "switch",
    "przejd": "switch",
    "przeszl": "switched",
    "przelaczeni": "switch",
    "przelacz": "switch",
    "przesiadk": "switch",
    "przeprowadzk": "move",
    "zmian": "switch",
    "zmieni": "change",
    "zmieniaj": "change",
    "zmien": "change",
    "wdrozeni": "rollout",
    "przerw": "outage",
    "przestoj": "downtime",
    "przesun": "move",
    # waves and groups
    "fal": "wave",
    "grup": "group",
    "tur": "wave",
    "etap": "phase",
    "faz": "phase",
    "dzial": "department",
    "zespol": "team",
    "oddzial": "site",
    "lokalizacj": "site",
    "biur": "office",
    "centrala": "head office",
    "centrali": "head office",
    "siedzib": "head office",
    "magazynier": "warehouse staff",
    "kierownik": "manager",
    "kierowniczk": "manager",
    "szef": "manager",
    "przelozon": "manager",
    "ambasador": "champion",
    "championa": "champion",
    "champion": "champion",
    "zmianow": "shift lead",
    "brygadzist": "shift lead",
    # email and calendar
    "poczt": "email",
    "poczc": "email",
    "mail": "email",
    "mejl": "email",
    "meil": "email",
    "emaili": "email",
    "email": "email",
    "skrzynk": "mailbox",
    "skrzyn": "mailbox",
    "skrzync": "mailbox",
    "wiadomosc": "messages",
    "kalendarz": "calendar",
    "kontakt": "contacts",
    "spotkani": "meetings",
    "spotkan": "meetings",
    "outlook": "outlook",
    "folder": "folder",
    "katalog": "folder",
    "archiw": "archive",
    "zalacznik": "attachment",
    "podpis": "signature",
    "zamowieni": "orders",
    "zamowien": "orders",
    # files
    "plik": "files",
    "dysk": "drive",
    "udzial": "share",
    "dokument": "documents",
    "instrukcj": "instructions",
    "eksport": "exports",
    "wydruk": "print",
    "drukar": "printer",
    "drukark": "printer",
    "drukowa": "print",
    "drukuj": "print",
    "wydrukuj": "print",
    "etykiet": "labels",
    "naklejk": "labels",
    # sign-in
    "hasl": "password",
    "hasel": "passwords",
    "logowani": "sign in",
    "logowa": "sign in",
    "loguj": "sign in",
    "zaloguj": "sign in",
    "zalogowa": "sign in",
    "wyloguj": "sign out",
    "wylogowa": "sign out",
    "uwierzytelniani": "authentication",
    "uwierzytelnieni": "authentication",
    "weryfikacj": "verification",
    "autentykacj": "authentication",
    "authenticator": "authenticator",
    "autenticator": "authenticator",
    "autentykator": "authenticator",
    "aplikacj": "app",
    "apk": "app",
    "appk": "app",
    "klucz": "key",
    "klucze": "key",
    "telefon": "phone",
    "komork": "phone",
    "komorc": "phone",
    "smartfon": "smartphone",
    "smartphon": "smartphone",
    "sluzbow": "company",
    "prywatn": "private",
    "wlasn": "own",
    "kont": "account",
    "konto": "account",
    "login": "username",
    "loginu": "username",
    "dostep": "access",
    "uprawnieni": "permissions",
    "kiosk": "kiosk",
    "skaner": "handheld",
    "terminal": "handheld",
    "czytnik": "handheld",
    "komputer": "pc",
    "laptop": "laptop",
    "stanowisk": "pc",
    # support
    # in a migration, support is the extra support after it ("wsparcie po migracji"); the desk is
    # "wsparcie techniczne" (PHRASES)
    "wsparci": "extra support",
    "pomoc": "help",
    "helpdesk": "help desk",
    "serwis": "service desk",
    "zgloszeni": "ticket",
    "zglos": "report",
    "zglasz": "report",
    "problem": "problem",
    "blad": "error",
    "bled": "error",
    "awari": "outage",
    "numer": "number",
    # verbs of the domain
    "strac": "lose",
    "trac": "lose",
    "zgin": "lost",
    "przepad": "lost",
    "znik": "gone",
    "usun": "delete",
    "usuwa": "delete",
    "skasowa": "delete",
    "skasuj": "delete",
    "kasuj": "delete",
    "zachowa": "keep",
    "zachowaj": "keep",
    "zachowan": "kept",
    "zostan": "stay",
    "zostaj": "stay",
    "skopiowa": "copied",
    "skopiuj": "copy",
    "kopiowa": "copy",
    "kopiuj": "copy",
    "przekopiuj": "copy",
    "dziala": "work",
    "dzialaj": "work",
    "wysla": "send",
    "wysyla": "send",
    "wysl": "send",
    "odbiera": "receive",
    "odbior": "receive",
    "dostaj": "get",
    "dostan": "get",
    "dostawa": "get",
    "przychodz": "arrive",
    "przyjd": "arrive",
    "zainstalowa": "install",
    "zainstaluj": "install",
    "instalowa": "install",
    "instaluj": "install",
    "instalacj": "install",
    "skonfigurowa": "set up",
    "skonfiguruj": "set up",
    "konfiguracj": "setup",
    "ustawi": "set up",
    "ustaw": "set up",
    "zarejestrowa": "register",
    "zarejestruj": "register",
    "rejestracj": "registration",
    "zresetowa": "reset",
    "zresetuj": "reset",
    "resetowa": "reset",
    "resetuj": "reset",
    "znalez": "find",
    "znajd": "find",
    "znajdz": "find",
    "szuka": "find",
    "widz": "see",
    "widac": "see",
    "zobacz": "see",
    "dzwoni": "call",
    "zadzwoni": "call",
    "zadzwon": "call",
    "skontaktowa": "contact",
    "skontaktuj": "contact",
    "kontaktowa": "contact",
    "uzywa": "use",
    "uzyw": "use",
    "korzysta": "use",
    "otworz": "open",
    "otwiera": "open",
    "pobra": "download",
    "pobier": "download",
    "przygotowa": "prepare",
    "przygotuj": "prepare",
    "przygotowuj": "prepare",
    "zrobi": "do",
    "robi": "do",
    "zapomnia": "forget",
    "zapomn": "forget",
    "wpisa": "enter",
    "wpisuj": "enter",
    "zatwierdz": "approve",
    "zatwierdza": "approve",
    "potwierdz": "approve",
    "potwierdza": "approve",
    "drukowal": "print",
    "opozni": "late",
    "opozn": "late",
    "spozni": "late",
    "dociera": "arrive",
    "dotr": "arrive",
    "zmieniac": "change",
    "wplyn": "affect",
    "wplywa": "affect",
    "dotycz": "affect",
    "dotyk": "affect",
    "wyglada": "look",
    # leave and away
    "urlop": "vacation",
    "urlopi": "vacation",
    "chorob": "sick leave",
    "zwolnieni": "sick leave",
    "macierzynsk": "parental leave",
    "rodzicielsk": "parental leave",
    "wyjazd": "away travelling",
    "delegacj": "away travelling",
    "nieobecn": "away",
    "emerytur": "retirement",
    # out of scope, said plainly so the understander knows it is not the move
    "wyplat": "payroll",
    "pensj": "payroll",
    "parking": "parking",
    "parkowa": "park",
    "zaparkowa": "park",
    "parkuj": "park",
    "zaparkuj": "park",
    "wylacz": "switch off",
    "wylaczy": "switch off",
    "wylacza": "switch off",
    "stolowk": "canteen",
    "kantyn": "canteen",
    "jadlospis": "canteen menu",
    "menu": "menu",
    "swiet": "holiday",
    "grafik": "shift plan",
    "jezyk": "language",
    "polsk": "polish",
    "polska": "Poland",
    "polsce": "Poland",
    "polske": "Poland",
    "niemcy": "Germany",
    "niemczech": "Germany",
    "niemiec": "Germany",
    "meksyk": "Mexico",
    "meksyku": "Mexico",
    "stanach": "the US",
    "stany": "the US",
    "stanow": "the US",
    "usa": "the US",
    "austrii": "Austria",
    "holandii": "the Netherlands",
    "holandia": "the Netherlands",
    "irlandia": "Ireland",
    "irlandii": "Ireland",
    "australii": "Australia",
    "kanada": "Canada",
    "kanadzie": "Canada",
    "kanady": "Canada",
    "hiszpania": "Spain",
    "hiszpanii": "Spain",
    "francja": "France",
    "francji": "France",
    "wlochy": "Italy",
    "wloszech": "Italy",
    "czechy": "Czechia",
    "czechach": "Czechia",
    "szwajcaria": "Switzerland",
    "szwajcarii": "Switzerland",
    "niemieck": "german",
    "hiszpansk": "spanish",
    "angielsk": "english",
    "wozk": "forklift",
    "paleta": "pallet",
    "palet": "pallet",
    "wysylk": "shipping",
    "przyjeci": "receipt",
    "towar": "goods",
    "kompletacj": "picking",
    "kompletowa": "picking",
    "kompletuj": "pick",
    "zdaln": "remote",
    "pracownic": "staff",
    "pracownik": "staff",
    "rozmawia": "talk to",
    "porozmawia": "talk to",
    "cal": "whole",
    "sprawdz": "check",
    "sprawdza": "check",
    "firmow": "company",
    "dosta": "get",
    "zapisuj": "save",
    "zapisa": "save",
    "zgubi": "lost",
    "zgub": "lost",
    "przesta": "stopped",
    "zakup": "purchasing",
    "zaopatrzeni": "purchasing",
    "chmur": "cloud",
    "planuj": "plan",
    "planowa": "planned",
    "zaplanowa": "planned",
    "klient": "customers",
    "zwykl": "normal",
    "stanowiskow": "work",
    "wspoln": "shared",
    "wspoldzielon": "shared",
    "magazyn": "warehouse",
    "reczn": "",
    "nock": "night shift",
    "klapk": "flip",
    "pisa": "write",
    "pisz": "write",
    "napisa": "write",
    "napisz": "write",
    "zepsu": "break",
    "psuj": "break",
    "pops": "break",
    "jakosc": "quality",
    "jakosci": "quality",
}

# Weekdays and months in every case: stem -> English.
_DAYS = {
    "poniedzial": "monday",
    "wtor": "tuesday",
    "srod": "wednesday",
    "czwart": "thursday",
    "piat": "friday",
    "sobot": "saturday",
    "soboc": "saturday",
    "niedziel": "sunday",
}
_MONTH_FORMS = {
    "january": "styczen stycznia styczniu",
    "february": "luty lutego lutym",
    "march": "marzec marca marcu",
    "april": "kwiecien kwietnia kwietniu",
    "may": "maj maja maju",
    "june": "czerwiec czerwca czerwcu",
    "july": "lipiec lipca lipcu",
    "august": "sierpien sierpnia sierpniu",
    "september": "wrzesien wrzesnia wrzesniu",
    "october": "pazdziernik pazdziernika pazdzierniku",
    "november": "listopad listopada listopadzie",
    "december": "grudzien grudnia grudniu",
}
for _en, _forms in _MONTH_FORMS.items():
    for _form in _forms.split():
        WORDS[_form] = _en
# Weekday forms that do not fit the stems' endings.
WORDS.update(
    {
        "poniedzialek": "monday",
        "wtorek": "tuesday",
        "czwartek": "thursday",
        "piatek": "friday",
        "sobota": "saturday",
        "sobote": "saturday",
        "sobocie": "saturday",
        "niedziela": "sunday",
    }
)
for _stem, _en in _DAYS.items():
    STEMS[_stem] = _en
    # "w sobotę", "w najbliższą sobotę", "w tę sobotę": on Saturday (the coming one)
    for _this in ("w", "we", "w te", "w ten", "w ta", "w najblizsza", "w najblizszy"):
        for _end in ("e", "", "ek", "a", "ie"):
            PHRASES.setdefault(f"{_this} {_stem}{_end}", f"on {_en}")
    for _next in ("w przyszla", "w przyszly", "w nastepna", "w nastepny"):
        for _end in ("e", "ek", "a"):
            PHRASES.setdefault(f"{_next} {_stem}{_end}", f"on {_en}")
PHRASES["w poniedzialek"] = "on monday"
PHRASES["we wtorek"] = "on tuesday"
PHRASES["w srode"] = "on wednesday"
PHRASES["w czwartek"] = "on thursday"
PHRASES["w piatek"] = "on friday"
PHRASES["w sobote"] = "on saturday"
PHRASES["w niedziele"] = "on sunday"

# Noun, adjective and verb endings (folded), any of which a stem of :data:`STEMS` may take.
_ENDINGS = frozenset(
    """
    a e i y o u ie ia ii iu io ija ije iji a ach ami om ow owi owie em ie ej ego emu ym ymi ych im imi ich
    ej ecie esz emy e eja eje eje ej ejcie eli al ala alo ali aly al am asz amy acie aja ac ic yc
    il ila ilo ili ily ilem ilam ilismy ilas ilesz alem alam alismy alas ec ecie esz emy
    uje ujesz ujemy ujecie uja uj ujcie owal owala owali owac owany owana owane owani ywac
    ona one ony oni on ono any ana ane ani eni enie enia eniu eniem
    nie nia niu niem niami niach cie ciem ci
    owy owa owe owej owego owym owych owemu
    k ka ki ku kiem ke
    imy isz icie iemy iesz iecie c na nie niemy ne ny ni iete iety ieta ieci
    """.split()
) | {""}


def _stem_word(word: str) -> str | None:
    """The English of a word known by its stem and an ending ("migracji" -> "migration"), or None."""
    for cut in range(len(word), 2, -1):
        stem, ending = word[:cut], word[cut:]
        if stem in STEMS and ending in _ENDINGS:
            return STEMS[stem]
    return None


# The first person plural of a verb ("migrujemy", "przenosimy", "przechodzimy"): we.
_WE = re.compile(r"(emy|imy|amy|ymy)$")
# Which English words are verbs a subject can be said of.
_MOVING = frozenset({"migrate", "move", "switch", "change"})

# Chat spellings of everyday words ("kiedy" as "kdy", "wiesz" as "wiesz").
CHAT: dict[str, str] = {
    "kdy": "kiedy",
    "kidy": "kiedy",
    "kiedu": "kiedy",
    "kiedt": "kiedy",
    "kiedi": "kiedy",
    "gdze": "gdzie",
    "gdize": "gdzie",
    "cz": "czy",
    "cy": "czy",
    "jk": "jak",
    "pls": "prosze",
    "plz": "prosze",
    "prosz": "prosze",
    "dzk": "dzieki",
    "dzieks": "dzieki",
    "thx": "dzieki",
    "tz": "tez",
    "jzu": "juz",
    "sb": "sobota",
    "sob": "sobota",
    "ndz": "niedziela",
    "pon": "poniedzialek",
    "wt": "wtorek",
    "sr": "sroda",
    "czw": "czwartek",
    "pt": "piatek",
    "pn": "poniedzialek",
}


def _known(word: str) -> bool:
    return word in WORDS or _stem_word(word) is not None or word in _PHRASE_WORDS


_PHRASE_WORDS = frozenset(w for p in PHRASES for w in p.split())
# Known words of five letters or more, towards which a misspelt word is repaired: the plain words, and
# each stem with its most common endings.
_REPAIRABLE = sorted(
    {w for w in WORDS if len(w) >= 5}
    | {w for p in PHRASES for w in p.split() if len(w) >= 5}
    | {s + e for s in STEMS for e in ("", "a", "e", "i", "y", "u", "ie", "ach", "ami", "uje", "emy") if len(s + e) >= 5}
)


@lru_cache(maxsize=8192)
def _repair(word: str) -> str:
    """A misspelt Polish question word read as the word it is close to ("migarcja", "kiedyy")."""
    word = CHAT.get(word, word)
    if len(word) < 5 or _known(word) or not word.isalpha():
        return word
    hit = process.extractOne(word, _REPAIRABLE, scorer=fuzz.ratio, score_cutoff=85)
    return hit[0] if hit else word


_WORD = re.compile(r"[^\W_]+|[^\w\s]+|\s+|_+")
_PHRASE_SIZES = tuple(sorted({p.count(" ") + 1 for p in PHRASES}, reverse=True))


def _english(word: str, before: str) -> str | None:
    """The English of one folded word (None: a name, left as typed)."""
    if word in WORDS:
        return WORDS[word]
    english = _stem_word(word)
    if english is None:
        return None
    if english in _MOVING and _WE.search(word):
        return f"we {english}"  # "kiedy migrujemy?", "przenosimy się": we move
    if english in _MOVING and before in ("mnie", "mi"):
        return english  # "kiedy mnie przeniosą": the "me" is said already
    return english


def gloss(text: str) -> str:
    """``text`` with its Polish question words in English; every other word (a name) as typed.

    >>> gloss("Kiedy jest moja migracja?")
    'when is my migration?'
    """
    pieces = _WORD.findall(text)
    at = [i for i, p in enumerate(pieces) if p[0].isalnum()]
    # A capital letter alone is a drive ("dysk P", "na Q:"), never a word.
    folded = [
        pieces[i].casefold() if len(pieces[i]) == 1 and pieces[i].isupper() else _repair(fold(pieces[i]) or pieces[i])
        for i in at
    ]
    out = list(pieces)
    k = 0
    while k < len(at):
        for n in _PHRASE_SIZES:
            said = " ".join(folded[k : k + n])
            if n > 1 and k + n <= len(at) and said in PHRASES:
                out[at[k]] = PHRASES[said]
                for j in range(k + 1, k + n):
                    out[at[j]] = ""
                    for s in range(at[j - 1] + 1, at[j]):
                        if pieces[s].isspace():
                            out[s] = ""
                k += n
                break
        else:
            word = folded[k]
            if word in PHRASES:
                out[at[k]] = PHRASES[word]
            elif word in ("mam", "mamy") and k + 1 < len(folded) and _INFINITIVE.search(folded[k + 1]):
                # "mam" with a verb is what one is to do: "kiedy mam zainstalować?" is when should I install
                out[at[k]] = "should i" if word == "mam" else "should we"
            elif word in ("z", "ze") and k + 1 < len(folded) and not _known(folded[k + 1]):
                out[at[k]] = "from"  # "z Gdańska", "ludzie z Lublina": from a place (a name, as typed)
            elif (english := _english(word, folded[k - 1] if k else "")) is not None:
                out[at[k]] = english
            k += 1
    said = re.sub(r"\s{2,}", " ", "".join(out)).strip()
    said = re.sub(r"^[\s,.;:]+|\s+(?=[?!.,;])", "", said)
    said = _SAID_TWICE.sub(r"\1", said)  # "ja jestem": the subject said and in the verb, once
    said = _AM_I_LAST.sub(lambda m: f"{m[2]} {m[1]}", said)  # "w której grupie jestem?": which group am i
    said = _DRIVE_AFTER.sub(r"\1 drive", said)  # "dysk P", "na dysku Q:": the P drive
    said = _DRIVE_LETTER.sub(r"\1 drive", said)  # "na P:", "z Q:": the P drive
    said = _DOTTED_DATE.sub(_date, said)
    said = _WEEKEND_OF.sub(
        "on ", said
    )  # "w weekend 10-11 kwietnia": on those days, not this weekend  # "21.03": 21 march
    said = _WEEKDAY_NUMBER.sub(r"\1 the \2th", said)
    return said


# An infinitive ("zainstalować", "zrobić", "przyjść"), or "się" before one.
_INFINITIVE = re.compile(r"^(?:\w{3,}c|sie)$")
_SAID_TWICE = re.compile(r"\b(i|we) \1\b")
# Polish puts "jestem" last ("w której grupie jestem?"); English asks "am i" there.
_AM_I_LAST = re.compile(r"\b(i|we) (am|are)(?=\s*(?:[?!.]|$))")
_DRIVE_AFTER = re.compile(r"\b(?:drive|share)\s+([A-Za-z])(?::)?(?![\w'’-])")
_DRIVE_LETTER = re.compile(r"(?:(?<=\bon )|(?<=\bwith )|(?<=\bin )|(?<=\bto ))([A-HJ-Z]):(?!\d)(?! drive)")
_WEEKEND_OF = re.compile(r"\b(?:at|on) the weekend (?=\d)")
_MONTHS = ("january february march april may june july august september october november december").split()
_DOTTED_DATE = re.compile(r"\b([12]?\d|3[01])\.(0?[1-9]|1[0-2])\b(?!\.\d)")


def _date(m: re.Match[str]) -> str:
    return f"{int(m[1])} {_MONTHS[int(m[2]) - 1]}"


_WEEKDAY_NUMBER = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday) ([12]?\d|3[01])\b(?!\s*(of|/|:|\.|\d|[a-z]))"
)


# -- telling a Polish question from an English one (switchover.answers.lang.detect) --

# Question words (folded), the surest sign of a Polish question.
QUESTION_WORDS = frozenset("kiedy gdzie czy dlaczego ile kto ktory ktora ktore jaki jaka jakie jakim komu kogo".split())
# Other function words only Polish writes (folded).
MARKERS = frozenset(
    """
    jest sa jestem jestes bedzie beda bede byl byla bylo moja moj moje mojego mojej moim moich mnie mna
    nasz nasza nasze naszego naszej nam nas nami wasz wasza pan pani prosze sie nie tak juz jeszcze tez
    przez od dla przed bez oraz albo lub ale bo ze za jutro dzis dzisiaj wczoraj teraz zaraz kiedys
    mam mamy masz moge mozna trzeba musze chce ktos cos nic tego tej ten jego jej ich
    """.split()
)
# Words Polish writes that English (or Spanish) also writes, or letters alone: half a marker's weight.
SHARED = frozenset("co jak na po mi ma w z i o a ja".split())
LETTERS = "ąćęłńśźżó"
PUNCTUATION = ""
# Words the glosser knows whole (folded); words known by stem and ending are found by :func:`knows`.
VOCABULARY = frozenset(WORDS) | _PHRASE_WORDS


def knows(word: str) -> bool:
    """A folded word known by a stem and a Polish ending ("migracji", "maila"); not a bare stem, which
    may be an English word ("problem", "laptop")."""
    for cut in range(len(word) - 1, 2, -1):
        if word[:cut] in STEMS and word[cut:] in _ENDINGS:
            return True
    return False

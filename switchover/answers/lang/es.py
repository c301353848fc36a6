"""Spanish question words, said in the English the understander reads.

A Spanish question is read by rewriting its question words into English ones ("¿cuándo es mi
migración?" -> "when is my migration?"): intents, facets and date words here; names (places,
departments, waves) are left as typed, so the plan's own names and aliases still match. Words are
compared folded (no accents, lower case: "migracion" is "migración"), and a misspelt word close to one of
these ("migrasion") is read as it. Only everyday Spanish lives here: nothing of any one customer's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from switchover.answers.text import fold

# Several words said as one thing, longest first where they overlap. Keys are folded Spanish words.
PHRASES: dict[str, str] = {
    # asking when
    "hasta cuando": "until when",
    "para cuando": "by when",
    "desde cuando": "since when",
    "a partir de cuando": "since when",
    "a finales de": "late",
    "finales de": "late",
    "a principios de": "early",
    "principios de": "early",
    "a mediados de": "mid",
    "mediados de": "mid",
    "en que fecha": "what date",
    "que fecha": "what date",
    "en que dia": "what day",
    "que dia": "what day",
    "a que hora": "what time",
    "que hora": "what time",
    "cuantos dias faltan": "how many days until",
    "cuantos dias quedan": "how many days until",
    "cuanto falta": "how long until",
    "cuanto tiempo falta": "how long until",
    "cuanto dura": "how long is",
    "cuanto tiempo": "how long",
    "que tiempo hace": "what weather is it",
    "que tiempo va a hacer": "what weather will it be",
    # whose turn: "¿cuándo me toca?" is "when is my turn"
    # "a mí" sets the asker against others ("soy de contabilidad, ¿cuándo me toca a mí?"): their own move
    "me toca a mi": "is my own move",
    "nos toca a nosotros": "is our own move",
    # said, not asked: "me toca en unas semanas" is my move being then
    "me toca en": "my move is in",
    "nos toca en": "our move is in",
    "me toca": "is my turn",
    "me toco": "is my turn",
    # the subjunctive says a time to come, not a question: "de vacaciones cuando me toque" is when my move comes
    "cuando me toque": "when my move comes",
    "cuando nos toque": "when our move comes",
    "me toque": "my move comes",
    "nos toque": "our move comes",
    "bandeja de entrada": "inbox",
    "sin servicio": "down",
    "fuera de servicio": "down",
    "de guardia": "on call",
    "de viaje": "away travelling",
    "de vacaciones": "on vacation",
    "de incapacidad": "on sick leave",  # Mexico
    "de baja medica": "on sick leave",
    "de licencia medica": "on sick leave",
    "de reposo": "on sick leave",
    "de vacas": "on vacation",
    "de licencia": "on leave",
    "de baja": "on leave",
    "de permiso": "on leave",
    "fuera de la oficina": "away",
    "dejar de": "stop",
    "deje de": "stop",
    "dejo de": "stop",
    "deja de": "stop",
    "tengo miedo": "i worry",
    "me preocupa": "i worry",
    "que significa": "what does mean",
    "que quiere decir": "what does mean",
    "de mi parte": "myself",
    "por mi parte": "myself",
    "hace anos": "years ago",
    "de cero": "from scratch",
    "desde cero": "from scratch",
    "del trabajo": "work",
    "de trabajo": "work",
    "no estoy": "i am away",
    "no estare": "i will be away",
    "no voy a estar": "i will be away",
    "no vamos a estar": "we will be away",
    "no me llega": "i do not get",
    "no me llegan": "i do not get",
    "no nos llegan": "we do not get",
    "no encuentro": "i cannot find",
    # "no me deja entrar": it does not let me in
    "no me deja": "i can not",
    "no me dejan": "i can not",
    "no nos deja": "we can not",
    "no nos dejan": "we can not",
    "que hago": "what do i do",
    "que hacemos": "what do we do",
    "se me olvido": "i forgot",
    "se me olvidaron": "i forgot",
    "nos toca": "is our turn",
    "nos toco": "is our turn",
    "le toca a": "is the turn of",
    "les toca a": "is the turn of",
    "le toca": "is the turn of",
    "lo mio": "mine",
    "lo nuestro": "ours",
    "a mi": "me",
    "para mi": "for me",
    "para nosotros": "for us",
    "los de": "the",
    "las de": "the",
    "el de": "the",
    "la de": "the",
    # who I am and where I work: "soy de contabilidad", "trabajo en la clínica"
    "soy de": "i am in",
    "somos de": "we are in",
    "estoy en": "i am in",
    "estamos en": "we are in",
    "trabajo en": "i work in",
    "trabajamos en": "we work in",
    # asking whom: "¿a quién llamo?", "¿con quién hablo?"
    "a quien": "who",
    "a quienes": "who",
    "con quien": "who",
    "con quienes": "who",
    "a quien llamo": "who do i call",
    "a quien le llamo": "who do i call",
    "a quien le hablo": "who do i call",
    "a quien aviso": "who do i tell",
    "a quien le aviso": "who do i tell",
    "a quien le escribo": "who do i write to",
    "con quien hablo": "who do i talk to",
    # the impersonal "se": what is done, lost, deleted
    "que se hace": "what is happening",
    "que se hara": "what is happening",
    "se pierde": "is lost",
    "se pierden": "are lost",
    "se borra": "is deleted",
    "se borran": "are deleted",
    "se borra todo": "is everything deleted",
    "se guarda": "is kept",
    "se guardan": "are kept",
    # shared mail, however it is said
    "correo compartido": "shared mailbox",
    "correos compartidos": "shared mailboxes",
    "buzones compartidos": "shared mailboxes",
    "cuenta compartida": "shared mailbox",
    "ya no veo": "i do not see anymore",
    "ya no encuentro": "i can not find anymore",
    "ya no puedo": "i can not anymore",
    "no veo": "i do not see",
    "no vemos": "we do not see",
    "no puedo": "i can not",
    "no podemos": "we can not",
    "unas semanas": "a few weeks",
    "unos dias": "a few days",
    "unas horas": "a few hours",
    # what is on
    "que hay": "what is on",
    "que pasa con": "what happens with",
    "que pasara con": "what happens with",
    "que va a pasar con": "what happens with",
    "que pasa": "what is happening",
    "que onda con": "what happens with",  # Mexico
    "que onda": "what is happening",
    "va a haber": "will there be",
    "van a haber": "will there be",
    "el finde que viene": "next weekend",
    "el proximo finde": "next weekend",
    "que va a pasar": "what is happening",
    "hay algo que": "is there anything i",
    "hay algo": "anything on",
    # days
    "este fin de semana": "this weekend",
    "esta semana": "this week",
    "este finde": "this weekend",
    "el fin de semana que viene": "next weekend",
    "el proximo fin de semana": "next weekend",
    "fin de semana": "weekend",
    "fines de semana": "weekends",
    "la semana que viene": "next week",
    "la proxima semana": "next week",
    "la semana proxima": "next week",
    "semana que viene": "next week",
    "proxima semana": "next week",
    "el mes que viene": "next month",
    "el proximo mes": "next month",
    "este mes": "this month",
    "pasado manana": "in two days",
    "esta manana": "this morning",
    "en la manana": "in the morning",
    "por la manana": "in the morning",
    "de la manana": "in the morning",
    "en la tarde": "in the afternoon",
    "por la tarde": "in the afternoon",
    "esta tarde": "this afternoon",
    "esta noche": "tonight",
    "en la noche": "at night",
    "por la noche": "at night",
    # services
    "correo electronico": "email",
    "buzon compartido": "shared mailbox",
    "doble factor": "two factor",
    "dos factores": "two factor",
    "dos pasos": "two step",
    "autenticacion multifactor": "mfa",
    "soporte extra": "extra support",
    "soporte adicional": "extra support",
    "ayuda extra": "extra help",
    "solo lectura": "read only",
    "de solo lectura": "read only",
    "llave de seguridad": "security key",
    "mesa de ayuda": "service desk",
    "soporte tecnico": "service desk",
    "unidad compartida": "shared drive",
    # groups
    "recursos humanos": "human resources",
    "oficina central": "head office",
    "oficinas centrales": "headquarters",
    "sede central": "headquarters",
    # being and having
    "tengo que": "i must",
    "tenemos que": "we must",
    "hay que": "we must",
    "voy a": "i will",
    "vamos a": "we will",
    "van a": "will",
    "va a": "will",
    "se va a": "will",
    "se van a": "will",
    "antes de": "before",
    "despues de": "after",
    "en vez de": "instead of",
    "ya no": "no longer",
    "por favor": "please",
    "de nuevo": "again",
    "otra vez": "again",
    "hacer login": "sign in",
    "hacer log in": "sign in",
    "hacer logon": "sign in",
    "llamar para atras": "call back",  # US Spanish
    "llamar pa tras": "call back",
    "para que sirve": "what is",
    "pa que sirve": "what is",
    "para que es": "what is",
    "se me borro": "is gone",
    "se me borraron": "are gone",
    "me pueden dar": "can i get",
    "me pueden": "can you",
}

for _es, _en in (
    ("lunes", "monday"),
    ("martes", "tuesday"),
    ("miercoles", "wednesday"),
    ("jueves", "thursday"),
    ("viernes", "friday"),
    ("sabado", "saturday"),
    ("domingo", "sunday"),
):
    # "el sábado que viene", "el próximo sábado": the coming Saturday (not the one of next week)
    PHRASES[f"el {_es} que viene"] = f"on {_en}"
    PHRASES[f"el proximo {_es}"] = f"on {_en}"
    PHRASES[f"este {_es}"] = f"this {_en}"

# One word said as one or more English words.
WORDS: dict[str, str] = {
    # question words
    "cuando": "when",
    "cuándo": "when",
    "que": "what",
    "cual": "which",
    "cuales": "which",
    "como": "how",
    "donde": "where",
    "adonde": "where",
    "quien": "who",
    "quienes": "who",
    "cuanto": "how much",
    "cuantos": "how many",
    "cuantas": "how many",
    "porque": "because",
    "fecha": "date",
    "fechas": "dates",
    "dia": "day",
    "dias": "days",
    "hora": "time",
    "horario": "schedule",
    "calendario": "calendar",
    "cronograma": "schedule",
    "programado": "planned",
    "programada": "planned",
    "planeado": "planned",
    "previsto": "planned",
    "prevista": "planned",
    "pronto": "soon",
    "dura": "lasts",
    "termina": "ends",
    "terminan": "ends",
    "acaba": "ends",
    "acabe": "ends",
    "finaliza": "ends",
    "empieza": "starts",
    "empiezan": "starts",
    "comienza": "starts",
    "inicia": "starts",
    # people
    "yo": "i",
    "mi": "my",
    "mis": "my",
    "mio": "mine",
    "mia": "mine",
    "me": "me",
    "nosotros": "we",
    "nosotras": "we",
    "nuestro": "our",
    "nuestra": "our",
    "nuestros": "our",
    "nuestras": "our",
    "nos": "us",
    "usted": "you",
    "tu": "you",
    "su": "their",
    "sus": "their",
    "soy": "i am",
    "estoy": "i am",
    "estamos": "we are",
    "somos": "we are",
    "trabajo": "i work",
    "trabajamos": "we work",
    "tengo": "i have",
    "tenemos": "we have",
    "debo": "i must",
    "debemos": "we must",
    "necesito": "i need",
    "necesitamos": "we need",
    "puedo": "can i",
    "podemos": "can we",
    "sigo": "i still",
    "seguir": "still",
    # being
    "es": "is",
    "son": "are",
    "sera": "will be",
    "seran": "will be",
    "esta": "is",
    "estan": "are",
    "estara": "will be",
    "hay": "is there",
    "estar": "be",
    "ser": "be",
    "tener": "have",
    "tiene": "has",
    "tienen": "have",
    "voy": "i am",
    "vamos": "we are",
    "saber": "know",
    "dejo": "stop",
    "poder": "can",
    # function words
    "el": "the",
    "la": "the",
    "los": "the",
    "las": "the",
    "lo": "it",
    "un": "a",
    "una": "a",
    "de": "of",
    "del": "of the",
    "en": "in",
    "a": "to",
    "al": "to the",
    "para": "for",
    "por": "for",
    "con": "with",
    "sin": "without",
    "y": "and",
    "o": "or",
    "pero": "but",
    "si": "if",
    "no": "not",
    "tambien": "too",
    "ya": "already",
    "todavia": "still",
    "aun": "still",
    "otra": "other",
    "otro": "other",
    "se": "",
    "le": "",
    "les": "",
    "oye": "",
    "hola": "hi",
    "buenas": "hi",
    "buenos": "good",
    "ayuda": "help",
    "gracias": "thanks",
    "porfa": "please",
    "favor": "please",
    "antes": "before",
    "despues": "after",
    "durante": "during",
    "hasta": "until",
    "desde": "since",
    "entre": "between",
    "este": "this",
    "esto": "this",
    "ese": "that",
    "esa": "that",
    "eso": "that",
    "proximo": "next",
    "proxima": "next",
    "siguiente": "next",
    "pasado": "last",
    "pasada": "last",
    # days and months
    "hoy": "today",
    "manana": "tomorrow",
    "ayer": "yesterday",
    "finde": "weekend",
    "semana": "week",
    "mes": "month",
    "lunes": "monday",
    "martes": "tuesday",
    "miercoles": "wednesday",
    "jueves": "thursday",
    "viernes": "friday",
    "sabado": "saturday",
    "sabados": "saturdays",
    "domingo": "sunday",
    "domingos": "sundays",
    "enero": "january",
    "febrero": "february",
    "marzo": "march",
    "abril": "april",
    "mayo": "may",
    "junio": "june",
    "julio": "july",
    "agosto": "august",
    "septiembre": "september",
    "setiembre": "september",
    "octubre": "october",
    "noviembre": "november",
    "diciembre": "december",
    # the move and its groups
    "migracion": "migration",
    "migraciones": "migrations",
    "mudanza": "move",
    "cambio": "switch",
    "cambios": "changes",
    "traslado": "move",
    "transicion": "transition",
    "ola": "wave",
    "olas": "waves",
    "oleada": "wave",
    "tanda": "batch",
    "grupo": "group",
    "fase": "phase",
    "etapa": "phase",
    "piloto": "pilot",
    "cero": "zero",
    "uno": "one",
    "dos": "two",
    "tres": "three",
    "cuatro": "four",
    "primera": "first",
    "primer": "first",
    "primero": "first",
    "segunda": "second",
    "tercera": "third",
    "cuarta": "fourth",
    "equipo": "team",
    "departamento": "department",
    "area": "department",
    "clinica": "clinic",
    "oficina": "office",
    "sede": "office",
    "gente": "people",
    "todos": "everyone",
    "corporativa": "corporate",
    "clinico": "clinical",
    "clinicos": "clinical",
    "rrhh": "HR",
    "mercadeo": "marketing",
    "gerencia": "leadership",
    "corporativo": "corporate",
    "finanzas": "finance",
    "contabilidad": "accounting",
    "nomina": "payroll",
    "facturacion": "billing",
    "cobranza": "billing",
    "recepcion": "reception",
    "ejecutivo": "executive",
    "ejecutiva": "executive",
    "ejecutivos": "executives",
    "direccion": "leadership",
    "sistemas": "IT",
    "informatica": "IT",
    "ti": "IT",
    "clinicas": "clinics",
    # services
    "correo": "email",
    "correos": "email",
    "emails": "email",
    "buzon": "mailbox",
    "contactos": "contacts",
    "reuniones": "meetings",
    "archivos": "files",
    "archivo": "file",
    "documentos": "documents",
    "carpeta": "folder",
    "carpetas": "folders",
    "unidad": "drive",
    "autenticador": "authenticator",
    "autenticacion": "authentication",
    "verificacion": "authentication",
    "contrasena": "password",
    "contrasenas": "password",
    "clave": "password",
    "hipercuidado": "hypercare",
    "soporte": "support",
    "celular": "phone",
    "movil": "phone",
    "telefono": "phone",
    "compu": "pc",
    "computadora": "pc",
    "ordenador": "pc",
    "portatil": "laptop",
    "firma": "signature",
    "compartido": "shared",
    "compartida": "shared",
    "jefe": "manager",
    "jefa": "manager",
    "vacaciones": "vacation",
    "permiso": "leave",
    "licencia": "leave",
    "baja": "leave",
    "turno": "shift",
    "turnos": "shifts",
    "perder": "lose",
    "pierdo": "lose",
    "perdi": "lost",
    "borrar": "delete",
    "borran": "delete",
    "borro": "deleted",
    "viejo": "old",
    "viejos": "old",
    "nuevo": "new",
    "nueva": "new",
    "caido": "down",
    "funciona": "work",
    "funcionan": "work",
    "guardar": "save",
    "abrir": "open",
    "entrar": "sign in",
    "iniciar": "sign in",
    "sesion": "",
    "usar": "use",
    "uso": "use",
    "instalar": "install",
    "registrar": "register",
    "configurar": "set up",
    "listo": "ready",
    "lista": "ready",
    "llamar": "call",
    "encuentro": "find",
    "veo": "see",
    "ver": "see",
    "viendo": "seeing",
    "necesita": "need",
    "hacer": "do",
    "hago": "do",
    "pacientes": "patients",
    "sistema": "system",
    "quedaron": "are",
    "quedo": "is",
    "llegan": "arrive",
    "llega": "arrive",
    "tarde": "late",
    "dar": "give",
    "pueden": "can",
    "puede": "can",
    "pa": "for",
    "citas": "appointments",
    "empresa": "company",
    # more of the move's everyday words
    "mensaje": "email",  # a message, in a move of mail, is an email
    "mensajes": "email",
    "bandeja": "inbox",
    "servicio": "service",
    "corte": "outage",
    "caida": "outage",
    "retraso": "delay",
    "retrasos": "delays",
    "pendientes": "to do",
    "preparativos": "prepare",
    "multifactor": "mfa",
    "servidor": "server",
    "plantilla": "template",
    "agenda": "calendar",
    "viaje": "trip",
    "maternidad": "maternity",
    "paternidad": "paternity",
    "vacas": "vacation",
    "viejita": "old",
    "viejito": "old",
    "vieja": "old",
    "disculpe": "excuse me",
    "disculpa": "excuse me",
    "perdon": "excuse me",
    "quiero": "i want",
    "queria": "i wanted",
    "tenia": "i had",
    "teniamos": "we had",
    "deberia": "should",
    "deberiamos": "should",
    "cosas": "things",
    "cosa": "thing",
    "algo": "anything",
    "nada": "nothing",
    "ningun": "any",
    "ninguno": "any",
    "ninguna": "any",
    "todo": "everything",
    "todas": "all",
    "mas": "more",
    "justo": "right",
    "ojala": "hopefully",
    "miedo": "worry",
    "acceso": "access",
    "permisos": "access",
    "va": "goes",
    "van": "go",
    "misma": "same",
    "esos": "those",
    "esas": "those",
    "estos": "these",
    "estas": "these",
    "empiezo": "start",
    "empezar": "start",
    "mismo": "same",
    "propio": "own",
    "propia": "own",
    "personales": "personal",
    "trabajar": "work",
    "apps": "apps",
    "aplicacion": "app",
    "programa": "program",
    "programas": "programs",
    "equipos": "pcs",
    "laptops": "laptops",
    "dispositivo": "device",
    "mano": "hand",
    "numero": "number",
    "telefonos": "phones",
    # where one ended up: "¿en qué grupo quedé?" asks which group I am in
    "quede": "am i",
    "quedamos": "are we",
    "ando": "am",
    "andamos": "are",
    "unos": "some",
    "unas": "some",
    # regional and everyday words: Mexico, the Caribbean, Spain, the US, and Spanglish
    "ahorita": "now",
    "ahora": "now",
    "orita": "now",
    "mail": "email",
    "mails": "email",
    "imail": "email",
    "emilio": "email",  # Spain's joke for an email
    "cel": "phone",
    "celu": "phone",
    "celulares": "phones",
    "moviles": "phones",
    "compus": "pcs",
    "computador": "pc",
    "computadoras": "pcs",
    "ordenadores": "pcs",
    "lap": "laptop",
    "laptop": "laptop",
    "nube": "cloud",
    "enlace": "link",
    "liga": "link",  # Mexico
    "vinculo": "link",
    "adjunto": "attachment",
    "adjuntos": "attachments",
    "junta": "meeting",  # Mexico
    "juntas": "meetings",
    "reunion": "meeting",
    "usuario": "account",
    "cuenta": "account",
    "cuentas": "accounts",
    "respaldo": "backup",
    "respaldos": "backups",
    "impresora": "printer",
    "pantalla": "screen",
    "red": "network",
    "chamba": "work",  # Mexico
    "curro": "work",  # Spain
    "laburo": "work",  # Río de la Plata
    "feriado": "holiday",
    "festivo": "holiday",
    "puente": "holiday",
    "incapacidad": "sick leave",  # Mexico
    "enfermo": "sick",
    "enferma": "sick",
    "fuera": "away",
    "doctor": "doctor",
    "doctora": "doctor",
    "medico": "doctor",
    "medica": "doctor",
    "enfermera": "nurse",
    "enfermero": "nurse",
    "enfermeras": "nurses",
    "enfermeros": "nurses",
    "madrugada": "early morning",
    "vaina": "thing",  # the Caribbean, Venezuela, Colombia
    "vale": "ok",  # Spain
    "habra": "will there be",
    "vos": "you",  # voseo
    "sabes": "do you know",
    "sabe": "do you know",
    "dime": "tell me",
    "digame": "tell me",
    "decime": "tell me",
    "decirme": "tell me",
    "avisen": "tell",
}


# Everyday verbs of the domain by their infinitive, read in any person and tense ("pierdo", "perderé",
# "pierda", "borrarán", "sincronizando" are lose, delete, sync): see ``_conjugations``. Keys are folded.
VERBS: dict[str, str] = {
    "perder": "lose",
    "borrar": "delete",
    "eliminar": "delete",
    "desaparecer": "gone",
    "caer": "down",
    "fallar": "fail",
    "mandar": "send",
    "enviar": "send",
    "recibir": "receive",
    "llegar": "arrive",
    "preparar": "prepare",
    "significar": "mean",
    "querer": "want",
    "sincronizar": "sync",
    "resetear": "reset",
    "restablecer": "reset",
    "inventar": "make up",
    "crear": "create",
    "recuperar": "get back",
    "manejar": "manage",
    "administrar": "manage",
    "usar": "use",
    "utilizar": "use",
    "guardar": "save",
    "abrir": "open",
    "entrar": "sign in",
    "instalar": "install",
    "descargar": "download",
    "configurar": "set up",
    "conectar": "connect",
    "acceder": "access",
    "encontrar": "find",
    "ver": "see",
    "llamar": "call",
    "hablar": "talk",
    "contactar": "contact",
    "funcionar": "work",
    "servir": "work",
    "jalar": "work",
    "reemplazar": "replace",
    "sustituir": "replace",
    "renovar": "replace",
    "actualizar": "update",
    "viajar": "travel",
    "deber": "must",
    "poder": "can",
    "tener": "have",
    "seguir": "still",
    "pasar": "happen",
    "hacer": "do",
    "dejar": "stop",
    "volver": "again",
    "meter": "put",
    "poner": "put",
    "cambiar": "switch",
    # Spanglish and regional verbs: "checar" (Mexico), "chequear", "loguearse", "bajar" a file
    "checar": "check",
    "chequear": "check",
    "revisar": "check",
    "loguear": "sign in",
    "logear": "sign in",
    "ingresar": "sign in",
    "bajar": "download",
    "subir": "upload",
    "respaldar": "back up",
    "platicar": "talk",
    "avisar": "tell",
    "ayudar": "help",
    "currar": "work",
    "chambear": "work",
    "imprimir": "print",
    "reiniciar": "restart",
    "activar": "set up",
    "olvidar": "forget",
    "copiar": "copy",
    "mover": "move",
    "trabajar": "work",
    "cubrir": "cover",
    "durar": "last",
    "arrancar": "start",
    "comenzar": "start",
    "empezar": "start",
    "terminar": "end",
    "acabar": "end",
    "finalizar": "end",
    "marcar": "call",  # a phone number
    # Spanglish verbs of US Spanish: an English verb with Spanish endings ("deletear", "forwardear")
    "deletear": "delete",
    "updatear": "update",
    "apdeitear": "update",
    "forwardear": "forward",
    "fowardear": "forward",
    "textear": "text",
    "printear": "print",
    "clickear": "click",
    "cliquear": "click",
    "clicar": "click",
    "switchear": "switch",
    "chatear": "chat",
    "linkear": "link",
    "loggear": "sign in",
}
# "me toca trabajar el sábado" is "I have to work on Saturday", not a question about the asker's turn:
# tocar with an infinitive says what one has to do.
for _inf, _en in (*VERBS.items(), ("estar", "be"), ("ir", "go"), ("venir", "come")):
    PHRASES[f"me toca {_inf}"] = f"i have to {_en}"
    PHRASES[f"nos toca {_inf}"] = f"we have to {_en}"
    PHRASES[f"le toca {_inf}"] = f"has to {_en}"

# Irregular stems (stem-changing and others) and the infinitive they are forms of.
_IRREGULAR = {
    "pierd": "perder",
    "quier": "querer",
    "quis": "querer",
    "pued": "poder",
    "pud": "poder",
    "podr": "poder",
    "teng": "tener",
    "tien": "tener",
    "tuv": "tener",
    "tendr": "tener",
    "sig": "seguir",
    "sigu": "seguir",
    "sirv": "servir",
    "vuelv": "volver",
    "pong": "poner",
    "pus": "poner",
    "pondr": "poner",
    "hag": "hacer",
    "hic": "hacer",
    "hiz": "hacer",
    "har": "hacer",
    "encuentr": "encontrar",
    "cay": "caer",
    "caig": "caer",
}
_ENDINGS = {
    "ar": "o as a amos ais an e es emos en aste o amos aron are aras ara aremos aran aria arian ando ado ada ados adas"
    " aba aban ar arlo arla arlos arlas arme arnos arse arte arle arles andome andolo andose",
    "er": "o es e emos eis en a as amos an i iste io imos ieron ere eras era eremos eran eria erian iendo ido ida idos"
    " idas ia ian er erlo erla erlos erlas erme ernos erse erte erle yo yeron yendo iendome iendolo iendose",
    "ir": "o es e imos is en a as amos an i iste io imos ieron ire iras ira iremos iran iria irian iendo ido ida idos"
    " idas ia ian ir irlo irla irlos irlas irme irnos irse irte irle iendome iendolo iendose",
}


def _conjugations() -> dict[str, str]:
    """Every form of :data:`VERBS` that regular endings make, and the irregular stems' forms: form ->
    English. A form that is also a word of :data:`WORDS` stays that word."""
    forms: dict[str, str] = {}
    for verb, english in VERBS.items():
        stem, kind = verb[:-2], verb[-2:]
        for ending in _ENDINGS[kind].split():
            forms.setdefault(stem + ending, english)
    for stem, verb in _IRREGULAR.items():
        for ending in "o as a amos an e es en ieron o e a an amos emos ia ian ido ieron".split():
            forms.setdefault(stem + ending, VERBS[verb])
    return {form: english for form, english in forms.items() if len(form) >= 3 and form not in WORDS}


# Verbs of moving, by their stem: any person and tense ("migran", "migráis", "nos mudamos") is the move.
_MOVE_VERB = re.compile(
    r"^(migr(a|an|o|amos|ais|en|ar|aran|ara|ando|ado|ados|ada|aron|aste|e|ado)|"
    r"mud(a|an|o|amos|ais|en|ar|aran|ara|ando|ado|ados|aron|aste)|muev(o|e|en|es|an)|"
    r"cambi(a|an|amos|ais|en|ar|aran|ara|ando|ado|ados|aremos|aron)|"
    r"pas(a|an|amos|ais|en|ar|aran|ara|ando|ado|ados|aremos|aron)|"
    r"traslad(a|an|o|amos|en|ar|aran|ara|aron|ado|ados))$"
)
# Which English word each verb's stem gives.
_MOVE_ENGLISH = (
    ("migr", "migrate"),
    ("mud", "move"),
    ("muev", "move"),
    ("cambi", "switch"),
    ("pas", "move"),
    ("traslad", "move"),
)
_WORD = re.compile(r"[^\W_]+|[^\w\s]+|\s+|_+")
_PHRASE_SIZES = tuple(sorted({p.count(" ") + 1 for p in PHRASES}, reverse=True))
# Known words of five letters or more, towards which a misspelt word is repaired.
_FORMS = _conjugations()


def _singular(word: str) -> str | None:
    """The known word a plural is of ("mensajes", "plantillas"), or None."""
    for cut in (1, 2):
        if len(word) > cut + 3 and word.endswith("es"[2 - cut :]) and word[:-cut] in WORDS:
            return word[:-cut]
    return None


_PHRASE_WORDS = frozenset(w for p in PHRASES for w in p.split())
_REPAIRABLE = sorted({w for w in WORDS if len(w) >= 5} | {w for p in PHRASES for w in p.split() if len(w) >= 5})


# Chat spellings of everyday words ("k pasa", "cdo me toca", "xfa"), read as the word before anything else.
CHAT: dict[str, str] = {
    "k": "que",
    "ke": "que",
    "q": "que",
    "qe": "que",
    "cdo": "cuando",
    "cnd": "cuando",
    "qndo": "cuando",
    "kndo": "cuando",
    "dnd": "donde",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "xfa": "porfa",
    "xfavor": "porfa",
    "plis": "porfa",
    "tmb": "tambien",
    "tb": "tambien",
    "tmbn": "tambien",
    "tambn": "tambien",
    "sta": "esta",
    "toy": "estoy",
}
# Diminutives ("correitos", "archivito", "cosita", "ratito"), said by the word they are of.
_DIMINUTIVE = re.compile(r"^(\w{3,}?)(?:c)?it(o|a|os|as)$")


def _known(word: str) -> bool:
    return word in WORDS or word in _FORMS or word in _PHRASE_WORDS or _singular(word) is not None


def _plain_word(word: str) -> str:
    """A chat spelling or a diminutive as the everyday word it is ("k" -> "que", "archivitos" -> "archivos")."""
    word = CHAT.get(word, word)
    if not _known(word) and (m := _DIMINUTIVE.match(word)):
        for base in (m[1] + m[2], m[1] + "c" + m[2]):
            if _known(base):
                return base
    return word


@lru_cache(maxsize=8192)
def _repair(word: str) -> str:
    """A misspelt Spanish question word read as the word it is close to ("migrasion", "cuandp")."""
    word = _plain_word(word)
    if len(word) < 5 or word in WORDS or word in _FORMS or word.isdigit():
        return word
    hit = process.extractOne(word, _REPAIRABLE, scorer=fuzz.ratio, score_cutoff=84)
    return hit[0] if hit else word


def _move_word(word: str, before: str) -> str | None:
    """The English for a moving verb ("migran" -> "migrate"); "me" before it makes it the asker's own."""
    if not _MOVE_VERB.match(word):
        return None
    english = next((e for stem, e in _MOVE_ENGLISH if word.startswith(stem)), "move")
    if before == "me":
        return f"i {english}"
    # "nos mudamos", "¿cuándo migramos?": we move
    return f"we {english}" if before == "nos" or word.endswith("amos") else english


def gloss(text: str) -> str:
    """``text`` with its Spanish question words in English; every other word (a name) as typed.

    >>> gloss("¿Cuándo es mi migración?")
    'when is my migration?'
    """
    pieces = _WORD.findall(text)
    # Words with their place among the pieces; punctuation and spaces stay where they are.
    at = [i for i, p in enumerate(pieces) if p[0].isalnum()]
    # A capital letter alone is a drive ("la K:", "el drive Q"), never a chat spelling of a word.
    folded = [
        pieces[i].casefold()
        if len(pieces[i]) == 1 and pieces[i].isupper()
        else _repair(fold(pieces[i]) or pieces[i].casefold())
        for i in at
    ]
    for n, i in enumerate(at):
        if n and folded[n] in _NAME_WORDS and pieces[i][:1].isupper() and pieces[i][1:].islower():
            folded[n] = pieces[i]  # "Los Angeles", "El Paso": a name's own words, as typed mid-sentence
    out = list(pieces)
    k = 0
    while k < len(at):
        for n in _PHRASE_SIZES:
            said = " ".join(folded[k : k + n])
            if n > 1 and k + n <= len(at) and said in PHRASES:
                out[at[k]] = PHRASES[said]
                for j in range(k + 1, k + n):
                    out[at[j]] = ""
                    # the spaces between a phrase's words go with them
                    for s in range(at[j - 1] + 1, at[j]):
                        if pieces[s].isspace():
                            out[s] = ""
                k += n
                break
        else:
            word = folded[k]
            before = folded[k - 1] if k else ""
            move = _move_word(word, before)
            after = folded[k + 1] if k + 1 < len(folded) else ""
            if move is not None and before in ("me", "nos") and after in _ARTICLES:
                # "me cambian el correo", "nos mudaron las carpetas": the thing moved is the asker's
                # (Spanish says whose with the pronoun and "the"): "my email moves", not "I move"
                out[at[k - 1]] = ""
                out[at[k]] = move.split()[-1]
                out[at[k + 1]] = "my" if before == "me" else "our"
                k += 2
                continue
            if move is not None:
                if before in ("me", "nos") and k:
                    out[at[k - 1]] = ""
                out[at[k]] = move
            elif word in WORDS:
                out[at[k]] = WORDS[word]
            elif word in _FORMS:
                out[at[k]] = _FORMS[word]
            elif (single := _singular(word)) is not None:
                out[at[k]] = WORDS[single]
            elif word == "manana" or pieces[at[k]].casefold() == "mañana":
                out[at[k]] = "tomorrow"
            k += 1
    said = re.sub(r"\s{2,}", " ", "".join(out).replace("¿", "").replace("¡", "")).strip()
    said = _SAID_TWICE.sub(r"\1", said)  # "yo soy", "quedé yo": the subject said and in the verb, once
    said = _DRIVE_LETTER.sub(r"\1 drive", said)  # "la H:", "en la S": the H drive
    said = _DRIVE_AFTER.sub(r"\1 drive", said)  # "el drive H", "la unidad S": the H drive
    said = _WEEKDAY_NUMBER.sub(r"\1 the \2th", said)  # "el sábado 13": Saturday the 13th
    said = _DAY_NUMBER.sub(r"the \1th", said)  # "¿qué pasa el 13?": the 13th
    said = _GROUP_OF.sub(r"\2 \1", said)
    # Spanish says the verb first ("¿cuándo se migra la oficina de X?"): English says who moves first.
    return _VERB_FIRST.sub(lambda m: f"{m[1]} does {m[3].strip()} {m[2]}", said)


# A subject pronoun said beside a verb that already says it ("yo soy" is "i i am").
_SAID_TWICE = re.compile(r"\b(i|we) \1\b")
_ARTICLES = frozenset("el la los las".split())
# Words that begin names ("Los Angeles", "La Paz"): written with a capital mid-sentence, they are the name's.
_NAME_WORDS = frozenset("el la los las de del san santa".split())
# "la clínica de Tacna", "el equipo de ventas": the Tacna clinic, the ventas team.
_GROUP_OF = re.compile(
    r"\b(office|clinic|team|department|site) of (?:the )?([^\W\d_][\w'’-]*(?: [A-ZÁÉÍÓÚÑ][\w'’-]*)*)(?![\w'’-]| of\b)"
)
_WEEKDAY_NUMBER = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday) ([12]?\d|3[01])\b(?!\s*(of|/|:|\.|\d))"
)
_DAY_NUMBER = re.compile(r"\bthe ([12]?\d|3[01])(?=\s*($|[?!.,;]))")
_VERB_FIRST = re.compile(r"\b(when) (migrate|move|switch) (?!(?:to|the\s+(?:wave|pilot)|wave|pilot)\b)([^?!.,;()]+)")


# A capital letter said as a drive: "H:" anywhere, or "la S" alone ("en la S tenemos...").
_DRIVE_LETTER = re.compile(r"(?:(?<=\bthe )|(?<=\bin ))([A-HJ-Z])(?::(?!\d)|(?![\w:'’-]))(?! drive)")
_DRIVE_AFTER = re.compile(r"\bdrive\s+([A-Za-z])(?![\w'’-])")


# -- telling a Spanish question from an English one (switchover.answers.lang.detect) --

# Function and question words only Spanish writes (folded): a few of them make a question Spanish.
MARKERS = frozenset(
    """
    por para es dia dias
    esta estan estoy estamos estas esto este ese esa eso de del los las mis su sus tu yo nosotros
    nuestro nuestra nuestros nuestras usted ustedes se le les lo nos te ya tambien pero hay tengo
    tiene tienen puedo puede pueden voy vamos van soy somos sera seran hoy manana semana mes pasa
    migracion migran migra cambian cambio correo correos oficina equipo una unos unas al mas sobre
    hola gracias favor ahora todavia aun ningun nada algo todo todos hasta desde entre sin
    """.split()
)
# Question words (folded), the surest sign of a Spanish question: half as much again as a marker.
QUESTION_WORDS = frozenset(
    "cuando que cual cuales como donde adonde quien quienes cuanto cuantos cuantas porque".split()
)
# Words Spanish writes that English also writes, or that begin place names ("mi", "El Paso", "La Paz"):
# half the weight of a marker.
SHARED = frozenset("mi me el la con son un uno y o va a no si".split())
# Letters and punctuation that only a Spanish question has (among the languages read here).
LETTERS = "áéíóúñü"
PUNCTUATION = "¿¡"
# Every word the glosser knows (folded): with the markers, what a Spanish question is recognised by.
VOCABULARY = frozenset(WORDS) | frozenset(_FORMS) | _PHRASE_WORDS

"""Common Spanish words the matcher must not mistake for keywords.

``STOPWORDS`` are function words (articles, prepositions, pronouns, common
verb forms). A fuzzy match never starts or ends on one unless the term itself
does, and a stopword never anchors a match: "de", "la" or "el" are close to a
short term by edit distance, and would otherwise flood the mentions table.

``COMMON_WORDS`` adds frequent content words of local news radio, and the
place and party names that look like ours (León, Morelia, Morena). They are
not filtered out of matching; ``radiomon keywords check`` (see
:mod:`radiomon.keywords.explain`) warns when a term is close to one of them.
Written by hand, folded (no accents), so the list is ours to edit.
"""

from __future__ import annotations

STOPWORDS = frozenset(
    """
    a al algo alguien algun alguna algunas alguno algunos ante antes aqui asi aun aunque
    bien cada casi como con contra cual cuales cuando cuanto de del desde donde dos
    durante e el ella ellas ello ellos en entre era eran es esa esas ese eso esos esta
    estaba estado estan estar estas este esto estos estoy fue fueron gran ha hace hacia
    han has hasta hay he la las le les lo los mas me mi mis mucho muy nada ni no nos
    nosotros nuestra nuestro o otra otras otro otros para pero poco por porque pues que
    quien se sea segun ser si sido sin sino sobre son su sus tal tambien tan tanto te
    tiene tienen toda todas todo todos tu tus u un una uno unos unas usted ustedes va
    vamos van y ya yo ahi alla eh este pues bueno oye mira ok
    """.split()
)

COMMON_WORDS = STOPWORDS | frozenset(
    """
    agua alcalde amigos ano anos arriba atencion avenida ayer barrio buenas buenos calle
    calles camino campo carretera casa centro ciudad colonia comunidad cosas cultura dia
    dias dinero dios escuela estado familia familias fiesta gente gobierno grupo hora
    horas hoy informacion jovenes leon ley luz manana mayo mercado mexico mil minutos
    momento mundo municipio musica mujeres nacional noche noticias nuevo obra obras
    pais parte personas pesos plaza policia presidente programa pueblo radio salud
    semana senor senora servicio servicios social tarde tiempo trabajo vida zona
    morelia morelos morena moreno morales moral moron real leonel leones
    celaya irapuato salamanca guanajuato michoacan jalisco queretaro silao
    uriel urias yuri salvador santiago valle seguridad publica publico
    desarrollo proteccion civil deportes educacion ecologia tesoreria catastro
    """.split()
)

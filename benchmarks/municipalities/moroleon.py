"""Moroleón, Guanajuato: the sentences the mentions evaluation was developed on.

Moroleón sentences with the mentions they hold, across every group of the
bundled radiomon/data/keywords.yml, plus look-alikes that must not count
(León, Morelia, Morelos, Moreno, Morena, NIF, "incendiario", "bloqueador")
and everyday phrases a few letters from a department's name.
"""

from __future__ import annotations

# (sentence, expected groups, one per mention; the keyword's first words to place it in time)
SENTENCES: list[tuple[str, tuple[tuple[str, str], ...]]] = [
    # municipio
    ("Moroleón amaneció con cielo despejado y poco viento.", (("municipio", "Moroleón"),)),
    ("Las tejedoras de Moroleón llevarán sus rebozos a la feria de la capital.", (("municipio", "Moroleón"),)),
    ("El Gobierno de Moroleón presentó su informe de actividades del trimestre.", (("municipio", "Gobierno"),)),
    ("Comerciantes de Moroleón reportan buenas ventas por el fin de semana largo.", (("municipio", "Moroleón"),)),
    ("En Moroleón se espera una temperatura mínima de ocho grados.", (("municipio", "Moroleón"),)),
    (
        "El Ayuntamiento de Moroleón abrió la convocatoria para el concurso de altares.",
        (("municipio", "Ayuntamiento"),),
    ),
    ("Los jóvenes moroleonenses ganaron el torneo estatal de ajedrez.", (("municipio", "moroleonenses"),)),
    ("Desde Moroleón, Guanajuato, les saluda su locutor de la mañana.", (("municipio", "Moroleón"),)),
    # presidencia
    ("La presidenta municipal se reunió con vecinos para escuchar sus peticiones.", (("presidencia", "presidenta"),)),
    ("El cabildo aprobó por unanimidad el reglamento de comercio en la vía pública.", (("presidencia", "cabildo"),)),
    ("Una regidora propuso ampliar el horario de la biblioteca.", (("presidencia", "regidora"),)),
    ("El síndico revisará los contratos de recolección de basura.", (("presidencia", "síndico"),)),
    (
        "El presidente municipal de Moroleón entregó uniformes a la banda de guerra.",
        (("presidencia", "presidente"), ("municipio", "Moroleón")),
    ),
    ("La alcaldesa inauguró la nueva sala de lectura infantil.", (("presidencia", "alcaldesa"),)),
    # dependencias
    (
        "El DIF Moroleón invita a la jornada de salud visual para adultos mayores.",
        (("dependencias", "DIF"), ("municipio", "Moroleón")),
    ),
    ("Obras Públicas concluyó el empedrado de la calle que lleva al panteón.", (("dependencias", "Obras"),)),
    (
        "Seguridad Pública recomienda no dejar objetos de valor a la vista dentro del auto.",
        (("dependencias", "Seguridad"),),
    ),
    ("Protección Civil revisó los puestos de pirotecnia antes de las fiestas.", (("dependencias", "Protección"),)),
    ("La Tesorería Municipal amplió el horario de cobro del predial.", (("dependencias", "Tesorería"),)),
    ("Desarrollo Social entregó calentadores solares a cuarenta familias.", (("dependencias", "Desarrollo"),)),
    ("La Casa de la Cultura presenta una exposición de fotografía antigua.", (("dependencias", "Casa"),)),
    ("Servicios Municipales trabaja en la limpieza del arroyo.", (("dependencias", "Servicios"),)),
    ("Desarrollo Económico organiza una feria del empleo el próximo martes.", (("dependencias", "Desarrollo"),)),
    ("Comunicación Social informa que la sesión será transmitida en vivo.", (("dependencias", "Comunicación"),)),
    ("La Dirección de Salud llama a vacunarse contra la influenza.", (("dependencias", "Dirección"),)),
    ("Tránsito Municipal cerrará dos calles durante el desfile.", (("dependencias", "Tránsito"),)),
    ("La Dirección de Educación premió a los mejores promedios de secundaria.", (("dependencias", "Dirección"),)),
    ("El departamento de Ecología invita a separar la basura orgánica.", (("dependencias", "Ecología"),)),
    # colonias
    ("En la colonia Juárez se instalaron nuevas luminarias.", (("colonias", "colonia"),)),
    ("Vecinos de El Salitre piden reparar el puente peatonal.", (("colonias", "El"),)),
    ("La comunidad de Piñícuaro celebrará a su santo patrono.", (("colonias", "Piñícuaro"),)),
    ("Habrá corte de agua en la Zona Centro el jueves por la mañana.", (("colonias", "Zona"),)),
    ("El camino a Las Cañas ya fue rehabilitado.", (("colonias", "Las"),)),
    ("En El Llanito se construye un aula nueva para el preescolar.", (("colonias", "El"),)),
    ("La colonia Emiliano Zapata tendrá brigada de limpieza.", (("colonias", "colonia"),)),
    ("En San Vicente se reportó una fuga de agua potable.", (("colonias", "San"),)),
    # vecinos
    ("La carretera a Uriangato tiene tráfico lento por obras.", (("vecinos", "Uriangato"),)),
    ("Productores de Yuriria venderán pescado en la plaza.", (("vecinos", "Yuriria"),)),
    ("En Salvatierra se celebra la feria de la marquesa.", (("vecinos", "Salvatierra"),)),
    ("Un tráiler volcó cerca de Acámbaro sin dejar heridos.", (("vecinos", "Acámbaro"),)),
    ("Valle de Santiago recibirá a los equipos de la liga regional.", (("vecinos", "Valle"),)),
    ("El lago de Cuitzeo registra niveles bajos este año.", (("vecinos", "Cuitzeo"),)),
    # crisis
    ("Se reportó una balacera en las afueras de la ciudad; no hay heridos.", (("crisis", "balacera"),)),
    ("Un incendio consumió una bodega de hilos en la madrugada.", (("crisis", "incendio"),)),
    ("La lluvia provocó una inundación en el paso a desnivel.", (("crisis", "inundación"),)),
    ("Transportistas mantienen un bloqueo en la carretera federal.", (("crisis", "bloqueo"),)),
    ("Familiares buscan a un joven desaparecido desde el viernes.", (("crisis", "desaparecido"),)),
    ("Se declaró emergencia sanitaria por el brote de dengue.", (("crisis", "emergencia"),)),
    ("Un enfrentamiento armado en la sierra obligó a cerrar la escuela.", (("crisis", "enfrentamiento"),)),
    # several groups at once
    (
        "Protección Civil de Moroleón atendió un incendio en un lote baldío.",
        (("dependencias", "Protección"), ("municipio", "Moroleón"), ("crisis", "incendio")),
    ),
    (
        "La presidenta municipal visitó Piñícuaro para supervisar el drenaje.",
        (("presidencia", "presidenta"), ("colonias", "Piñícuaro")),
    ),
    (
        "Obras Públicas trabaja en el camino de Moroleón a Uriangato.",
        (("dependencias", "Obras"), ("municipio", "Moroleón"), ("vecinos", "Uriangato")),
    ),
    # look-alikes and everyday words: nothing to flag
    ("En León se jugará la final del torneo de fútbol.", ()),
    ("Morelia recibirá el festival internacional de cine.", ()),
    ("El gobernador de Morelos visitó la capital del país.", ()),
    ("El doctor Moreno explicó los síntomas de la gripe.", ()),
    ("Para su trámite necesita el NIF y un comprobante de domicilio.", ()),
    ("El partido Morena presentó a sus candidatos.", ()),
    ("Recuerde tomar agua y usar bloqueador solar.", ()),
    ("El discurso incendiario del diputado causó polémica.", ()),
    ("Los precios del maíz subieron en el mercado de abastos.", ()),
    ("Hoy es un buen día para salir a caminar con la familia.", ()),
    ("La selección nacional jugará un partido amistoso el sábado.", ()),
    ("Ahora escuchemos una canción para todos los que nos sintonizan.", ()),
    # everyday phrases a few letters from a department's name: keyword
    # rescoring (radiomon/pipeline/transcribe/rescore.py) must not turn them into it
    ("El seguro social amplió el horario de sus clínicas.", ()),
    ("Los servicios médicos del hospital atienden todo el día.", ()),
    ("La protección de datos personales es un derecho de todos.", ()),
    ("Expertos hablaron de desarrollo sostenible en el foro.", ()),
    ("La comunicación entre padres e hijos mejora la convivencia.", ()),
    ("Las obras de arte del museo viajarán a la capital.", ()),
    ("La casa de campo del escritor abrirá como museo.", ()),
]

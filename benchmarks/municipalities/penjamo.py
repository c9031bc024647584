"""Pénjamo, Guanajuato: sentences for checking that the evaluation's figures
hold for a municipality nobody tuned radiomon on.

Written fresh for the generalization check, with its own fictional mayor
(Rosalba Ledesma), departments and programmes, real communities and the
neighbouring municipalities, to be read with keywords-penjamo.yml. The
look-alikes are words a plain keywords file could take for a name:
"pensamos" (Pénjamo), "a solo" (Abasolo), piedad as a virtue (La Piedad),
a person surnamed Corral (Corralejo), León, and everyday phrases a few
letters from a department's name ("obras de teatro", "seguro social",
"protección de datos", "desarrollo sostenible", "servicios médicos").
"""

from __future__ import annotations

# (sentence, expected groups, one per mention; the keyword's first words to place it in time)
SENTENCES: list[tuple[str, tuple[tuple[str, str], ...]]] = [
    # municipio
    ("Pénjamo despertó con neblina y tramos de carretera con poca visibilidad.", (("municipio", "Pénjamo"),)),
    ("Productores de Pénjamo esperan una buena cosecha de sorgo este ciclo.", (("municipio", "Pénjamo"),)),
    (
        "El Ayuntamiento de Pénjamo publicó la lista de ganadores del concurso de pintura infantil.",
        (("municipio", "Ayuntamiento"),),
    ),
    (
        "Las familias penjamenses podrán renovar su credencial escolar sin costo esta semana.",
        (("municipio", "penjamenses"),),
    ),
    (
        "Un joven penjamense representará a Guanajuato en el nacional de atletismo.",
        (("municipio", "penjamense"),),
    ),
    (
        "El Gobierno de Pénjamo pidió a los comerciantes retirar sus puestos de la banqueta.",
        (("municipio", "Gobierno"),),
    ),
    ("Desde Pénjamo, tierra de Hidalgo, arrancamos el noticiero de mediodía.", (("municipio", "Pénjamo"),)),
    # presidencia
    (
        "La presidenta municipal Rosalba Ledesma firmó un convenio con la universidad tecnológica.",
        (("presidencia", "presidenta"), ("presidencia", "Rosalba")),
    ),
    (
        "El cabildo autorizó el cambio de horario de los mercados en temporada de lluvias.",
        (("presidencia", "cabildo"),),
    ),
    ("Los regidores pidieron un informe detallado del gasto en alumbrado.", (("presidencia", "regidores"),)),
    ("La síndica presentó una denuncia por el uso indebido de un vehículo oficial.", (("presidencia", "síndica"),)),
    ("La alcaldesa recorrió las escuelas que serán rehabilitadas en vacaciones.", (("presidencia", "alcaldesa"),)),
    (
        "En sesión extraordinaria, el Honorable Ayuntamiento aprobó el presupuesto de egresos.",
        (("presidencia", "Honorable"),),
    ),
    ("Rosalba Ledesma anunció que rendirá su primer informe el próximo mes.", (("presidencia", "Rosalba"),)),
    # dependencias and municipal programmes
    (
        "El DIF Pénjamo abrió las inscripciones para los talleres de verano.",
        (("dependencias", "DIF"), ("municipio", "Pénjamo")),
    ),
    ("Obras Públicas arrancó la pavimentación de la calle Allende.", (("dependencias", "Obras"),)),
    ("Seguridad Pública reforzó los patrullajes nocturnos en el primer cuadro.", (("dependencias", "Seguridad"),)),
    ("Protección Civil pide no quemar pasto en los terrenos secos.", (("dependencias", "Protección"),)),
    (
        "La Tesorería Municipal ofrece descuento en el predial a jubilados y pensionados.",
        (("dependencias", "Tesorería"),),
    ),
    (
        "Desarrollo Social abrió el registro para el apoyo a madres jefas de familia.",
        (("dependencias", "Desarrollo"),),
    ),
    ("Desarrollo Rural entregará semilla mejorada de maíz a los ejidatarios.", (("dependencias", "Desarrollo"),)),
    ("La Casa de la Cultura invita al taller de guitarra para principiantes.", (("dependencias", "Casa"),)),
    ("El SAPAP informa que el pozo número tres estará en mantenimiento.", (("dependencias", "SAPAP"),)),
    ("Personal de Ecología plantó doscientos árboles en la unidad deportiva.", (("dependencias", "Ecología"),)),
    (
        "Tránsito Municipal recuerda que está prohibido estacionarse en doble fila.",
        (("dependencias", "Tránsito"),),
    ),
    ("Comunicación Social transmitirá en vivo la ceremonia del grito.", (("dependencias", "Comunicación"),)),
    ("El programa Mi Calle Brillante cambiará las lámparas de veinte calles.", (("dependencias", "Mi"),)),
    ("Ya se pueden recoger las tarjetas de Becas Impulso en las oficinas.", (("dependencias", "Becas"),)),
    ("Servicios Municipales reparó las bancas del jardín principal.", (("dependencias", "Servicios"),)),
    ("La Dirección de Salud instaló un módulo de vacunación en el mercado.", (("dependencias", "Dirección"),)),
    # colonias
    ("Vecinos de Santa Ana Pacueco piden un puente peatonal sobre la carretera.", (("colonias", "Santa"),)),
    ("En Corralejo ya se prepara la fiesta por el natalicio de Miguel Hidalgo.", (("colonias", "Corralejo"),)),
    ("La escuela primaria de Churipitzeo estrenó techado en su patio.", (("colonias", "Churipitzeo"),)),
    ("Habrá cortes de luz en San Gabriel por trabajos en la red eléctrica.", (("colonias", "San"),)),
    ("En Potrerillos ya comenzó la cosecha de garbanzo.", (("colonias", "Potrerillos"),)),
    ("Laguna Larga de Cortés tendrá clínica móvil el fin de semana.", (("colonias", "Laguna"),)),
    ("En la Zona Centro se prohibirá el comercio ambulante durante la feria.", (("colonias", "Zona"),)),
    ("La Colonia Guadalupe estrena alumbrado en su calle principal.", (("colonias", "Colonia"),)),
    ("Los vecinos de la Colonia Solidaridad limpiaron el canal de riego.", (("colonias", "Colonia"),)),
    # vecinos
    ("La carretera a Abasolo tiene trabajos en el tramo del puente.", (("vecinos", "Abasolo"),)),
    ("Cuerámaro celebrará su feria patronal con jaripeo y baile.", (("vecinos", "Cuerámaro"),)),
    ("Un choque en la carretera a Manuel Doblado dejó dos lesionados.", (("vecinos", "Manuel"),)),
    ("Comerciantes de La Piedad cruzan el río Lerma para vender en el tianguis.", (("vecinos", "La"),)),
    (
        "Huanímaro y Pénjamo comparten la ruta del nuevo transporte escolar.",
        (("vecinos", "Huanímaro"), ("municipio", "Pénjamo")),
    ),
    ("Muchos estudiantes viajan a diario a Irapuato para ir a la universidad.", (("vecinos", "Irapuato"),)),
    # crisis
    ("Se registró una balacera en un bar de la salida a la autopista; hay dos detenidos.", (("crisis", "balacera"),)),
    ("Un ataque armado contra una camioneta dejó un herido en la carretera estatal.", (("crisis", "ataque"),)),
    ("Bomberos sofocaron un incendio en una bodega de forraje.", (("crisis", "incendio"),)),
    ("El desbordamiento del río Lerma obligó a evacuar a varias familias.", (("crisis", "desbordamiento"),)),
    ("La inundación cubrió varias calles tras el aguacero de anoche.", (("crisis", "inundación"),)),
    (
        "Buscan a una adolescente desaparecida desde el martes; vestía uniforme escolar.",
        (("crisis", "desaparecida"),),
    ),
    ("Productores mantienen un bloqueo en la caseta de cobro.", (("crisis", "bloqueo"),)),
    ("Se declaró la emergencia por heladas en las comunidades altas.", (("crisis", "emergencia"),)),
    # several groups at once
    (
        "Protección Civil de Pénjamo atendió la inundación en Santa Ana Pacueco.",
        (("dependencias", "Protección"), ("municipio", "Pénjamo"), ("crisis", "inundación"), ("colonias", "Santa")),
    ),
    (
        "La alcaldesa Rosalba Ledesma viajó a Irapuato para pedir más patrullas.",
        (("presidencia", "alcaldesa"), ("presidencia", "Rosalba"), ("vecinos", "Irapuato")),
    ),
    (
        "Obras Públicas y el SAPAP repararon la fuga de la Zona Centro.",
        (("dependencias", "Obras"), ("dependencias", "SAPAP"), ("colonias", "Zona")),
    ),
    (
        "Seguridad Pública detuvo a tres personas tras la balacera en Churipitzeo.",
        (("dependencias", "Seguridad"), ("crisis", "balacera"), ("colonias", "Churipitzeo")),
    ),
    (
        "El cabildo de Pénjamo aprobó donar un terreno para la clínica de Corralejo.",
        (("presidencia", "cabildo"), ("municipio", "Pénjamo"), ("colonias", "Corralejo")),
    ),
    (
        "El DIF municipal llevó despensas a familias de Potrerillos afectadas por el incendio.",
        (("dependencias", "DIF"), ("colonias", "Potrerillos"), ("crisis", "incendio")),
    ),
    (
        "La presidenta municipal y el alcalde de La Piedad acordaron limpiar juntos el río Lerma.",
        (("presidencia", "presidenta"), ("presidencia", "alcalde"), ("vecinos", "Piedad")),
    ),
    # look-alikes and everyday words: nothing to flag
    ("Pensamos que el frío durará hasta el domingo, así que abríguense bien.", ()),
    ("La farmacia de turno queda a solo dos cuadras del jardín.", ()),
    ("El Club León ganó el clásico del fin de semana.", ()),
    ("El sacerdote pidió tener piedad de los animales abandonados.", ()),
    ("El profesor Jesús Corral dirigirá la banda de música de la secundaria.", ()),
    ("La presidenta del comité de padres de familia organizó la kermés.", ()),
    ("El tipo de cambio cerró en diecisiete pesos por dólar.", ()),
    ("Hoy en la sección de cocina les enseñamos a preparar enchiladas mineras.", ()),
    ("El riego por goteo ahorra agua en los invernaderos de fresa.", ()),
    # everyday phrases a few letters from a department's name
    ("Los alumnos presentarán dos obras de teatro en el auditorio.", ()),
    ("Si tiene dudas sobre su pensión, acuda a las oficinas del seguro social.", ()),
    ("La ley de protección de datos obliga a las tiendas a cuidar su información.", ()),
    ("Un foro sobre desarrollo sostenible reunió a empresarios del bajío.", ()),
    ("Los servicios médicos de la Cruz Roja atendieron a los corredores del maratón.", ()),
    ("La casa de la abuela siempre huele a pan recién hecho.", ()),
]

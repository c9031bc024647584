"""Rebuild the bundled demo recording (run from the repository root).

    .venv/bin/python examples/demo/make_demo_audio.py

The result is committed, so `make demo` needs neither espeak-ng nor the
Debian sound packages. Two minutes of a morning programme: a jingle, local
news (espeak-ng, es-419), an ad (a real es-MX voice from Debian's
asterisk-core-sounds-es-wav), a song (asterisk-moh-opsound-wav, CC BY-SA),
and a host talking over a music bed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from audio_factory import music, over_bed, prompt, prompts, silence, speech  # noqa: E402

OUT = Path(__file__).with_name("radio-demo-20261125T080000.mp3")

NEWS = [
    "Buenos días, Moroleón. Son las ocho de la mañana y estas son las noticias.",
    "La presidenta municipal de Moroleón inauguró la rehabilitación del mercado Hidalgo.",
    "Obras Públicas informó que la pavimentación de la calle Allende terminará el viernes.",
    "El DIF Moroleón invita a las familias al festival de invierno en la plaza principal.",
]
HOST = [
    "Protección Civil recomienda abrigarse bien por las bajas temperaturas de esta semana.",
    "En Uriangato también se espera frío intenso durante la madrugada.",
]


def main() -> None:
    clip = music(6, gain_db=-8) + silence(0.7)
    for sentence in NEWS:
        clip = clip + speech(sentence) + silence(0.6)
    clip = clip + prompt(prompts()[0]) + silence(0.8) + music(25, offset=30)
    for sentence in HOST:
        clip = clip + over_bed(speech(sentence, voice="es"), offset=5) + silence(0.5)
    clip = clip + music(8, offset=60, gain_db=-8)
    clip.write(OUT, bitrate="32k")
    print(f"wrote {OUT} ({clip.duration:.0f} s)")


if __name__ == "__main__":
    main()

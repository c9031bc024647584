"""Broadcast-like test audio whose content is known: who said what, and when.

Tests and benchmarks need radio audio where the truth is known down to the
second: what was said (to score a transcript), and where the music beds,
jingles and dead air are (to check that nothing was "heard" there). This
module builds it from parts that are on the machine:

* :func:`speech` — Spanish text spoken by ``espeak-ng -v es-419``; the text is
  known exactly, so word recall and WER can be measured.
* :func:`prompt` — real Mexican-Spanish human speech (Debian
  ``asterisk-core-sounds-es-wav``, voice es_MX); used as "ads". Their exact
  wording is not shipped, so their spans carry ``text=None`` (speech that is
  not scored).
* :func:`music` — real music (Debian ``asterisk-moh-opsound-wav``, CC BY-SA).
* :func:`silence` — dead air.
* :func:`over_bed` — speech with a music bed under it, as radio hosts talk.

Every piece is a :class:`Clip`: mono float32 samples at :data:`SAMPLE_RATE`
plus a list of :class:`Span` saying what each stretch is. Clips concatenate
with ``+``; :meth:`Clip.write` saves any format ffmpeg knows (``.wav``,
``.mp3``, …). :func:`broadcast` assembles a whole programme (news, ads,
jingles, beds, silences) of the length asked for, deterministically from a
seed::

    from audio_factory import broadcast, speech, music, silence
    clip = speech("Buenos días, Moroleón.") + silence(2) + music(10)
    clip.write(tmp_path / "corte.mp3")
    clip.spans  # [Span('speech', 0.0, 1.9, 'Buenos días, Moroleón.'), …]

Requirements: ``ffmpeg`` and ``espeak-ng`` on PATH, and the two Debian
packages above for prompts and music; :func:`missing` names what is absent
so a test can skip with a clear reason.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
PROMPTS_DIR = Path("/usr/share/asterisk/sounds/es_MX_f_Allison")
MUSIC_DIR = Path("/usr/share/asterisk/moh")
VOICE = "es-419"

SPEECH = "speech"  # espeak-ng text, known words
AD = "ad"  # human prompt, words not known
MUSIC = "music"  # music only: nothing may be transcribed here
SILENCE = "silence"  # dead air: nothing may be transcribed here
NON_SPEECH = (MUSIC, SILENCE)

# Municipal news of the kind the office monitors, with the proper nouns that
# Whisper gets wrong without vocabulary biasing (Moroleón, Uriangato, Piñícuaro).
NEWS: tuple[str, ...] = (
    "El Ayuntamiento de Moroleón anunció la rehabilitación del mercado municipal.",
    "La presidenta municipal de Moroleón inauguró la nueva calle en la colonia centro.",
    "Protección Civil de Moroleón pide a la población evitar quemas en temporada de estiaje.",
    "El DIF Moroleón entregará despensas a familias de la comunidad de Piñícuaro.",
    "Obras Públicas trabaja en la pavimentación del camino entre Moroleón y Uriangato.",
    "Seguridad Pública reforzó la vigilancia en el tianguis textil durante el fin de semana.",
    "La feria de Moroleón contará con juegos mecánicos, palenque y teatro del pueblo.",
    "El gobierno del estado de Guanajuato apoyará a los productores textiles de la región.",
    "Se registró una fuga de agua en la avenida principal y el organismo operador ya la reparó.",
    "Los comerciantes del centro piden más estacionamiento para los visitantes del sábado.",
    "La biblioteca municipal ofrece talleres gratuitos de lectura para niñas y niños.",
    "El cabildo aprobó el presupuesto para el alumbrado público del próximo año.",
    "Habrá campaña de vacunación para perros y gatos en todas las colonias de la ciudad.",
    "La Casa de la Cultura abrió inscripciones para los cursos de música y danza folclórica.",
    "Un accidente en la carretera a Uriangato dejó daños materiales pero ningún lesionado.",
    "El equipo de futbol local ganó el torneo regional en la unidad deportiva.",
    "Los productores de Piñícuaro esperan una buena cosecha de maíz este año.",
    "Tránsito municipal cerrará la calle Hidalgo por trabajos de drenaje durante tres días.",
    "La tesorería recuerda que el descuento del predial termina el último día del mes.",
    "Se invita a la ciudadanía a la sesión pública del Ayuntamiento de Moroleón el jueves.",
    "Las escuelas de la región participarán en el desfile del veinte de noviembre.",
    "El clima para hoy en Moroleón será soleado con una temperatura máxima de veintiocho grados.",
    "Desarrollo Económico presentó un programa de créditos para pequeños negocios textiles.",
    "La Dirección de Salud instaló módulos para medir la presión arterial en la plaza principal.",
)


@dataclass(frozen=True)
class Span:
    """What one stretch of a clip is; times are seconds from the clip's start."""

    kind: str  # speech | ad | music | silence
    start: float
    end: float
    text: str | None = None  # what was said, where known (speech)
    bed: bool = False  # music under the speech

    def shifted(self, seconds: float) -> "Span":
        return replace(self, start=self.start + seconds, end=self.end + seconds)


@dataclass
class Clip:
    """Mono float32 audio at :data:`SAMPLE_RATE` and what is in it."""

    audio: np.ndarray
    spans: list[Span] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE

    def __add__(self, other: "Clip") -> "Clip":
        offset = self.duration
        return Clip(
            np.concatenate([self.audio, other.audio]),
            self.spans + [s.shifted(offset) for s in other.spans],
        )

    @property
    def text(self) -> str:
        """Everything said whose words are known, in order."""
        return " ".join(s.text for s in self.spans if s.text)

    def spans_of(self, *kinds: str) -> list[Span]:
        return [s for s in self.spans if s.kind in kinds]

    def write(self, path: str | Path, *, bitrate: str = "64k", sample_rate: int | None = None) -> Path:
        """Save through ffmpeg; the format follows the extension (.wav, .mp3, .ogg, …).

        ``sample_rate`` resamples on the way out (stations stream at 44.1 kHz;
        the default keeps 16 kHz).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pcm = (np.clip(self.audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
               "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0"]
        if sample_rate:
            cmd += ["-ar", str(sample_rate)]
        if path.suffix.lower() not in (".wav", ".flac"):
            cmd += ["-b:a", bitrate]
        subprocess.run(cmd + [str(path)], input=pcm, check=True)
        return path


def missing() -> str | None:
    """Why this machine cannot build test audio (a skip reason), or None."""
    for tool in ("ffmpeg", "espeak-ng"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not any(PROMPTS_DIR.glob("*.wav")):
        return f"no prompts in {PROMPTS_DIR} (apt-get install asterisk-core-sounds-es-wav)"
    if not any(MUSIC_DIR.glob("*.wav")):
        return f"no music in {MUSIC_DIR} (apt-get install asterisk-moh-opsound-wav)"
    return None


def load(path: str | Path) -> np.ndarray:
    """Any audio file as mono float32 at :data:`SAMPLE_RATE` (through ffmpeg)."""
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(path),
         "-f", "f32le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"],
        capture_output=True, check=True,
    ).stdout
    return np.frombuffer(out, dtype="<f4").copy()


def _trim(audio: np.ndarray, level: float = 0.01) -> np.ndarray:
    """Drop leading and trailing near-silence, so a span is the speech itself."""
    loud = np.flatnonzero(np.abs(audio) > level)
    if len(loud) == 0:
        return audio[:0]
    return audio[loud[0]: loud[-1] + 1]


@lru_cache(maxsize=512)
def _espeak(text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(wav), text],
            check=True, capture_output=True,
        )
        return _trim(load(wav))


def speech(text: str, *, voice: str = VOICE, speed: int = 150, pitch: int = 50, gain_db: float = -3.0) -> Clip:
    """``text`` spoken by espeak-ng (known words: scored by tests and benchmarks)."""
    audio = _espeak(text, voice, speed, pitch) * _gain(gain_db)
    return Clip(audio.astype(np.float32), [Span(SPEECH, 0.0, len(audio) / SAMPLE_RATE, text)])


def prompts() -> list[str]:
    """Names of the human es-MX prompts available (file stems), sorted."""
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.wav"))


def prompt(name: str, *, gain_db: float = 0.0) -> Clip:
    """A real human Mexican-Spanish prompt (an "ad": speech whose words are not scored)."""
    audio = _trim(_load_cached(str(PROMPTS_DIR / f"{name}.wav")), level=0.02)
    audio = normalize(audio) * _gain(gain_db)
    return Clip(audio, [Span(AD, 0.0, len(audio) / SAMPLE_RATE)])


def tracks() -> list[str]:
    """Names of the music tracks available (file stems), sorted."""
    return sorted(p.stem for p in MUSIC_DIR.glob("*.wav"))


def music(seconds: float, *, track: str | None = None, offset: float = 0.0, gain_db: float = -6.0,
          fade: float = 0.5) -> Clip:
    """``seconds`` of real music (a jingle, a song, a bed), faded in and out."""
    source = _load_cached(str(MUSIC_DIR / f"{track or tracks()[0]}.wav"))
    n = int(seconds * SAMPLE_RATE)
    start = int(offset * SAMPLE_RATE) % max(1, len(source) - 1)
    reps = int(np.ceil((start + n) / len(source))) + 1
    audio = np.tile(source, reps)[start: start + n]
    audio = normalize(audio) * _gain(gain_db)
    k = min(int(fade * SAMPLE_RATE), n // 2)
    if k:
        ramp = np.linspace(0.0, 1.0, k, dtype=np.float32)
        audio[:k] *= ramp
        audio[-k:] *= ramp[::-1]
    return Clip(audio.astype(np.float32), [Span(MUSIC, 0.0, seconds)])


def silence(seconds: float, *, noise_db: float | None = None, seed: int = 0) -> Clip:
    """Dead air; ``noise_db`` adds a faint hiss like a real transmitter's."""
    n = int(seconds * SAMPLE_RATE)
    audio = np.zeros(n, dtype=np.float32)
    if noise_db is not None:
        audio += np.random.default_rng(seed).normal(0, _gain(noise_db), n).astype(np.float32)
    return Clip(audio, [Span(SILENCE, 0.0, n / SAMPLE_RATE)])


def over_bed(clip: Clip, *, track: str | None = None, bed_db: float = -22.0, offset: float = 0.0,
             lead: float = 1.5) -> Clip:
    """``clip`` with music under it; the music starts ``lead`` seconds before and ends after.

    The lead-in and tail are music-only spans; the speech spans get ``bed=True``.
    """
    total = clip.duration + 2 * lead
    bed = music(total, track=track, offset=offset, gain_db=bed_db, fade=0.3)
    pad = np.zeros(int(lead * SAMPLE_RATE), dtype=np.float32)
    voice = np.concatenate([pad, clip.audio, pad])
    n = min(len(voice), len(bed.audio))
    audio = voice[:n] + bed.audio[:n]
    spans = [Span(MUSIC, 0.0, lead)]
    spans += [replace(s.shifted(lead), bed=True) for s in clip.spans if s.kind not in NON_SPEECH]
    spans += [Span(MUSIC, lead + clip.duration, n / SAMPLE_RATE)]
    return Clip(audio.astype(np.float32), spans)


def broadcast(minutes: float, *, seed: int = 0, sentences: tuple[str, ...] = NEWS) -> Clip:
    """A radio programme of at least ``minutes``: news read over music beds and
    dry, human "ads", jingles, song blocks and dead air, in a seeded order.

    About two thirds is speech; the rest is music and silence that a
    transcriber must leave empty.
    """
    rng = random.Random(seed)
    ads = [p for p in prompts() if p.startswith(("demo-", "vm-", "conf-", "agent-", "dir-"))] or prompts()
    music_tracks = tracks()
    clip = silence(0.5)
    target = minutes * 60
    order = list(sentences)
    while clip.duration < target:
        rng.shuffle(order)
        news = speech(" ".join(order[:3]), speed=rng.choice((145, 155, 165)), pitch=rng.choice((40, 50, 60)))
        for sentence in order[3:5]:
            news = news + silence(rng.uniform(0.3, 0.7)) + speech(sentence, speed=155)
        block = rng.choice(("bed", "dry", "ad", "song"))
        if block == "bed":
            clip = clip + over_bed(news, track=rng.choice(music_tracks), offset=rng.uniform(0, 60))
        elif block == "dry":
            clip = clip + news
        elif block == "ad":
            spot = prompt(rng.choice(ads))
            for _ in range(2):
                spot = spot + silence(0.4) + prompt(rng.choice(ads))
            clip = (
                clip + music(rng.uniform(3, 6), track=rng.choice(music_tracks), gain_db=-8) + spot + silence(0.5) + news
            )
        else:
            clip = clip + music(rng.uniform(20, 45), track=rng.choice(music_tracks), offset=rng.uniform(0, 120)) + news
        clip = clip + silence(rng.uniform(2.0, 6.0), noise_db=-60, seed=rng.randrange(1 << 16))
    return clip


def corrupt(path: str | Path, size: int = 4096, seed: int = 0) -> Path:
    """A file with an audio extension and random bytes inside (an unreadable recording)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(np.random.default_rng(seed).bytes(size))
    return path


def normalize(audio: np.ndarray, peak: float = 0.9) -> np.ndarray:
    top = float(np.max(np.abs(audio))) if len(audio) else 0.0
    return (audio * (peak / top)).astype(np.float32) if top > 0 else audio.astype(np.float32)


def _gain(db: float) -> float:
    return float(10 ** (db / 20))


@lru_cache(maxsize=64)
def _load_cached(path: str) -> np.ndarray:
    return load(path)

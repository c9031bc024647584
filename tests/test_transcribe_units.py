"""Transcription pieces that need no model: guards, packing, vocabulary, outputs, model location."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from factories import segment, words

from radiomon.errors import TranscriptionError
from radiomon.pipeline.transcribe import guards, models, output, prompt_guard, vocabulary
from radiomon.pipeline.transcribe.machine import plan_workers
from radiomon.pipeline.transcribe.types import Clip
from radiomon.pipeline.transcribe.vad import pack, restore
from radiomon.transcript import Segment, Word


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


#: Every segment here decoded as clear speech is (the guards look at both); words are 0.4 s apart.
seg = partial(segment, avg_logprob=-0.3, no_speech_prob=0.05)


# -- guards ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Subtítulos realizados por la comunidad de Amara.org",
    "subtitulos realizados por la comunidad de amara org",
    "Subtítulos por la comunidad de Amara.org",
    "¡Gracias por ver el video!",
    "Gracias por ver el vídeo.",
    "¡Suscríbete!",
    "Suscríbete al canal y dale like.",
    "Subtítulos realizados por la comunidad de Amara.org ¡Suscríbete!",
    "[Música]",
    "...",
])
def test_phantom_lines_are_recognized(text):
    assert guards.is_phantom(text)


@pytest.mark.parametrize("text", [
    "Gracias por ver el informe del presidente municipal de Moroleón.",
    "El DIF Moroleón agradece a la comunidad de Piñícuaro.",
    "Música en vivo en la plaza principal este sábado.",
])
def test_real_speech_is_not_a_phantom(text):
    assert not guards.is_phantom(text)


def test_clean_drops_phantoms_loops_and_silence_guesses():
    loop = "Obras Públicas, " * 30
    segments = [
        seg("Buenos días, Moroleón.", 0.0, 2.0, words=words("Buenos días, Moroleón.", 0.0, 0.4)),
        seg("Subtítulos realizados por la comunidad de Amara.org", 5.0, 8.0),
        seg(loop, 10.0, 20.0),
        Segment(21.0, 23.0, "Eh.", avg_logprob=-1.5, no_speech_prob=0.9),
    ]
    report = guards.GuardReport()
    kept = guards.clean(segments, None, report=report)
    assert [s.text for s in kept] == ["Buenos días, Moroleón."]
    assert (report.phantom, report.loops, report.no_speech) == (1, 1, 1)


def test_a_loop_inside_good_text_is_cut_back_to_one_saying():
    before = ("Vecinos de El Salitre piden reparar el puente peatonal. "
              "La Dirección de Educación premió a los mejores promedios. ")
    text = "Protección civil, " + "Neel, " * 25 + "atendió un incendio."
    window = seg(before + text, 0.0, 25.0, words=words(before + text, 0.0, 0.4))
    assert guards.compression_ratio(window.text) < guards.COMPRESSION_RATIO_MAX  # the window's ratio misses it
    caption = seg(text, 0.0, 12.0, words=words(text, 0.0, 0.4))
    assert guards.has_word_loop(caption.words)
    trimmed = guards.collapse_word_loops(caption)
    assert trimmed.text == "Protección civil, Neel, atendió un incendio."
    assert [w.start for w in trimmed.words] == pytest.approx([0.0, 0.4, 0.8, 10.8, 11.2, 11.6])
    phrase = seg("x", 0, 5, words=words("Obras Públicas, Obras Públicas, obras públicas. Moroleón", 0.0, 0.4))
    assert guards.collapse_word_loops(phrase).text == "Obras Públicas, Moroleón"
    report = guards.GuardReport()
    kept = guards.clean([window], None, report=report)
    assert " ".join(s.text for s in kept) == before + trimmed.text
    assert (report.loops, report.word_loops) == (0, 1)


@pytest.mark.parametrize("text", [
    "no, no y no", "el DIF y el DIF de Uriangato", "muy, muy, muy lejos", "que sí, que sí, que no",
])
def test_repetition_in_real_speech_is_left_alone(text):
    caption = seg(text, 0, 3, words=words(text, 0.0, 0.4))
    assert not guards.has_word_loop(caption.words)
    assert guards.collapse_word_loops(caption) is caption


def test_repeated_segments_collapse_into_one():
    segments = [seg("Gracias.", 0, 1), seg("Muchas gracias a todos.", 1, 3), seg("Muchas gracias a todos", 3, 5)]
    assert [(s.text, s.end) for s in guards.collapse_repeats(segments)] == [
        ("Gracias.", 1), ("Muchas gracias a todos.", 5)]


def test_words_outside_speech_are_dropped():
    heard = words("uno dos tres cuatro", 0.0, 1.0)  # middles at 0.4, 1.4, 2.4, 3.4
    segment = seg("uno dos tres cuatro", 0.0, 4.0, words=heard)
    kept = guards.clean([segment], [Clip(0.0, 1.6)], guards.GuardOptions(speech_pad_s=0.0))
    assert [w.text.strip() for w in kept[0].words] == ["uno", "dos"]
    assert kept[0].text == "uno dos" and kept[0].end == pytest.approx(1.8)


def test_long_segments_split_into_captions_at_sentence_ends():
    text = ("El Ayuntamiento de Moroleón anunció obras. La presidenta municipal inauguró la calle. "
            "Protección Civil pide evitar quemas en temporada de estiaje y cuidar los cerros.")
    segment = seg(text, 0.0, 30.0, words=words(text, 0.0, 0.9))
    captions = guards.split_captions(segment)
    assert [c.text for c in captions] == [
        "El Ayuntamiento de Moroleón anunció obras.",
        "La presidenta municipal inauguró la calle.",
        "Protección Civil pide evitar quemas en temporada de estiaje y cuidar los cerros.",
    ]
    assert all(a.end <= b.start for a, b in zip(captions, captions[1:]))
    assert captions[0].start == segment.words[0].start and captions[-1].end == segment.words[-1].end


def test_a_caption_never_spans_a_cut_out_jingle():
    heard = words("hola a todos", 0.0, 0.4) + words("y bienvenidos", 40.0, 0.4)
    captions = guards.split_captions(seg("hola a todos y bienvenidos", 0.0, 41.0, words=heard))
    assert [c.text for c in captions] == ["hola a todos", "y bienvenidos"]


def test_clean_output_is_monotonic_and_spans_its_words():
    a = seg("primero", 0.0, 5.0, words=[Word(" primero", 1.0, 1.5, 0.9)])
    b = seg("segundo", 1.2, 3.0, words=[Word(" segundo", 1.4, 2.0, 0.9)])  # overlaps the first
    out = guards.clean([a, b], None)
    starts = [w.start for s in out for w in s.words]
    assert starts == sorted(starts)
    assert all(s.start == s.words[0].start and s.end == s.words[-1].end for s in out)


def test_a_stretch_decoded_again_keeps_its_place_between_the_captions_around_it():
    # A window decoded with a 4-s hole (an ad, then nothing until the news);
    # the hole decoded again comes back as its own segment.
    around = seg("Por el momento no hay mensajes. No hay más mensajes.", 0.0, 10.0,
                 words=words("Por el momento no hay mensajes.", 0.0, 0.4) + words("No hay más mensajes.", 7.0, 0.4))
    hole = seg(text := "En San Vicente se reportó una fuga.", 3.0, 5.5, words=words(text, 3.0, 0.3))
    out = guards.clean([around, hole], None)
    assert [s.text for s in out] == ["Por el momento no hay mensajes.", "En San Vicente se reportó una fuga.",
                                     "No hay más mensajes."]
    assert out[1].words == hole.words  # its words keep their times


# -- packing speech regions --------------------------------------------------------

def test_packing_lays_regions_end_to_end_and_restores_times():
    sr = 16_000
    audio = np.arange(100 * sr, dtype=np.float32)
    regions = [Clip(10.0, 20.0), Clip(50.0, 65.0), Clip(70.0, 80.0)]
    packed = pack(audio, regions)
    assert [(c.start, c.end) for c in packed.clips] == [(0.0, 25.0), (25.0, 35.0)]
    assert len(packed.audio) == 35 * sr
    assert packed.audio[10 * sr] == audio[50 * sr]  # the second region follows the first
    heard = [Word(" a", 9.0, 9.5, 0.9), Word(" b", 10.5, 11.0, 0.9)]
    restored = restore([seg("a b", 9.0, 12.0, words=heard)], packed)[0]
    assert [(w.start, w.end) for w in restored.words] == [(19.0, 19.5), (50.5, 51.0)]


def test_a_word_straddling_a_cut_goes_to_the_region_holding_most_of_it():
    packed = pack(np.zeros(100 * 16_000, dtype=np.float32), [Clip(10.0, 20.0), Clip(50.0, 60.0)])
    assert packed.span_to_original(9.7, 10.1) == (pytest.approx(19.7), pytest.approx(20.0))
    assert packed.span_to_original(9.95, 10.3) == (pytest.approx(50.0), pytest.approx(50.3))


# -- vocabulary ------------------------------------------------------------------

@dataclass
class T:
    term: str


@dataclass
class G:
    priority: str
    terms: list


@dataclass
class KS:
    groups: list


def test_prompt_takes_names_from_the_highest_priority_groups_first():
    keywords = KS([
        G("normal", [T("Uriangato"), T("Obras Públicas")]),
        G("crisis", [T("balacera"), T("Piñícuaro")]),
        G("high", [T("Moroleón"), T("DIF Moroleón")]),
    ])
    prompt = vocabulary.build_prompt(keywords)
    assert prompt.startswith("Noticias locales: Piñícuaro, Moroleón, DIF, Uriangato")
    assert "balacera" not in prompt  # Whisper spells common words already
    assert prompt.count("Moroleón") == 1


def test_frequent_words_of_names_are_left_to_whisper():
    # Program and place names made of everyday words (Instituto, Mujer, Becas,
    # Laguna) would spend the budget before the names Whisper cannot know.
    keywords = KS([G("normal", [T("Instituto Municipal de la Mujer"), T("Becas Impulso"), T("Laguna Larga"),
                                T("Churipitzeo"), T("SAPAP"), T("Cuerámaro")])])
    assert vocabulary.build_prompt(keywords) == "Noticias locales: Churipitzeo, SAPAP, Cuerámaro, " \
        "Instituto Municipal de la Mujer, Becas Impulso y Laguna Larga."


def test_prompt_respects_the_token_budget():
    keywords = KS([G("normal", [T(f"Nombre{i}") for i in range(200)])])
    prompt = vocabulary.build_prompt(keywords, budget=30)
    assert vocabulary.approximate_tokens(" " + prompt) <= 30
    assert "Nombre0" in prompt and "Nombre199" not in prompt


def test_rescoring_names_the_term_in_question_at_the_end_of_the_prompt():
    assert vocabulary.naming("Noticias locales: Moroleón y DIF.", "Obras Públicas") == \
        "Noticias locales: Moroleón y DIF, Obras Públicas."
    assert vocabulary.naming(None, "Obras Públicas") == "Noticias locales: Obras Públicas."


def test_the_bundled_keywords_give_a_prompt_within_budget():
    count = vocabulary.whisper_token_counter(models.ensure_bundled())
    prompt = vocabulary.prompt_from_file(Path(__file__).parents[1] / "radiomon" / "data" / "keywords.yml",
                                         count_tokens=count)
    assert "Moroleón" in prompt and count(" " + prompt) <= vocabulary.PROMPT_TOKEN_BUDGET


def test_missing_keywords_file_means_no_biasing(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="radiomon.pipeline.transcribe.vocabulary"):
        assert vocabulary.prompt_from_file(tmp_path / "keywords.yml") is None
    assert "without vocabulary biasing" in caplog.text


# -- outputs ---------------------------------------------------------------------

def test_transcript_files_are_named_by_local_start_and_render_every_format(tmp_path):
    start = datetime(2026, 11, 25, 14, 0, 5, tzinfo=timezone.utc)
    path = output.transcript_path(tmp_path, "radio-uno", start, ZoneInfo("America/Mexico_City"))
    assert path == tmp_path / "radio-uno" / "2026-11-25" / "080005.json"
    segments = [seg("Buenos días, Moroleón.", 1.5, 3.25, words=[
        Word(" Buenos", 1.5, 1.9, 0.9), Word(" días,", 1.9, 2.4, 0.9), Word(" Moroleón.", 2.5, 3.25, 0.9)])]
    written = output.write_transcripts(segments, json_path=path, start=start, meta={"station": "radio-uno"},
                                       formats=("srt", "vtt", "txt"))
    assert [p.suffix for p in written] == [".json", ".srt", ".vtt", ".txt"]
    doc = json.loads(path.read_text())
    assert doc["segments"][0]["start_utc"] == "2026-11-25T14:00:06.500Z"
    assert doc["segments"][0]["words"][2] == {"word": " Moroleón.", "start": 2.5, "end": 3.25, "probability": 0.9}
    assert path.with_suffix(".srt").read_text() == "1\n00:00:01,500 --> 00:00:03,250\nBuenos días, Moroleón.\n\n"
    assert path.with_suffix(".vtt").read_text().startswith("WEBVTT\n\n00:00:01.500 --> 00:00:03.250\n")
    assert path.with_suffix(".txt").read_text() == "[00:00:01] Buenos días, Moroleón.\n"
    assert not list(path.parent.glob(".*.tmp"))


# -- workers and models ------------------------------------------------------------

@pytest.mark.parametrize("cores, expected", [(1, (1, 1)), (2, (2, 1)), (3, (3, 1)), (4, (2, 2)), (8, (4, 2)),
                                             (16, (8, 2))])
def test_automatic_workers_and_threads(cores, expected):
    assert plan_workers(0, 0, cores) == expected


def test_explicit_workers_and_threads_are_kept():
    assert plan_workers(2, 3, 16) == (2, 3)
    assert plan_workers(2, 0, 8) == (2, 4)


def test_bundled_model_is_assembled_once_and_verified(tmp_path, monkeypatch):
    monkeypatch.setenv(models.CACHE_ENV, str(tmp_path))
    folder = models.ensure_bundled()
    model_bin = folder / "model.bin"
    assert model_bin.stat().st_size == models.BUNDLED_SIZE
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    mtime = model_bin.stat().st_mtime_ns
    assert models.ensure_bundled(verify=True) == folder and model_bin.stat().st_mtime_ns == mtime  # not rebuilt
    with open(model_bin, "r+b") as f:  # same size, different bytes
        f.seek(1000)
        f.write(b"\0" * 16)
    with pytest.raises(TranscriptionError, match="corrupt"):
        models.ensure_bundled(verify=True)


def test_a_model_that_needs_a_download_fails_offline_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(TranscriptionError) as err:
        models.resolve("large-v3", "faster-whisper")
    message = str(err.value)
    assert "\n" not in message and "offline" in message and "transcription.model" in message


def test_a_pt_file_is_not_a_faster_whisper_model(tmp_path):
    pt = tmp_path / "base.pt"
    pt.write_bytes(b"x")
    with pytest.raises(TranscriptionError, match="openai-whisper"):
        models.resolve(str(pt), "faster-whisper")


def test_a_ctranslate2_folder_is_used_as_given():
    folder = models.ensure_bundled()
    assert models.resolve(str(folder), "faster-whisper") == (str(folder), str(folder))


def test_stretches_a_window_skipped_are_found():
    from radiomon.pipeline.transcribe.engines.faster_whisper import uncovered

    clips = [Clip(0.0, 30.0), Clip(30.0, 45.0)]
    segments = [seg("anuncio", 0.0, 6.0, words=words("uno dos tres cuatro cinco", 0.5, 0.4))]  # ends at ~2.1 s
    assert uncovered(segments, clips) == [Clip(pytest.approx(2.42), 30.0)]  # the silent second clip is music
    full = [seg("x", 0.0, 30.0, words=words(" ".join(["palabra"] * 70), 0.2, 0.4))]
    assert uncovered(full, clips[:1]) == []


def test_what_a_stretch_decoded_again_leaves_is_decoded_again():
    from radiomon.pipeline.transcribe.engines.faster_whisper import fill_holes

    clips = [Clip(0.0, 30.0)]
    first = [seg("noticia", 0.0, 4.0, words=words("uno dos tres cuatro", 0.0, 1.0))]  # words up to ~3.8 s
    asked: list[list[Clip]] = []

    def decode(holes: list[Clip]) -> list[Segment]:
        # Each decode ends early, after 8 s of its stretch, as Whisper did
        # after a run of phone-menu prompts.
        asked.append(holes)
        return [seg("más", h.start, h.start + 8.0, words=words(" ".join(["palabra"] * 20), h.start, 0.4))
                for h in holes]

    out = fill_holes(first, clips, decode)
    assert [round(h[0].start, 1) for h in asked] == [3.8, 11.7, 19.6]  # three rounds, each after the last
    assert len(out) == 4 and [s.start for s in out] == sorted(s.start for s in out)
    # Rounds are capped, and a decode that finds nothing ends them (music, not a skip).
    asked.clear()
    assert len(fill_holes(first, clips, decode, rounds=1)) == 2 and len(asked) == 1
    asked.clear()
    assert fill_holes(first, clips, lambda holes: asked.append(holes) or []) == first and len(asked) == 1


def test_looping_clips_get_a_second_pass_and_their_neighbours_are_kept():
    from radiomon.pipeline.transcribe.engines.faster_whisper import second_pass
    from radiomon.pipeline.transcribe.guards import in_clip

    clips = [Clip(0.0, 28.944), Clip(28.944, 51.424), Clip(51.424, 80.7)]
    good = seg("Buenos días, Moroleón.", 0.5, 3.0, words=words("Buenos días, Moroleón.", 0.5, 0.4))
    looped = seg("Moroleón, " * 30, 28.9, 51.9, compression_ratio=6.0)
    # The pipeline rounds starts: the next clip's segment may begin a few ms
    # before its clip. It belongs to its own clip, not to the looping one.
    next_clip = seg("Seguridad Pública recomienda no dejar objetos de valor.", 51.42, 80.3)
    assert second_pass([good, looped, next_clip], clips) == {clips[1]: None}
    assert second_pass([good, next_clip], clips) == {}
    assert [in_clip(next_clip, c) for c in clips] == [False, False, True]  # so it is not thrown away with the loop


def test_a_short_loop_or_a_skipped_sentence_also_gets_a_second_pass():
    from radiomon.pipeline.transcribe.engines.faster_whisper import MAX_WORD_S, second_pass

    clips = [Clip(0.0, 30.0), Clip(30.0, 60.0), Clip(60.0, 90.0)]
    text = "Protección civil, " + "Neel, " * 25
    short_loop = seg(text, 0.5, 12.0, words=words(text, 0.5, 0.4), compression_ratio=2.1)
    skip = [Word(w, s, e, 0.9) for w, s, e in ((" La", 30.5, 30.7), (" conferencia", 30.7, 31.3), (" El", 31.4, 31.6),
            (" estatus", 31.6, 31.6 + MAX_WORD_S + 1.7), (" de", 36.4, 36.6), (" urgencia.", 36.6, 37.2))]
    skipped = seg("La conferencia El estatus de urgencia.", 30.5, 37.2, words=skip, compression_ratio=1.3)
    news = "Las tejedoras de Moroleón llevarán sus rebozos a la feria."
    good = seg(news, 60.5, 64.0, words=words(news, 60.5, 0.4), compression_ratio=1.2)
    assert second_pass([short_loop, skipped, good], clips) == {clips[0]: None, clips[1]: None}


def test_the_prompt_written_back_as_a_list_gets_a_second_pass():
    from radiomon.pipeline.transcribe.engines.faster_whisper import second_pass
    from radiomon.pipeline.transcribe.prompt_guard import echoes_prompt, read_prompt

    text = "Noticias locales: Pénjamo, Rosalba, Ledesma, DIF, SAPAP, Pacueco, Corralejo y Uriangato."
    names = read_prompt(text).names
    assert names == {"penjamo", "rosalba", "ledesma", "dif", "sapap", "pacueco", "corralejo", "uriangato"}
    echo = "La camésa Rosalba, Ledesma, DIF, SAPAP, Pacueco, Corralejo, Pénjamo, DIF, Pacueco."
    news = "Los municipios de Pénjamo, Uriangato, Corralejo y Pacueco firmaron un convenio con el DIF estatal."
    segments = [seg(echo, 0.5, 9.0, words=words(echo, 0.5, 0.4), compression_ratio=1.4),
                seg(news, 30.5, 38.0, words=words(news, 30.5, 0.4), compression_ratio=1.3)]
    assert echoes_prompt(segments[0].words, names)
    assert not echoes_prompt(segments[1].words, names)  # four names in seven words: a list in the news
    assert not echoes_prompt(segments[0].words, frozenset())
    clips = [Clip(0.0, 30.0), Clip(30.0, 60.0)]
    prompt = read_prompt(text)
    assert prompt.names == names
    assert second_pass(segments, clips, prompt) == {clips[0]: None}  # an echo: again without the prompt
    assert second_pass(segments, clips) == {}


PROMPT = "Noticias locales: Moroleón, Protección Civil y Obras Públicas."


def test_the_prompt_read_as_names_in_order():
    prompt = prompt_guard.read_prompt(PROMPT)
    assert prompt.words == ("moroleon", "proteccion", "civil", "y", "obras", "publicas")
    assert prompt.name_of == (0, 1, 1, -1, 2, 2)
    assert prompt_guard.read_prompt("Noticias locales: Moroleón.").words == ("moroleon",)
    council = prompt_guard.read_prompt("Noticias locales: H. Ayuntamiento de Moroleón y DIF.")
    assert council.name_of == (0, 0, 0, 0, -1, 1) and council.entries == ("H. Ayuntamiento de Moroleón", "DIF")
    assert prompt_guard.read_prompt(None) == prompt_guard.NO_PROMPT


def copied(text: str, probabilities: list[float], start: float = 0.5) -> Segment:
    said = tuple(Word(w.text, w.start, w.end, p) for w, p in zip(words(text, start, 0.4), probabilities, strict=True))
    return seg(text, start, said[-1].end, words=said, compression_ratio=1.2)


def test_the_prompt_copied_over_what_was_said_gets_a_second_pass_without_it():
    """"Protección Civil atiende la emergencia…" came out as the prompt's own ending, "Protección Civil y Obras
    Públicas." (the bundled model, espeak at 145 wpm; the probabilities are the ones it gave), and the crisis term
    was lost. Names said in the prompt's order, confidently, are news."""
    from radiomon.pipeline.transcribe.engines.faster_whisper import second_pass

    prompt = prompt_guard.read_prompt(PROMPT)
    copy = copied("Protección Civil y Obras Públicas.", [0.57, 0.03, 0.0, 0.0, 0.15])
    said = copied("Protección Civil y Obras Públicas atienden la emergencia.", [0.9, 0.8, 0.7, 0.9, 0.9, 0.8, 0.9, 0.9])
    one_name = copied("Protección Civil y Endela Emergencia.", [0.6, 0.1, 0.0, 0.05, 0.3])
    assert prompt_guard.copied_names(copy.words, prompt) == {2}  # Obras Públicas; Protección Civil was said
    assert not prompt_guard.copied_names(said.words, prompt)  # confident: the names were said
    assert not prompt_guard.copied_names(one_name.words, prompt)  # one name and the "y": its own words follow
    assert not prompt_guard.copied_names(copy.words, prompt_guard.NO_PROMPT)
    # One term's rare words are adjacent names of the prompt: one doubted word after the first is no copy.
    mayor = prompt_guard.read_prompt("Noticias locales: Pénjamo, Rosalba, Ledesma y DIF.")
    assert not prompt_guard.copied_names(copied("la alcaldesa Rosalba Ledesma", [0.9, 0.9, 0.8, 0.2]).words, mayor)
    listed = copied("la alcaldesa Rosalba Ledesma y DIF", [0.9, 0.9, 0.8, 0.2, 0.1, 0.2])
    assert prompt_guard.copied_names(listed.words, mayor) == {2, 3}  # Ledesma and DIF after Rosalba
    # Out of the prompt's order, a doubted pair of names is no copy of it.
    assert not prompt_guard.copied_names(copied("Obras Públicas y Protección Civil", [0.1] * 5).words, prompt)
    clips = [Clip(0.0, 30.0), Clip(30.0, 60.0)]
    # Decoded again without the names the copy wrote (Obras Públicas), keeping the one said.
    assert second_pass([copy, copied(said.text, [0.9] * 8, 30.5)], clips, prompt) == {
        clips[0]: "Noticias locales: Moroleón y Protección Civil."}


def test_a_clip_that_copies_its_shorter_prompt_too_is_decoded_once_more_without_any():
    clips = [Clip(0.0, 30.0), Clip(30.0, 60.0)]
    first = [copied("Protección Civil y Obras Públicas.", [0.57, 0.03, 0.0, 0.0, 0.15]),
             copied("Moroleón tendrá feria.", [0.9, 0.9, 0.9], 30.5)]
    asked = []

    def decode(failed, prompt):
        asked.append((failed, prompt))
        if prompt is None:
            return [copied("Protección CV atiende la emergencia.", [0.6, 0.4, 0.8, 0.9, 0.9])]
        return [copied("Moroleón y Protección Civil.", [0.5, 0.1, 0.0, 0.1])]  # the shorter prompt, copied

    again = prompt_guard.prompt_retries(first, clips, prompt_guard.read_prompt(PROMPT))
    out = prompt_guard.decode_again(first, again, decode)
    assert asked == [([clips[0]], "Noticias locales: Moroleón y Protección Civil."), ([clips[0]], None)]
    assert [s.text for s in out] == ["Protección CV atiende la emergencia.", "Moroleón tendrá feria."]
    assert prompt_guard.decode_again(first, {}, decode) == first
    # Every name copied: nothing of the prompt is left to decode with.
    lone = prompt_guard.read_prompt("Noticias locales: Obras Públicas y DIF.")
    assert prompt_guard.prompt_retries([copied("Obras Públicas y DIF", [0.5, 0.5, 0.1, 0.1])], clips, lone) == {
        clips[0]: "Noticias locales: Obras Públicas."}
    assert lone.without({0, 1}) is None


def test_openai_whisper_also_decodes_again_what_the_prompt_wrote():
    import threading

    from radiomon.pipeline.transcribe.engines.openai_whisper import OpenAIWhisperEngine
    from radiomon.pipeline.transcribe.types import EngineOptions

    def said(text, start, probability):
        return {"start": start, "end": start + 4, "text": text, "avg_logprob": -0.3, "no_speech_prob": 0.05,
                "compression_ratio": 1.2, "words": [{"word": w.text, "start": w.start, "end": w.end,
                                                     "probability": probability} for w in words(text, start, 0.4)]}

    class Model:  # openai-whisper's transcribe(): the prompt's ending written over the first clip
        asked = []

        def transcribe(self, audio, *, initial_prompt, clip_timestamps, **options):
            self.asked.append((initial_prompt, clip_timestamps))
            if initial_prompt != PROMPT:
                return {"segments": [said("Protección Civil atiende la emergencia.", 0.5, 0.8)]}
            return {"segments": [said("Protección Civil y Obras Públicas.", 0.5, 0.02),
                                 said("Moroleón tendrá feria.", 30.5, 0.9)]}

    engine = object.__new__(OpenAIWhisperEngine)
    engine.options, engine.model, engine._lock = EngineOptions(initial_prompt=PROMPT), Model(), threading.Lock()
    out = engine.transcribe(np.zeros(60 * 16_000, dtype=np.float32), [Clip(0.0, 30.0), Clip(30.0, 60.0)])
    assert [s.text for s in out] == ["Protección Civil atiende la emergencia.", "Moroleón tendrá feria."]
    shorter = "Noticias locales: Moroleón y Protección Civil."  # without the names the copy wrote
    assert Model.asked == [(PROMPT, [0.0, 30.0, 30.0, 59.99]), (shorter, [0.0, 30.0])]


class EchoEngine:
    """A stand-in engine: one segment per clip, named by its place (module
    level, so a worker process can load it by name)."""

    name, model_label = "echo", "fake"

    def __init__(self, *args):
        pass

    def transcribe(self, audio, clips):
        return [Segment(c.start, c.end, f"clip {i}", words=(Word(f" clip{i}", c.start, c.end, 1.0),))
                for i, c in enumerate(clips)]


@pytest.fixture
def four_recordings(tmp_path):
    """A deployment with four recordings of noise, the second corrupt."""
    try:
        import audio_factory as af
    except ImportError:
        from tests import audio_factory as af
    from radiomon.archive import Archive
    from radiomon.config import load_config

    if af.missing():
        pytest.skip(af.missing())
    (tmp_path / "radiomon.yml").write_text(
        "stations:\n  - id: uno\n    url: http://127.0.0.1/uno.mp3\n"
        "transcription:\n  workers: 2\n  threads: 1\n  hotwords: false\n")
    config = load_config(tmp_path / "radiomon.yml")
    paths = [af.silence(2.0, noise_db=-30, seed=i).write(tmp_path / f"r{i}.wav") for i in range(4)]
    af.corrupt(tmp_path / "r1.wav")
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        ids = [archive.add_recording(station="uno", start=datetime(2026, 11, 25, 14, i, tzinfo=timezone.utc),
                                     duration=2.0, path=str(p))[0] for i, p in enumerate(paths)]
        yield config, archive, ids


def test_a_batch_with_two_workers_stores_every_recording_once(four_recordings):
    """The batch loop itself (threads, ordering, per-item failure) with a stand-in engine."""
    from radiomon.pipeline.transcribe.batch import transcribe_batch

    config, archive, ids = four_recordings
    result = transcribe_batch(config, archive, engine_factory=EchoEngine, formats=())
    assert (result.transcribed, result.failed) == (3, 1)
    assert [archive.recording(i).status for i in ids] == ["transcribed", "failed", "transcribed", "transcribed"]
    assert all(archive.recording(i).engine == "echo" for i in (ids[0], ids[2], ids[3]))


def test_a_recording_can_be_transcribed_in_another_process(four_recordings):
    """The executor seam: the work for one recording is plain data in and out,
    so a fresh worker process (as on a cluster) loads the engine for the spec
    and sends back segments the batch stores as from its own threads."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from radiomon.pipeline.transcribe.batch import transcribe_batch

    config, archive, ids = four_recordings
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = transcribe_batch(config, archive, engine_factory=EchoEngine, formats=(), executor=pool)
    assert (result.transcribed, result.failed) == (3, 1)
    assert "cannot decode audio" in archive.recording(ids[1]).error
    assert [(archive.recording(i).status, archive.recording(i).model) for i in (ids[0], ids[2], ids[3])] == [
        ("transcribed", "fake")] * 3


def test_openai_clip_timestamps_never_reach_past_the_audio():
    # openai/whisper#2005: a clip ending past the last mel frame spins forever.
    from radiomon.pipeline.transcribe.engines.openai_whisper import clip_timestamps

    assert clip_timestamps([Clip(0.0, 2.0), Clip(3.0004, 9.9999)], duration=10.0) == [0.0, 2.0, 3.0, 9.99]
    assert clip_timestamps([Clip(9.995, 10.2)], duration=10.0) == []
    assert clip_timestamps([Clip(-0.1, 1.2345)], duration=5.0) == [0.0, 1.234]


class ScoringEngine:
    """A stand-in engine that scores, recording the compute type it was loaded with."""

    name, model_label = "faster-whisper", "fake"
    loaded: list[str] = []

    def __init__(self, engine, model, options):
        self.compute_type = options.compute_type
        ScoringEngine.loaded.append(options.compute_type)

    def transcribe(self, audio, clips):
        return [Segment(c.start, c.end, "Buenos días", words=(Word(" Buenos", c.start, c.end, 1.0),))
                for c in clips]

    def score(self, audio, clip, texts, prompt):
        return [[0.0] for _ in texts]


def test_answers_near_the_line_are_asked_again_of_a_float32_model_loaded_once(monkeypatch) -> None:
    from radiomon.keywords import parse_keywords
    from radiomon.pipeline.transcribe import rescore
    from radiomon.pipeline.transcribe.types import EngineOptions
    from radiomon.pipeline.transcribe.work import Transcriber, TranscriberSpec

    ScoringEngine.loaded = []
    seen = []
    monkeypatch.setattr(rescore.Rescorer, "rescore", lambda self, raw, score, recheck=None: seen.append(recheck) or raw)
    keywords = parse_keywords({"groups": {"municipio": {"terms": ["Moroleón"]}}})
    spec = TranscriberSpec("faster-whisper", "base", EngineOptions(compute_type="auto"), vad=False,
                           rescore=keywords, engine_factory=ScoringEngine)
    transcriber = Transcriber(spec)
    transcriber.transcribe(np.zeros(16_000 * 3, dtype=np.float32))
    (recheck,) = seen
    assert ScoringEngine.loaded == ["auto"]  # nothing more until an answer is near the line
    for _ in range(3):
        recheck(None, ["Moroleón"], None)
    assert ScoringEngine.loaded == ["auto", "float32"]
    exact = Transcriber(TranscriberSpec("faster-whisper", "base", EngineOptions(compute_type="float32"), vad=False,
                                        rescore=keywords, engine_factory=ScoringEngine))
    exact.transcribe(np.zeros(16_000 * 3, dtype=np.float32))
    assert seen[-1] is None  # already float32: nothing to ask again

"""The default engine: faster-whisper (CTranslate2), int8 on CPU, float16 on CUDA.

Clips come from radio VAD (:mod:`radiomon.pipeline.transcribe.vad`) and are decoded
together by faster-whisper's ``BatchedInferencePipeline`` — on a 2-core
office PC batch decoding is ~1.4× faster than the sequential loop — with
word timestamps from cross-attention alignment (accurate to ~0.1–0.3 s, well
inside the one second a mention needs). The batched pipeline has no
temperature fallback; the guards reject what a failed decode produces.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Sequence

import numpy as np

from radiomon.errors import TranscriptionError
from radiomon.pipeline.transcribe import models
from radiomon.pipeline.transcribe.audio import around
from radiomon.pipeline.transcribe.guards import COMPRESSION_RATIO_MAX, has_word_loop, in_clip
from radiomon.pipeline.transcribe.prompt_guard import NO_PROMPT, PromptText, decode_again, prompt_retries, read_prompt
from radiomon.pipeline.transcribe.types import Clip, EngineOptions
from radiomon.transcript import Segment, Word

log = logging.getLogger(__name__)

# No Spanish word takes 3 s of speech-only audio (twice the longest on the
# mentions benchmark's 30 minutes). A word aligned over that much has
# swallowed a sentence the decoder skipped ("El estatus" over 4.7 s, where
# "Un enfrentamiento armado en la sierra…" was said).
MAX_WORD_S = 3.0
# Times a skipped stretch is decoded again while the new decode still leaves
# one (see transcribe): on the mention benchmark a 22-s stretch came back
# with 14 s of text, and the last 8 s, two news items, were lost.
HOLE_ROUNDS = 3
# Seconds of padding after a sentence encoded again for rescoring, instead
# of padding it to Whisper's 30-s window: the encoder's cost grows with its
# input, and a sentence is 3-8 s. With 5 s the answers stay within about a
# nat of the 30-s encoding's, for half the rescoring CPU; less padding moved
# more of them across MARGIN (benchmarks/NOTES.md).
SCORE_PADDING_S = 5.0


def compute_type_for(device: str, compute_type: str) -> str:
    if compute_type != "auto":
        return compute_type
    return "float16" if device == "cuda" else "int8"


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, model: str, options: EngineOptions):
        try:
            from faster_whisper import WhisperModel
        except ImportError:  # pragma: no cover - a core dependency
            raise TranscriptionError("faster-whisper is not installed; run `pip install faster-whisper`") from None
        self.options = options
        self.model_label, location = models.resolve(model, self.name)
        compute_type = compute_type_for(options.device, options.compute_type)
        try:
            self.model = WhisperModel(
                location,
                device=options.device,
                compute_type=compute_type,
                cpu_threads=options.threads,
                num_workers=max(1, options.workers),
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as err:
            raise TranscriptionError(
                f"cannot load model {model!r} on {options.device} ({compute_type}): {str(err).splitlines()[0]}; "
                "check transcription.model/device/compute_type"
            ) from None
        log.info(
            "faster-whisper: %s on %s (%s, %d threads)", self.model_label, options.device, compute_type, options.threads
        )
        self._encoded = threading.local()  # .rows: the last batched decode's encoder outputs, for score()

    def transcribe(self, audio: np.ndarray, clips: Sequence[Clip]) -> list[Segment]:
        if not clips:
            return []
        o = self.options
        common = dict(
            language=o.language,
            beam_size=o.beam_size,
            word_timestamps=o.word_timestamps,
            initial_prompt=o.initial_prompt,
            condition_on_previous_text=False,  # radio: one bad clip must not poison the next
            max_new_tokens=o.max_new_tokens,
        )
        clip_dicts = [{"start": c.start, "end": c.end} for c in clips]
        if o.batch_size <= 0:
            return self._sequential(audio, clips, common)
        # without_timestamps: one segment per clip; the caption splitter
        # cuts it at sentence ends using the word times instead.
        self._encoded.rows = {}  # this thread's recording only (workers share the engine)
        self._encoded.last = None
        pipeline = _keeping_pipeline(self.model, self._encoded.rows if self.options.device == "cpu" else None)
        batched, _ = pipeline.transcribe(
            audio, clip_timestamps=clip_dicts, batch_size=o.batch_size, without_timestamps=True,
            vad_filter=False, temperature=0.0, **common,
        )
        segments = []
        for s in batched:
            if not segments:  # what start-up costs a short file (benchmarks/transcribe.py --compare reads it)
                log.info("first window decoded (%d clips)", len(clips))
            segments.append(_segment(s))
        if o.word_timestamps:
            # Without timestamps Whisper sometimes ends a window early — an ad
            # read, then "end of text" with 20 s of news still to come. The
            # packed audio is all speech, so a long stretch without words in
            # a window that did produce words was skipped: decode it again.
            def decode(holes: list[Clip]) -> list[Segment]:
                log.debug("re-decoding %d skipped stretch(es): %s", len(holes), holes)
                again, _ = pipeline.transcribe(
                    audio, clip_timestamps=[{"start": c.start, "end": c.end} for c in holes],
                    batch_size=o.batch_size, without_timestamps=True, vad_filter=False, temperature=0.0, **common,
                )
                return [_segment(s) for s in again]

            segments = fill_holes(segments, clips, decode)
        again = second_pass(segments, clips, read_prompt(o.initial_prompt))
        if again:
            log.debug("re-decoding %d looping, skipping or prompt-written clip(s): %s", len(again), again)
            segments = decode_again(segments, again, lambda failed, prompt: self._sequential(
                audio, failed, {**common, "initial_prompt": prompt}))
        return segments

    def score(
        self, audio: np.ndarray, clip: Clip, texts: Sequence[str], prompt: str | None = None
    ) -> list[list[float]]:
        """Each text's token log probabilities given ``clip`` of ``audio`` (teacher-forced,
        after ``prompt``, by default the vocabulary prompt, as in decoding); see rescore.py.

        A clip the batched pipeline just decoded whole reuses its encoder
        output (the encoder is most of the cost); any other stretch is
        encoded again, with a little audio around it (audio.around), padded
        by :data:`SCORE_PADDING_S` rather than to Whisper's 30 s, and kept
        for the next call about the same stretch (another term).
        """
        from faster_whisper.tokenizer import Tokenizer

        model = self.model
        tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                              language=self.options.language)
        # A decoded clip's segment starts where the clip does, give or take the
        # rounding of both (a key lookup missed two clips in five).
        rows = getattr(self._encoded, "rows", {})
        kept = next((row for at, row in rows.items() if abs(at - clip.start) <= 0.02 and clip.end <= row[0] + 0.05),
                    None)
        if kept is not None:
            import ctranslate2

            encoded, frames = ctranslate2.StorageView.from_array(kept[1][None].astype(np.float32)), kept[2]
        elif getattr(self._encoded, "last", None) and self._encoded.last[0] is audio and self._encoded.last[1] == clip:
            encoded, frames = self._encoded.last[2:]  # the same sentence, asked about another term
        else:
            features = model.feature_extractor(around(audio, clip))[..., :-1]
            frames = min(features.shape[-1], model.feature_extractor.nb_max_frames)
            encoded = model.encode(_padded(features, frames))
            self._encoded.last = (audio, clip, encoded, frames)
        prompt = self.options.initial_prompt if prompt is None else prompt
        start_sequence = []
        if prompt:  # as the batched pipeline puts it
            start_sequence = [tokenizer.sot_prev, *tokenizer.encode(prompt)]
        # CTranslate2's align adds <|notimestamps|> after the start sequence
        # itself, and scores the text tokens only (not the end of text).
        start_sequence += tokenizer.sot_sequence
        scores = []
        for text in texts:  # one at a time: the encoder output is for a batch of one
            tokens = tokenizer.encode(" " + text.strip())
            result = model.model.align(encoded, start_sequence, [tokens], frames)[0]
            scores.append(np.log(np.maximum(result.text_token_probs, 1e-30)).tolist())
        return scores

    def _sequential(self, audio: np.ndarray, clips: Sequence[Clip], common: dict) -> list[Segment]:
        flat = [t for c in clips for t in (c.start, c.end)]
        segments, _ = self.model.transcribe(
            audio, clip_timestamps=flat, vad_filter=False, temperature=[0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            compression_ratio_threshold=COMPRESSION_RATIO_MAX, **common,
        )
        return [_segment(s) for s in segments]


def _padded(features: np.ndarray, frames: int) -> np.ndarray:
    """Log-mel ``features`` cut or padded with zeros (as faster-whisper pads
    to 30 s) to ``frames`` plus :data:`SCORE_PADDING_S`, an even number of
    frames (the encoder halves them), at most Whisper's 3000."""
    total = min(3000, frames + int(SCORE_PADDING_S * 100))
    total += total % 2
    out = np.zeros((*features.shape[:-1], total), dtype=features.dtype)
    out[..., :min(frames, total)] = features[..., :total]
    return out


def _keeping_pipeline(model, rows: dict | None):
    """faster-whisper's BatchedInferencePipeline, keeping each clip's encoder
    output in ``rows`` (clip start → (clip end, output, frames)) so that
    keyword rescoring does not encode the clip again. On CPU
    only (``rows`` None elsewhere): the output is copied to host memory as
    float16, 1.5 MB a clip (about 30 MB for a 10-minute recording), until
    the worker's next recording replaces them."""
    from faster_whisper import BatchedInferencePipeline

    # Internals of faster-whisper 1.2 (forward, generate_segment_batched). Were
    # they renamed, nothing would be kept and score() would encode again.
    class Pipeline(BatchedInferencePipeline):
        last_encoder_output = None

        def generate_segment_batched(self, *args, **kwargs):
            encoder_output, output = super().generate_segment_batched(*args, **kwargs)
            self.last_encoder_output = encoder_output
            return encoder_output, output

        def forward(self, features, tokenizer, chunks_metadata, *args, **kwargs):
            self.last_encoder_output = None
            results = super().forward(features, tokenizer, chunks_metadata, *args, **kwargs)
            if rows is not None and self.last_encoder_output is not None:
                outputs = np.asarray(self.last_encoder_output)
                for metadata, output in zip(chunks_metadata, outputs):
                    frames = int(np.ceil(metadata["duration"]) * self.model.frames_per_second)
                    rows[metadata["offset"]] = (metadata["offset"] + metadata["duration"], output.astype(np.float16),
                                                min(frames, output.shape[0] * 2))
            return results

    return Pipeline(model)


def fill_holes(segments: list[Segment], clips: Sequence[Clip],
               decode: Callable[[list[Clip]], list[Segment]], rounds: int = HOLE_ROUNDS) -> list[Segment]:
    """``segments`` with what ``decode`` finds in their :func:`uncovered`
    stretches. A stretch decoded again can end early too (three phone-menu
    prompts, then nothing for the two news items after them), so what it
    leaves is decoded again, up to ``rounds`` times in all."""
    holes = uncovered(segments, clips)
    for _ in range(rounds):
        if not holes:
            break
        again = decode(holes)
        segments = sorted(segments + again, key=lambda s: s.start)
        holes = uncovered(again, holes)
    return segments


def uncovered(segments: Sequence[Segment], clips: Sequence[Clip], min_gap: float = 2.5) -> list[Clip]:
    """Stretches of at least ``min_gap`` s inside clips that produced words, where no word was placed."""
    words = sorted((w for s in segments for w in s.words), key=lambda w: w.start)
    holes = []
    for clip in clips:
        inside = [w for w in words if clip.start - 0.05 <= w.start < clip.end]
        if not inside:
            continue  # nothing decoded at all: music VAD let through, not a skip
        t = clip.start
        for w in inside:
            if w.start - t >= min_gap:
                holes.append(Clip(t, w.start))
            t = max(t, w.end)
        if clip.end - t >= min_gap:
            holes.append(Clip(t, clip.end))
    return holes


def second_pass(segments: Sequence[Segment], clips: Sequence[Clip],
                prompt: PromptText = NO_PROMPT) -> dict[Clip, str | None]:
    """Clips the batched pipeline (no temperature fallback) got wrong, to be
    decoded again on their own, with fallback, each with the prompt to decode
    it with (prompt_guard.prompt_retries; none for a loop or a skip):

    * a repetition loop, often the vocabulary prompt echoed back ("H.
      Ayuntamiento de Moroleón, H. Ayuntamiento de Moroleón, …"), either
      the whole window or a run of words inside good text ("Protección
      civil, Neel, Neel, Neel, …", with the next sentence lost under it);
    * a skipped sentence, which leaves one word aligned over seconds of speech;
    * the prompt written instead of what was said (prompt_guard.py).

    Decoded on its own, with timestamps, a clip comes back whole (measured:
    both examples above recovered their lost sentence).
    """
    again = prompt_retries(segments, clips, prompt)
    again.update({clip: None for clip in clips if any(_failed(s) for s in segments if in_clip(s, clip))})
    return again


def _failed(segment: Segment) -> bool:
    return ((segment.compression_ratio or 0.0) > COMPRESSION_RATIO_MAX or has_word_loop(segment.words)
            or any(w.end - w.start > MAX_WORD_S for w in segment.words))


def _segment(s) -> Segment:
    words = tuple(Word(w.word, float(w.start), float(w.end), float(w.probability)) for w in (s.words or ()))
    return Segment(
        start=float(s.start),
        end=float(s.end),
        text=s.text.strip(),
        avg_logprob=float(s.avg_logprob),
        no_speech_prob=float(s.no_speech_prob),
        compression_ratio=float(s.compression_ratio) if s.compression_ratio is not None else None,
        words=words,
    )

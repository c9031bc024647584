"""The reference engine: openai-whisper (PyTorch), extra ``radiomon[openai-whisper]``.

Same options, same clips (radio VAD) and same output objects as the default
engine; it is slower on a CPU (fp32, no int8) but it is the original
implementation, useful to compare against and on GPUs where PyTorch is
already installed. Install ``torch`` (the CPU build) before
``openai-whisper``, or pip pulls a multi-GB CUDA build.
"""

from __future__ import annotations

import logging
import math
import threading
from typing import Sequence

import numpy as np

from radiomon.errors import TranscriptionError
from radiomon.pipeline.transcribe import models
from radiomon.pipeline.transcribe.audio import around
from radiomon.pipeline.transcribe.guards import COMPRESSION_RATIO_MAX
from radiomon.pipeline.transcribe.prompt_guard import decode_again, prompt_retries, read_prompt
from radiomon.pipeline.transcribe.types import SAMPLE_RATE, Clip, EngineOptions
from radiomon.transcript import Segment, Word

log = logging.getLogger(__name__)

# openai-whisper's temperature fallback, used when a decode loops.
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, model: str, options: EngineOptions):
        try:
            import torch
            import whisper
        except ImportError:
            raise TranscriptionError(
                "the openai-whisper engine is not installed; run `pip install torch==2.13.0` "
                "then `pip install 'radiomon[openai-whisper]'`, or use --engine faster-whisper"
            ) from None
        self.options = options
        self.model_label, location = models.resolve(model, self.name)
        if options.threads and options.device == "cpu":
            torch.set_num_threads(options.threads)
        try:
            self.model = whisper.load_model(location, device=options.device)
        except (RuntimeError, OSError, KeyError, ValueError) as err:
            raise TranscriptionError(
                f"cannot load openai-whisper model {location}: {str(err).splitlines()[0]}; check transcription.model"
            ) from None
        dims = self.model.dims
        # A checkpoint loaded from a path has no alignment heads; the bundled
        # weights are Whisper base, whose heads openai-whisper knows.
        if (dims.n_text_layer, dims.n_text_state, dims.n_vocab) == (6, 512, 51865):
            self.model.set_alignment_heads(whisper._ALIGNMENT_HEADS["base"])
        self._lock = threading.Lock()  # one decode at a time: the model is not thread-safe
        log.info("openai-whisper: %s on %s", self.model_label, options.device)

    def transcribe(self, audio: np.ndarray, clips: Sequence[Clip]) -> list[Segment]:
        if not clips:
            return []
        segments = self._decode(audio, clips, self.options.initial_prompt)
        # Clips the prompt wrote instead of the audio, again (prompt_guard.py); loops have their fallback.
        again = prompt_retries(segments, clips, read_prompt(self.options.initial_prompt))
        if again:
            log.debug("re-decoding %d clip(s) the prompt wrote: %s", len(again), again)
            segments = decode_again(segments, again, lambda failed, prompt: self._decode(audio, failed, prompt))
        return segments

    def _decode(self, audio: np.ndarray, clips: Sequence[Clip], prompt: str | None) -> list[Segment]:
        o = self.options
        flat = clip_timestamps(clips, len(audio) / SAMPLE_RATE)
        if not flat:
            return []
        with self._lock:
            result = self.model.transcribe(
                audio.astype(np.float32),
                language=o.language,
                task="transcribe",
                temperature=TEMPERATURES,
                beam_size=o.beam_size if o.beam_size > 1 else None,
                best_of=None if o.beam_size > 1 else 5,
                # Fall back to sampling only for loops. openai-whisper's default
                # also re-decodes every window whose average log probability is
                # below -1 — most speech over a music bed — up to five times
                # with best-of-5 sampling: that multiplied the time on radio.
                # The no-speech rule is applied by the guards afterwards.
                compression_ratio_threshold=COMPRESSION_RATIO_MAX,
                logprob_threshold=None,
                no_speech_threshold=None,
                condition_on_previous_text=False,
                initial_prompt=prompt,
                carry_initial_prompt=prompt is not None,
                word_timestamps=o.word_timestamps,
                clip_timestamps=flat,
                fp16=o.device == "cuda",
                verbose=None,
            )
        return [_segment(s) for s in result["segments"]]

    def score(
        self, audio: np.ndarray, clip: Clip, texts: Sequence[str], prompt: str | None = None
    ) -> list[list[float]]:
        """Each text's token log probabilities given ``clip`` of ``audio`` (teacher-forced,
        after ``prompt``, by default the vocabulary prompt, as in decoding); see rescore.py."""
        import torch
        import whisper
        from whisper.tokenizer import get_tokenizer

        model = self.model
        tokenizer = get_tokenizer(model.is_multilingual, num_languages=model.num_languages,
                                  language=self.options.language, task="transcribe")
        piece = around(audio, clip).astype(np.float32)
        prompt = self.options.initial_prompt if prompt is None else prompt
        prefix = []
        if prompt:  # as openai-whisper puts it
            prefix = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt.strip())]
        prefix += tokenizer.sot_sequence_including_notimestamps
        scores = []
        with self._lock, torch.no_grad():
            mel = whisper.log_mel_spectrogram(piece, model.dims.n_mels, padding=whisper.audio.N_SAMPLES)
            mel = whisper.pad_or_trim(mel, whisper.audio.N_FRAMES).to(model.device)
            features = model.embed_audio(mel[None].to(next(model.encoder.parameters()).dtype))
            for text in texts:
                tokens = tokenizer.encode(" " + text.strip())
                sequence = torch.tensor([prefix + tokens], device=model.device)
                logprobs = torch.log_softmax(model.logits(sequence, features)[0].float(), dim=-1)
                # The logits at position i predict token i + 1.
                at = torch.arange(len(prefix) - 1, len(prefix) - 1 + len(tokens), device=model.device)
                scores.append(logprobs[at, torch.tensor(tokens, device=model.device)].tolist())
        return scores


# openai-whisper's mel hop: 100 frames per second.
_FRAME = 0.01


def clip_timestamps(clips: Sequence[Clip], duration: float) -> list[float]:
    """``clip_timestamps`` that openai-whisper can finish.

    A clip ending past the last mel frame, or an empty one, makes its seek
    loop spin forever (openai/whisper#2005, unmerged): rounding a VAD end up
    by a millisecond was enough. So ends are clamped a frame inside the
    audio, times are rounded down, and clips shorter than a frame go.
    """
    last = math.floor(duration / _FRAME) * _FRAME - _FRAME
    flat: list[float] = []
    for clip in clips:
        start = math.floor(max(0.0, clip.start) * 1000) / 1000
        end = math.floor(min(clip.end, last) * 1000) / 1000
        if end - start >= _FRAME:
            flat += [start, end]
    return flat


def _segment(s: dict) -> Segment:
    words = tuple(
        Word(w["word"], float(w["start"]), float(w["end"]), float(w.get("probability", 0.0)))
        for w in s.get("words") or ()
    )
    return Segment(
        start=float(s["start"]),
        end=float(s["end"]),
        text=s["text"].strip(),
        avg_logprob=float(s["avg_logprob"]),
        no_speech_prob=float(s["no_speech_prob"]),
        compression_ratio=float(s["compression_ratio"]),
        words=words,
    )

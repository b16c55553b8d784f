"""A SentencePiece ``tokenizer.model`` (Llama's) as a Hugging Face ``tokenizer.json``.

The layout is the one transformers' ``LlamaConverter`` writes (the "legacy" Llama tokenizer): the normalizer puts
"▁" in front of the text and turns spaces into "▁", there is no pre-tokenizer, and the model is BPE over the
SentencePiece vocabulary with byte fallback, whose merges are every split of a piece into two pieces of the
vocabulary, ranked by the merged piece's score (transformers' ``SentencePieceExtractor``). SentencePiece's BPE
merges by the same score, so the two encode alike; ``encode_sample`` gives SentencePiece's own ids for a sample,
which the converter compares with the written file (the proof is on the sample, not in general).

Only what Llama-family tokenizers use is accepted: BPE, the identity normalization, no removal of extra
whitespace, whitespace as a prefix; anything else is refused naming the field. Needs the ``sentencepiece``
package (Debian: python3-sentencepiece).
"""

from typing import Any, Dict, List

# sentencepiece_model_pb2.ModelProto.SentencePiece.Type
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
BPE = 2  # TrainerSpec.ModelType


class TokenizerError(Exception):
    pass


def _load(path: str):
    try:
        from sentencepiece import sentencepiece_model_pb2 as pb
    except ImportError as e:
        raise TokenizerError("reading tokenizer.model needs the Python package sentencepiece (Debian: "
                             "python3-sentencepiece; pip install sentencepiece)") from e
    proto = pb.ModelProto()
    try:
        with open(path, "rb") as f:
            proto.ParseFromString(f.read())
    except Exception as e:  # noqa: BLE001 - a protobuf error means the file is not a SentencePiece model
        raise TokenizerError(f"tokenizer.model: not a SentencePiece model ({e})") from e
    if not proto.pieces:
        raise TokenizerError("tokenizer.model: not a SentencePiece model (no pieces)")
    return proto


def tokenizer_json(path: str) -> Dict[str, Any]:
    """The tokenizer.json for the SentencePiece model at ``path``; TokenizerError naming the field it cannot take."""
    proto = _load(path)
    trainer, norm = proto.trainer_spec, proto.normalizer_spec
    problems = []
    if trainer.model_type != BPE:
        problems.append(f"trainer_spec.model_type is {trainer.model_type}; only BPE ({BPE}) models (Llama's) are "
                        "supported")
    if norm.name not in ("identity", ""):
        problems.append(f'normalizer_spec.name is "{norm.name}"; only "identity" (Llama\'s) is supported')
    if norm.remove_extra_whitespaces:  # proto2 default: true, so a model must say false (Llama's does)
        problems.append("normalizer_spec.remove_extra_whitespaces is true; Llama's tokenizer keeps whitespace")
    if trainer.treat_whitespace_as_suffix:
        problems.append("trainer_spec.treat_whitespace_as_suffix is true; only prefix whitespace is supported")
    if problems:
        raise TokenizerError("tokenizer.model: " + "\ntokenizer.model: ".join(problems))
    pieces = [(p.piece, p.score, p.type) for p in proto.pieces]
    vocab = {piece: i for i, (piece, _, _) in enumerate(pieces)}
    mergeable = {piece for piece, _, kind in pieces if kind in (NORMAL, USER_DEFINED)}
    merges = []
    for piece, score, kind in pieces:
        if kind not in (NORMAL, USER_DEFINED):
            continue
        local = [(piece[:i], piece[i:]) for i in range(1, len(piece))
                 if piece[:i] in mergeable and piece[i:] in mergeable]
        local.sort(key=lambda m: (vocab[m[0]], vocab[m[1]]))
        merges.extend((left, right, score) for left, right in local)
    merges.sort(key=lambda m: m[2], reverse=True)  # stable: ties keep vocabulary order, as transformers does
    unk = next((p for p, _, kind in pieces if kind == UNKNOWN), None)

    def added(piece: str, special: bool, normalized: bool) -> Dict[str, Any]:
        return {"id": vocab[piece], "content": piece, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": normalized, "special": special}

    added_tokens = [added(p, True, False) for p, _, kind in pieces if kind in (UNKNOWN, CONTROL)]
    added_tokens += [added(p, False, True) for p, _, kind in pieces if kind == USER_DEFINED]
    normalizers = [{"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]
    decoders = [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
                {"type": "Fuse"}]
    if norm.add_dummy_prefix:
        normalizers.insert(0, {"type": "Prepend", "prepend": "▁"})
        decoders.append({"type": "Strip", "content": " ", "start": 1, "stop": 0})
    bos = trainer.bos_piece or "<s>"
    if trainer.bos_id >= 0 and bos in vocab:
        bos_ref = {"SpecialToken": {"id": bos, "type_id": 0}}
        post = {
            "type": "TemplateProcessing",
            "single": [bos_ref, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [bos_ref, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": bos, "type_id": 1}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [vocab[bos]], "tokens": [bos]}},
        }
    else:
        post = None
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": sorted(added_tokens, key=lambda t: t["id"]),
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": None,
        "post_processor": post,
        "decoder": {"type": "Sequence", "decoders": decoders},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": unk,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": True,
            "byte_fallback": bool(trainer.byte_fallback),
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [f"{left} {right}" for left, right, _ in merges],
        },
    }


def encode_sample(path: str, texts: List[str]) -> List[List[int]]:
    """SentencePiece's own ids for each text (no BOS/EOS)."""
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_file=path)
    return [list(sp.encode(t)) for t in texts]


def special_ids(path: str) -> Dict[str, int]:
    proto = _load(path)
    return {"bos": proto.trainer_spec.bos_id, "eos": proto.trainer_spec.eos_id, "size": len(proto.pieces)}

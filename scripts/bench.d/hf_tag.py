"""Tags sentences with the Hugging Face transformers token-classification pipeline, on claimtag's
model, for scripts/bench.

bench.py starts this in a process of its own for every measured run, so that the wall time, the
start-up and the peak RSS it records belong to this run alone. Input is claimtag's own JSONL output
(`claimtag tag --sentences`): the pipeline gets exactly the sentences claimtag found, so the two
tools differ only in how they run the model, not in segmentation.

Modes:
  tag    the measured run: every sentence through the pipeline; entities with document offsets
         to --out, timings to --stats.
  check  before any HF number is trusted: a few known sentences through the pipeline, and the
         model's raw logits on the first documents decoded with claimtag's own rules and compared
         with claimtag's entities (they should match: same weights, same inputs).
"""

import argparse
import json
import sys
import time

STARTED = time.perf_counter()

import torch  # noqa: E402  (imports after STARTED: their cost is part of the start-up we report)
from safetensors.torch import load_file  # noqa: E402
from torch import nn  # noqa: E402
from transformers import (  # noqa: E402
    BertConfig,
    BertForTokenClassification,
    BertTokenizerFast,
    TokenClassificationPipeline,
)

from claimtag_rules import CASING_NONE, casing_of, parse_tag, trim_entity, words_to_entities  # noqa: E402

SANITY_SENTENCES = [
    "Vladimir Putin met Volodymyr Zelensky in Kyiv.",
    "The Institute for the Study of War said Russian forces advanced near Bakhmut on Tuesday.",
]


class CasedBertForTokenClassification(BertForTokenClassification):
    """BERT token classification plus claimtag's casing embedding.

    The tokenizer is uncased, so the model was trained with each word's casing class
    (claimtag_rules.casing_of) embedded and added to its sub-tokens' word embeddings; BertEmbeddings
    then adds position and token type embeddings as usual. Without `casing_ids` the model would
    still run but tag worse, so they are required."""

    def __init__(self, config):
        super().__init__(config)
        self.casing_embeddings = nn.Embedding(config.claimtag_casing_classes, config.hidden_size)

    def forward(self, input_ids=None, casing_ids=None, attention_mask=None, token_type_ids=None, **kwargs):
        if casing_ids is None:
            raise ValueError("this model needs casing_ids next to input_ids")
        inputs_embeds = self.bert.embeddings.word_embeddings(input_ids) + self.casing_embeddings(casing_ids)
        return super().forward(
            inputs_embeds=inputs_embeds, attention_mask=attention_mask, token_type_ids=token_type_ids, **kwargs
        )


def continuation_table(tokenizer):
    """Per vocabulary id: is it a WordPiece continuation ("##ensky")? A lookup list is far cheaper
    per token than converting ids back to strings."""
    table = [False] * len(tokenizer)
    for token, index in tokenizer.get_vocab().items():
        table[index] = token.startswith("##")
    return table


def casing_ids_for(text, input_ids, offsets, special, is_continuation):
    """Casing class per position of one encoded row, as claimtag assigns them: a word is a
    sub-token that starts one plus the continuations after it, its class is casing_of() of the
    original text from its first sub-token's start to its last one's end; special tokens and
    padding get CASING_NONE.

    (When the pipeline cuts a sentence longer than the model into overlapping chunks, a word cut
    at a chunk's start is classed by the part of it in that chunk; claimtag sees whole words. Only
    sentences over 510 sub-tokens are cut, and bench.py reports how many there are.)"""
    casing = [CASING_NONE] * len(input_ids)
    word = []  # positions of the current word's sub-tokens

    def close_word():
        if word:
            klass = casing_of(text[offsets[word[0]][0]:offsets[word[-1]][1]])
            for position in word:
                casing[position] = klass
            word.clear()

    for position, token_id in enumerate(input_ids):
        if special[position]:
            close_word()
            continue
        if not is_continuation[token_id]:
            close_word()
        word.append(position)
    close_word()
    return casing


class CasedTokenClassificationPipeline(TokenClassificationPipeline):
    """The stock pipeline, plus `casing_ids` in the model inputs.

    transformers 4.46's `_forward` pops the pipeline's own keys (special_tokens_mask,
    offset_mapping, sentence, is_last) and passes every remaining one to the model, and batching
    pads unknown keys with 0; padded positions are masked out of attention, so that 0 (instead of
    CASING_NONE) changes nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._is_continuation = continuation_table(self.tokenizer)

    def check_model_type(self, supported_models):
        # Our model subclasses a supported one, but the check compares class names and would log
        # a spurious error.
        pass

    def preprocess(self, sentence, offset_mapping=None, **preprocess_params):
        for model_inputs in super().preprocess(sentence, offset_mapping, **preprocess_params):
            casing = casing_ids_for(
                sentence,
                model_inputs["input_ids"][0].tolist(),
                model_inputs["offset_mapping"][0].tolist(),
                model_inputs["special_tokens_mask"][0].tolist(),
                self._is_continuation,
            )
            model_inputs["casing_ids"] = torch.tensor([casing], dtype=torch.long)
            yield model_inputs


def load_model(model_dir):
    """The model in fp32 (the file is fp16; claimtag upcasts the same way on the CPU) and its
    fast tokenizer."""
    config = BertConfig.from_pretrained(model_dir)
    if not getattr(config, "claimtag_casing_classes", None):
        sys.exit(f"hf_tag: {model_dir}/config.json has no claimtag_casing_classes; "
                 "this script is for claimtag's cased models")
    if getattr(config, "claimtag_context_tokens", 0) or getattr(config, "claimtag_pack_tokens", 0):
        # claimtag feeds neighbouring sentences as context; a sentence-level pipeline cannot.
        print(f"hf_tag: warning: the model was trained on sentences with their neighbours "
              f"({getattr(config, 'claimtag_pack_tokens', 0)} sub-tokens packed, "
              f"{getattr(config, 'claimtag_context_tokens', 0)} of context a side); the pipeline tags each "
              "sentence alone, so entities will differ", file=sys.stderr)
    model = CasedBertForTokenClassification(config)
    weights = {name: tensor.float() for name, tensor in load_file(f"{model_dir}/model.safetensors").items()}
    if getattr(config, "claimtag_role_labels", None):
        # The claim-role head has no place in an entity pipeline; it is dropped by name, so a
        # model declaring one without it still fails below.
        weights = {name: tensor for name, tensor in weights.items() if not name.startswith("role_classifier.")}
    # strict: a renamed or missing tensor must fail here, not tag with random weights.
    model.load_state_dict(weights, strict=True)
    model.eval()
    # model_max_length: tokenizer_config.json does not say it, and without it the pipeline would
    # neither cut nor chunk sentences longer than the position embeddings.
    tokenizer = BertTokenizerFast.from_pretrained(model_dir, model_max_length=config.max_position_embeddings)
    return model, tokenizer


def make_pipeline(model, tokenizer):
    return CasedTokenClassificationPipeline(model=model, tokenizer=tokenizer, framework="pt", device=-1)


def pipeline_call(pipe, sentences, batch_size):
    # stride: sentences over the model's 512 positions go through in overlapping chunks rather
    # than being cut short; shorter ones are a single chunk either way.
    return pipe(sentences, batch_size=batch_size, aggregation_strategy="first", stride=128)


def read_documents(path, limit=None):
    """claimtag output records: id, text and the sentence spans (code point offsets)."""
    docs = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if limit is not None and len(docs) >= limit:
                break
            record = json.loads(line)
            if "error" in record:
                continue  # claimtag could not tag it; nothing to compare
            if "sentences" not in record:
                sys.exit(f"hf_tag: {path} has records without \"sentences\"; run claimtag tag with --sentences")
            docs.append(record)
    return docs


def sentences_of(docs):
    """(document index, sentence start, sentence text) for every non-blank sentence."""
    sentences = []
    for index, doc in enumerate(docs):
        text = doc["text"]
        for span in doc["sentences"]:
            sentence = text[span["start"]:span["end"]]
            if sentence.strip():
                sentences.append((index, span["start"], sentence))
    return sentences


def run_tag(args):
    torch.set_num_threads(args.threads)
    model, tokenizer = load_model(args.model)
    pipe = make_pipeline(model, tokenizer)
    docs = read_documents(args.input)
    sentences = sentences_of(docs)
    texts = [text for _, _, text in sentences]
    order = list(range(len(texts)))
    if args.sort_by_length:
        # Longest first, as claimtag batches: similar lengths share a batch and waste less padding.
        # Character length stands in for sub-tokens so that no extra tokenizer pass is timed.
        order.sort(key=lambda i: -len(texts[i]))
    loaded = time.perf_counter()

    results = pipeline_call(pipe, [texts[i] for i in order], args.batch_size)
    tagged = time.perf_counter()

    write_entities(args.out, docs, ((sentences[i], found) for i, found in zip(order, results)))
    with open(args.stats, "w", encoding="utf-8") as stats:
        json.dump({
            "load_s": loaded - STARTED,
            "tag_s": tagged - loaded,
            "documents": len(docs),
            "sentences": len(sentences),
            "batch_size": args.batch_size,
            "sort_by_length": args.sort_by_length,
            "threads": torch.get_num_threads(),
        }, stats)


def write_entities(path, docs, tagged):
    """The pipeline's entities as JSONL, one {"id", "entities"} record per document in `docs`,
    each entity with document offsets, sorted by position. `tagged` pairs each sentence of
    sentences_of(docs) with what the pipeline found in it, in any order."""
    entities = [[] for _ in docs]
    for (doc, sentence_start, _), found in tagged:
        for entity in found:
            # The pipeline's offsets are code points into the sentence, as claimtag's are into
            # the document.
            entities[doc].append({
                "start": sentence_start + int(entity["start"]),
                "end": sentence_start + int(entity["end"]),
                "label": entity["entity_group"],
                "score": round(float(entity["score"]), 4),
            })
    with open(path, "w", encoding="utf-8") as out:
        for doc, found in zip(docs, entities):
            found.sort(key=lambda e: (e["start"], e["end"]))
            out.write(json.dumps({"id": doc["id"], "entities": found}, ensure_ascii=False) + "\n")


def decode_with_claimtag_rules(model, tokenizer, is_continuation, tags, sentence):
    """Entities of one sentence from the model's raw logits, decoded as claimtag decodes: the
    label of each word's first sub-token, claimtag's grouping, claimtag's edge trimming."""
    encoded = tokenizer(sentence, return_offsets_mapping=True, return_special_tokens_mask=True,
                        truncation=True, return_tensors="pt")
    ids = encoded["input_ids"][0].tolist()
    offsets = encoded["offset_mapping"][0].tolist()
    special = encoded["special_tokens_mask"][0].tolist()
    casing = torch.tensor([casing_ids_for(sentence, ids, offsets, special, is_continuation)])
    with torch.no_grad():
        logits = model(input_ids=encoded["input_ids"], casing_ids=casing,
                       attention_mask=encoded["attention_mask"],
                       token_type_ids=encoded["token_type_ids"]).logits[0]
    probabilities, labels = logits.softmax(-1).max(-1)
    words = []
    for position, token_id in enumerate(ids):
        if special[position]:
            continue
        start, end = offsets[position]
        if is_continuation[token_id] and words:
            words[-1][1] = max(words[-1][1], end)
        else:
            words.append([start, end, int(labels[position]), float(probabilities[position])])
    entities = []
    for start, end, kind, _ in words_to_entities(words, tags):
        trimmed = trim_entity(sentence[start:end])
        if trimmed is not None:
            entities.append((start + trimmed[0], start + trimmed[0] + trimmed[1], kind))
    return entities


def run_check(args):
    torch.set_num_threads(args.threads)
    model, tokenizer = load_model(args.model)
    pipe = make_pipeline(model, tokenizer)

    sanity = []
    for sentence, found in zip(SANITY_SENTENCES, pipeline_call(pipe, SANITY_SENTENCES, 2)):
        sanity.append({
            "text": sentence,
            "entities": [[e["entity_group"], sentence[e["start"]:e["end"]], round(float(e["score"]), 3)]
                         for e in found],
        })

    tags = [parse_tag(model.config.id2label[i]) for i in range(len(model.config.id2label))]
    is_continuation = pipe._is_continuation
    docs = read_documents(args.input, limit=args.docs)
    claimtag, direct = set(), set()
    for doc in docs:
        for entity in doc.get("entities", []):
            claimtag.add((doc["id"], entity["start"], entity["end"], entity["label"]))
        text = doc["text"]
        for span in doc["sentences"]:
            sentence = text[span["start"]:span["end"]]
            if not sentence.strip():
                continue
            for start, end, kind in decode_with_claimtag_rules(model, tokenizer, is_continuation, tags, sentence):
                direct.add((doc["id"], span["start"] + start, span["start"] + end, kind))
    union = claimtag | direct
    examples = []
    by_id = {doc["id"]: doc["text"] for doc in docs}
    for source, only in (("claimtag", claimtag - direct), ("logits", direct - claimtag)):
        for doc_id, start, end, kind in sorted(only)[:5]:
            examples.append({"only_in": source, "id": doc_id, "start": start, "end": end, "label": kind,
                             "text": by_id[doc_id][start:end]})
    json.dump({
        "sanity": sanity,
        "parity": {
            "documents": len(docs),
            "claimtag_entities": len(claimtag),
            "logit_entities": len(direct),
            "matched": len(claimtag & direct),
            "identical": len(claimtag & direct) / len(union) if union else 1.0,
            "examples": examples,
        },
    }, sys.stdout, ensure_ascii=False)
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["tag", "check"])
    parser.add_argument("--model", required=True, help="model directory (HF BERT layout + casing embedding)")
    parser.add_argument("--input", required=True, help="claimtag tag --sentences output (JSONL)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--sort-by-length", action="store_true", help="feed sentences longest first")
    parser.add_argument("--out", help="tag: entities per document (JSONL)")
    parser.add_argument("--stats", help="tag: timings (JSON)")
    parser.add_argument("--docs", type=int, default=20, help="check: documents compared with claimtag")
    args = parser.parse_args()
    if args.mode == "tag":
        if not (args.out and args.stats):
            parser.error("tag needs --out and --stats")
        run_tag(args)
    else:
        run_check(args)


if __name__ == "__main__":
    main()

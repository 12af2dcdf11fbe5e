"""The Hugging Face side of the GPU benchmark (bundled by scripts/gpu-bench, run by run_bench.py on
the GPU host): claimtag's model in the transformers token-classification pipeline
(aggregation_strategy="first", as scripts/bench.d/hf_tag.py sets it up, casing embedding
included), on the sentences claimtag found, at several batch sizes and dtypes.

One process per corpus: the model loads once, then every (dtype, batch size) runs in turn after
a warm-up, so that CUDA start-up and cuBLAS initialisation are paid once and reported apart
(load_s) rather than folded into the first configuration.

Reuses hf_tag.py unchanged (model class, casing ids, pipeline subclass, load_model, the entities
file), except that the pipeline is built here: hf_tag.make_pipeline passes framework="pt", which
transformers 5 rejects, and pins the CPU.

    python hf_gpu.py --model DIR --input CLAIMTAG.jsonl --out-dir DIR --device 0 \
        --dtypes fp32 bf16 --batch-sizes 32 64 128 256 [--deadline EPOCH_S]

Writes OUT-DIR/hf-<dtype>-b<size>.jsonl (entities per document, code point offsets) and prints a
JSON summary on stdout: tokens, sentences, load_s, and per configuration tag_s and GPU memory.
"""

import argparse
import json
import sys
import time

STARTED = time.perf_counter()

import torch  # noqa: E402  (after STARTED: import time is part of the start-up reported)
import transformers  # noqa: E402

from hf_tag import (  # noqa: E402
    CasedTokenClassificationPipeline,
    load_model,
    pipeline_call,
    read_documents,
    sentences_of,
    write_entities,
)

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
WARMUP_SENTENCES = 256


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True, help="claimtag tag --sentences output (JSONL)")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--device", type=int, default=0, help="CUDA device index; -1 for the CPU")
    parser.add_argument("--dtypes", nargs="+", default=["fp32"], choices=sorted(DTYPES))
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[32, 64, 128, 256])
    parser.add_argument("--deadline", type=float, default=0.0,
                        help="time.time() after which no further configuration starts (0: none)")
    args = parser.parse_args()

    cuda = args.device >= 0
    if cuda and not torch.cuda.is_available():
        sys.exit("hf_gpu: --device is a GPU but torch.cuda.is_available() is False")
    device = torch.device(f"cuda:{args.device}" if cuda else "cpu")

    model, tokenizer = load_model(args.model)  # fp32; cast per dtype below
    # Every dtype is cast from these fp32 weights, never from another reduced-precision copy.
    fp32_weights = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    model.to(device)
    pipe = CasedTokenClassificationPipeline(model=model, tokenizer=tokenizer, device=device)
    docs = read_documents(args.input)
    sentences = sentences_of(docs)
    texts = [text for _, _, text in sentences]
    # The one token count every tool's tokens/s divides by: WordPiece sub-tokens of every
    # sentence, [CLS]/[SEP] excluded (as scripts/bench.d/bench.py counts them).
    tokens = sum(len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]) if texts else 0
    if cuda:
        torch.cuda.synchronize(device)
    loaded = time.perf_counter()

    summary = {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "device": torch.cuda.get_device_name(device) if cuda else "cpu",
        "documents": len(docs),
        "sentences": len(sentences),
        "tokens": tokens,
        "load_s": loaded - STARTED,
        "runs": [],
    }
    for dtype_name in args.dtypes:
        model.to(DTYPES[dtype_name])
        model.load_state_dict(fp32_weights)  # copies convert to the parameters' dtype
        # Warm-up at the largest batch size: kernels, cuBLAS handles and the caching allocator
        # are set up once per dtype, outside the timed runs.
        pipeline_call(pipe, texts[:WARMUP_SENTENCES], max(args.batch_sizes))
        for batch_size in args.batch_sizes:
            key = f"hf-{dtype_name}-b{batch_size}"
            if args.deadline and time.time() > args.deadline:
                print(f"hf_gpu: out of time, skipping {key}", file=sys.stderr, flush=True)
                summary["runs"].append({"key": key, "dtype": dtype_name, "batch_size": batch_size, "skipped": True})
                continue
            if cuda:
                torch.cuda.synchronize(device)
                torch.cuda.reset_peak_memory_stats(device)
            started = time.perf_counter()
            results = pipeline_call(pipe, texts, batch_size)
            if cuda:
                torch.cuda.synchronize(device)
            tag_s = time.perf_counter() - started
            run = {"key": key, "dtype": dtype_name, "batch_size": batch_size, "skipped": False, "tag_s": tag_s}
            if cuda:
                run["max_memory_allocated_mib"] = torch.cuda.max_memory_allocated(device) / 2**20
                run["max_memory_reserved_mib"] = torch.cuda.max_memory_reserved(device) / 2**20
            print(f"hf_gpu: {key}: {tag_s:.2f} s", file=sys.stderr, flush=True)
            write_entities(f"{args.out_dir}/{key}.jsonl", docs, zip(sentences, results))
            run["entities_file"] = f"{key}.jsonl"
            summary["runs"].append(run)
    json.dump(summary, sys.stdout)
    print()


if __name__ == "__main__":
    main()

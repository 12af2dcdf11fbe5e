"""Gives a model directory a random claim-role head that is a linear-chain CRF, so that
scripts/check-robustness can run the learned claim grouping and CRF decoding on arbitrary role
tags, as a half-trained or foreign model would give them. Standard library only.

Usage: random_role_head.py MODEL_DIR [SEED]
Adds role_classifier.{weight,bias,transitions,start_transitions} (F32) to MODEL_DIR's
model.safetensors and claimtag_role_labels / claimtag_role_crf to its config.json.
"""

import json
import os
import random
import struct
import sys
from array import array

ROLE_LABELS = ["O", "B-CONTENT", "I-CONTENT", "B-CUE", "I-CUE", "B-SOURCE", "I-SOURCE"]


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (header_len,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + header_len])
    return header, blob[8 + header_len :]


def main(model_dir, seed):
    rng = random.Random(seed)
    config_path = os.path.join(model_dir, "config.json")
    with open(config_path) as f:
        config = json.load(f)
    hidden, labels = config["hidden_size"], len(ROLE_LABELS)
    # Scales that make every role and every transition likely somewhere in a long text.
    added = {
        "role_classifier.weight": ([labels, hidden], 0.5),
        "role_classifier.bias": ([labels], 1.0),
        "role_classifier.transitions": ([labels, labels], 2.0),
        "role_classifier.start_transitions": ([labels], 2.0),
    }
    weights_path = os.path.join(model_dir, "model.safetensors")
    header, data = read_safetensors(weights_path)
    header.pop("__metadata__", None)
    data = bytearray(data)
    for name, (shape, scale) in added.items():
        count = 1
        for size in shape:
            count *= size
        raw = array("f", (rng.gauss(0.0, scale) for _ in range(count))).tobytes()
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(weights_path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + bytes(data))
    config["claimtag_role_labels"] = ROLE_LABELS
    config["claimtag_role_crf"] = True
    with open(config_path, "w") as f:
        json.dump(config, f, indent=2)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 7)

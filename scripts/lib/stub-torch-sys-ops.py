"""Stubs out named ops in torch-sys's generated C++ wrapper (libtch/torch_api_generated.cpp).

Used by scripts/build-with-libtorch. torch-sys 0.17 wraps every ATen op of libtorch 2.4; a newer
libtorch changed the C++ signatures of a few internal ops, so their wrappers no longer compile.
Here each named wrapper keeps its C signature (the Rust side declares and links it) but its body
becomes a throw, which the wrapper's PROTECT(...) turns into torch-sys's usual error
(torch_last_err): calling such an op from Rust then fails with a message instead of the whole
crate failing to build. Nothing else in the file changes.

    python3 stub-torch-sys-ops.py FILE LIBTORCH_VERSION OP [OP...]

OP is the ATen name (`_scaled_mm`), whose wrapper is `void atg_<OP>(...)`. Exits non-zero, naming
what it expected, when a wrapper is missing or not shaped as torch-sys 0.17 generates it, so that
another torch-sys version fails here rather than being edited blindly.
"""

import sys


def fail(message):
    print(f"stub-torch-sys-ops: {message}", file=sys.stderr)
    sys.exit(1)


def stub(lines, op, libtorch_version):
    """Replaces the body of `void atg_<op>(...)` in place; returns the line number (1-based)."""
    header = f"void atg_{op}("
    starts = [i for i, line in enumerate(lines) if line.startswith(header)]
    if len(starts) != 1:
        fail(f"expected exactly one line starting with {header!r}, found {len(starts)}; "
             "is this the torch-sys version these stubs were written for (0.17.0)?")
    start = starts[0]
    # The generated shape, one wrapper per op:
    #   void atg_OP(tensor *out__, ...) {
    #     PROTECT(
    #       auto outputs__ = torch::OP(...);
    #       out__[0] = new torch::Tensor(...);
    #     )
    #   }
    if not lines[start].rstrip().endswith(") {") or lines[start + 1].rstrip() != "  PROTECT(":
        fail(f"atg_{op} at line {start + 1} does not open with '{{' and '  PROTECT(' as expected")
    end = start + 2
    while end < len(lines) and lines[end].rstrip() != "  )":
        if lines[end].startswith("}") or lines[end].startswith("void "):
            fail(f"atg_{op} at line {start + 1}: no '  )' closing its PROTECT before the function ends")
        end += 1
    if end + 1 >= len(lines) or lines[end + 1].rstrip() != "}":
        fail(f"atg_{op} at line {start + 1}: its PROTECT( ... ) is not followed by the closing '}}'")
    body = "".join(lines[start + 2:end])
    if f"torch::{op}(" not in body and f"->{op}(" not in body:
        fail(f"atg_{op} at line {start + 1} does not call torch::{op}(...) as expected; not editing it")
    message = (f"{op} is not available in this claimtag build: torch-sys 0.17 was written for "
               f"libtorch 2.4 and this op's C++ signature differs in libtorch {libtorch_version}")
    lines[start + 2:end] = [
        f"    // claimtag (scripts/build-with-libtorch): stubbed, the libtorch {libtorch_version} signature differs.\n",
        f'    throw std::runtime_error("{message}");\n',
    ]
    return start + 1


def main():
    if len(sys.argv) < 4:
        fail("usage: stub-torch-sys-ops.py FILE LIBTORCH_VERSION OP [OP...]")
    path, libtorch_version, ops = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(path, encoding="utf-8") as source:
        lines = source.readlines()
    if not lines or "AUTOMATICALLY GENERATED" not in lines[0]:
        fail(f"{path} does not look like torch-sys's generated wrapper (no 'AUTOMATICALLY GENERATED' header)")
    if any("claimtag (scripts/build-with-libtorch)" in line for line in lines):
        fail(f"{path} is already stubbed; start from a fresh copy of the crate source")
    for op in ops:
        line = stub(lines, op, libtorch_version)
        print(f"stub-torch-sys-ops: stubbed atg_{op} (line {line})", file=sys.stderr)
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(lines)


if __name__ == "__main__":
    main()

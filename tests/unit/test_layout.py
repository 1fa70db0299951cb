"""The repository's shape (issue 10): subpackages with a public API, no private imports across
packages, no flat prefixed module groups, and frozen held-out sets that never change."""

from __future__ import annotations

import ast
import hashlib
import importlib
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PACKAGES = (
    "agent",
    "tools",
    "services",
    "analytics",
    "data",
    "domain",
    "ui",
    "cli",
    "evals",
    "prompts",
    "benchmarks",
)

FROZEN_SETS = {
    "evals/holdout/holdout.jsonl": "b4cd8fc50d4ba3c54ea367ae25490a38f05cb02964627fb54891c629c018a55d",
    "evals/holdout2/holdout2.jsonl": "7e14ee7d3147b6dbb595a1655dd621e01087ddebdc63483672dd983e44c60387",
    "evals/holdout3/holdout3.jsonl": "4adc8163ac295f32f9b0971fc2d6a132778addee0127ea08852a511967f64c5e",
    "evals/holdout4/holdout4.jsonl": "68beb6749de8ddce507f8ce6563bc17f18b08dfcc7ae7ef6933d54dbcac0710f",
    "evals/holdout5/holdout5.jsonl": "06d3b4a94ebf18dbcfe6b02d1d965d6f0aa1f8a16eeee97da573225eb41cd74a",
    "evals/holdout6/holdout6.jsonl": "3d9c84cd695c2e7a79607cfdbd3a063f270092427401136b89b6f4987e9c11d9",
    "evals/holdout7/holdout7.jsonl": "6d05e013df0de06ae28c47111ca9503bfbb0c6fac256a564ec62c5d7344d6612",
    "evals/holdout8/holdout8.jsonl": "8fc808c898051d96c47d86fe82512b3afc731c4c8f24f698da6415158ca6a344",
    "evals/holdout9/holdout9.jsonl": "86e60f628168128f0e45859dde85282ba8da88c62badbe347240bff3b7c828fc",
    "evals/holdout10/holdout10.jsonl": "a211897c81846309f722dd1fcbe6ebad1c40e1e856ab48765c27b6aefa55319c",
    "evals/holdout11/holdout11.jsonl": "ce11653cc075770a9be8811e95107889c6e219f83698c1967a6a138aaa0e1855",
    "evals/holdout12/holdout12.jsonl": "3ad530544111b5451f4835cc3c553983afafffe1710254ad840dca009cb23d76",
    "evals/holdout13/holdout13.jsonl": "00f39574714793a4c8f248078a2f923dacdfdf4e92815d4fbe5d0a21f8a78c92",
    "evals/holdout14/holdout14.jsonl": "8e023fbd4bb558d2565a3e47707c82d8b2286e8ef931f09147e43bb83bc422ef",
    "evals/holdout15/holdout15.jsonl": "f21c7122493a55c1245f85eb00d77b9fa722d7b5064cedb2aa1ae5cec6f22923",
}
"""sha256 of every blind held-out set as committed before its first run."""


def _source_files() -> list[Path]:
    files = [p for pkg in SOURCE_PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    return [p for p in files if "holdout" not in p.parent.name]


@pytest.mark.parametrize("path", sorted(FROZEN_SETS))
def test_frozen_held_out_sets_are_byte_identical(path: str) -> None:
    digest = hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
    assert digest == FROZEN_SETS[path], f"{path} changed after it was frozen"


def test_no_folder_holds_three_modules_sharing_a_name_prefix() -> None:
    crowded = []
    folders = {p.parent for p in _source_files()}
    for folder in sorted(folders):
        stems = [p.stem for p in folder.glob("*.py") if "_" in p.stem.strip("_")]
        prefixes = Counter(stem.strip("_").split("_")[0] for stem in stems)
        crowded += [f"{folder.relative_to(ROOT)}/{k}_*" for k, n in prefixes.items() if n >= 3]
    assert not crowded, f"group these into a subpackage: {crowded}"


def test_no_module_imports_another_packages_private_module() -> None:
    offences = []
    for path in _source_files():
        own = path.relative_to(ROOT).parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] in SOURCE_PACKAGES and parts[0] != own:
                    private = [p for p in parts[1:] if p.startswith("_") and p != "__init__"]
                    if private and (ROOT.joinpath(*parts[:-1], parts[-1] + ".py")).exists():
                        offences.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offences


@pytest.mark.parametrize(
    "package",
    [
        "analytics.trends",
        "analytics.reconcile",
        "analytics.leakage",
        "services.leakage",
        "services.trends",
        "data.imports",
        "agent.offline",
        "domain",
    ],
)
def test_subpackages_declare_their_public_api(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__doc__ and len(module.__doc__.strip()) > 40
    exported = module.__all__
    assert exported and len(set(exported)) == len(exported)
    missing = [name for name in exported if not hasattr(module, name)]
    assert not missing

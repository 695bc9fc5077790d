"""Pydantic plumbing shared by the two spec formats (pipeline specs and uncertainty specs).

The formats are pydantic models; their leaf checks raise :func:`bad`, a pydantic custom error that carries
the reason in the engine's words and, where the defect sits below the value being checked (an item of a
list, a key of a mapping), the rest of its path. :func:`validated` turns the first error of a
:class:`pydantic.ValidationError` into a :class:`~kechuang.index.errors.SpecError` with the YAML path
(``steps[3].params.winmax``): list positions render as ``[i]``, mapping keys as ``.key``, and the tags of
discriminated unions (strings starting with :data:`TAG`) are left out. The first error in document order is
the one reported, as a reader fixing the file from the top would meet it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from kechuang.index.errors import SpecError

__all__ = ["TAG", "bad", "below", "checked", "check_keys", "yaml_path", "validated", "nested"]

TAG = "§"

M = TypeVar("M", bound=BaseModel)


def bad(reason: str, *below: str | int) -> PydanticCustomError:
    """A spec defect: ``reason`` as shown to the user, ``below`` the path from the checked value down."""
    return PydanticCustomError("spec", "{reason}", {"reason": reason, "below": list(below)})


def below(exc: PydanticCustomError, *above: str | int) -> PydanticCustomError:
    """The defect ``exc`` of a value that sits at ``above`` below the value being checked."""
    ctx: dict[str, Any] = exc.context or {}
    return bad(str(ctx.get("reason", exc.message())), *above, *ctx.get("below", []))


def checked(check: Callable[[Any], Any]) -> Any:
    """A field type whose value is checked (and normalised) by ``check``, which raises :func:`bad`."""
    return Annotated[Any, BeforeValidator(check)]


def check_keys(obj: dict[str, Any], valid: Sequence[str]) -> None:
    """Refuse a key that is not in ``valid``, naming the valid ones."""
    for key in obj:
        if key not in valid:
            raise bad(f"unknown key '{key}' (valid keys: {', '.join(valid)})", str(key))


def yaml_path(parts: Sequence[Any]) -> str:
    """``("steps", 3, "§treat/winsorise", "params", "winmax")`` → ``steps[3].params.winmax``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.startswith(TAG):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _first(exc: ValidationError) -> tuple[list[Any], str]:
    err = exc.errors(include_url=False)[0]
    ctx = err.get("ctx") or {}
    return [*err["loc"], *ctx.get("below", [])], str(ctx.get("reason", err["msg"]))


def nested(model: type[M], obj: Any) -> M:
    """Validate ``obj`` with ``model`` inside another model's validator: its first defect is re-raised with
    its path below the value, so a model can be chosen (and built) only when a value needs it."""
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        parts, reason = _first(exc)
        raise bad(reason, *parts) from None


def validated(model: type[M], obj: Any, source: str) -> M:
    """Validate ``obj`` with ``model``; the first defect is raised as a :class:`SpecError` of ``source``."""
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        parts, reason = _first(exc)
        raise SpecError(source, yaml_path(parts), reason) from None
